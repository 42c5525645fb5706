from __future__ import annotations

import sys

import pytest

from provenance.scan.tex.lexer import token_pattern
from provenance.scan.tex.state import HANDLERS

# What the walker's one pattern must get right: escapes, a word that only starts like a
# handled one, a star, a comment after `\\`, a lone backslash at the very end.
TEXTS = [
    "plain text only",
    "a \\% b % comment\n\\begin{lemma}x\\end{lemma}",
    "\\beginx \\begin*{a} \\\\% c\n\\labelled \\label{k}",
    "\\\\\\section{A}\\emph{b}\\input x.tex",
    "text then a lone backslash \\",
    "\\\\",
    "%",
    "\\begin",
    "\\" + "x" * 50 + "\\ref{a}" + "y" * 10,
]


def _tokens(pattern_text: str, possessive: bool) -> list[tuple[int, str, str | None, str | None]]:
    pattern = token_pattern(HANDLERS, possessive=possessive)
    out, pos = [], 0
    while True:
        m = pattern.match(pattern_text, pos)
        if m is None or not m.group(1):
            out.append((pos, "end", None, None))
            return out
        out.append((m.start(1), m.group(1), m.group(2), m.group(3)))
        pos = m.end()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="possessive quantifiers need Python 3.11")
@pytest.mark.parametrize("text", TEXTS)
def test_possessive_pattern_finds_what_the_backtracking_one_finds(text: str) -> None:
    assert _tokens(text, possessive=True) == _tokens(text, possessive=False)


def test_tokens_stop_at_comments_and_handled_words_only() -> None:
    found = [(g1, g2, g3) for _, g1, g2, g3 in _tokens(TEXTS[2], possessive=sys.version_info >= (3, 11))]
    assert found == [("\\begin*", "begin", "*"), ("%", None, None), ("\\label", "label", ""), ("end", None, None)]
