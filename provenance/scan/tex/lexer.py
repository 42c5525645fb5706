"""The LaTeX lexer under latex.py: pure functions from text and a position to what is there.

It owns the one regular expression that, in one call, skips text, uninteresting control
sequences and escapes (so `\\%` is text and `\\\\%` starts a comment) and stops only at a
comment or at one of the control words the caller asked for; the readers of the {...} and
[...] arguments those words take; the skipping of what LaTeX does not typeset as the
paper's structure (\\iffalse blocks, \\verb, verbatim environments, macro definitions);
and `plain`, which turns a title or caption into plain text. It knows nothing about
files or units, so the walker in latex.py can be read without the character-level
detail, and this without the paper's structure.

Why a hand-written lexer: pylatexenc's latexwalker, the obvious tokenizer, was measured
first: it parses about 0.1-0.2 MB/s, 50x slower than this scanner (0.31 s against 6 ms
for the 63 KB example paper; 14 s against 0.29 s for a 1.6 MB, 150-file tree), which the
warm-record and no-op-build budgets cannot afford. benchmarks/scan_bench.py repeats the
comparison.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable


def token_pattern(words: Iterable[str], possessive: bool = sys.version_info >= (3, 11)) -> re.Pattern[str]:
    """The lexer's one regular expression for these control words. A match skips everything
    uninteresting (text, other control sequences, escapes such as \\% and \\\\) and ends at
    the next comment, word of interest, or the end of the text: group 1 is "%", the word
    with its backslash and star, or "" at the end; group 2 the word; group 3 its star."""
    alt = "|".join(sorted(words, key=len, reverse=True))
    # Runs of plain text are consumed whole ([^\\%]+), not a character per alternation:
    # three times faster on long papers. Possessive where Python has it (3.11): what is
    # skipped is never given back, so the engine keeps no backtracking state (15% faster on
    # a book). It matches the same: the tail fails only where the loop's body would too.
    more, many = ("++", "*+") if possessive else ("+", "*")
    return re.compile(r"(?:[^\\%]" + more + r"|\\(?!(?:" + alt + r")(?![A-Za-z@]))(?:[A-Za-z@]" + more + r"|.))" + many
                      + r"(%|\\(" + alt + r")(?![A-Za-z@])(\*?)|\Z)", re.S)


_SIMPLE_GROUP = re.compile(r"[ \t]*\{([^{}\\%]*)\}")
_BRACES = re.compile(r"\\.|%[^\n]*|[{}]", re.S)
_BRACKETS = re.compile(r"\\.|%[^\n]*|[{}\]]", re.S)
_SKIP = re.compile(r"%[^\n]*|\\[^A-Za-z@]|\\(if[A-Za-z@]*|fi|else)(?![A-Za-z@])")
_ONE_TOKEN = re.compile(r"\\(?:[A-Za-z@]+|.)|.", re.S)
_DEF_HEAD = re.compile(r"\s*(?:\\(?:[A-Za-z@]+|.)|.)[^{]*")


# -- argument readers (positions into the text) ------------------------------------------

# How far the readers below have looked since `reach_from`: the walker (walker.py) keeps,
# per file, the stretches of text a handler's result depends on, which can end past where
# reading goes on (a \\section's title is read whole, then reading goes on inside it; a
# reader that finds no argument has looked at the next line's first character).
_reach = [0]


def reach_from(pos: int) -> None:
    _reach[0] = pos


def reached() -> int:
    return _reach[0]


def _seen(end: int) -> None:
    if end > _reach[0]:
        _reach[0] = end


def space(text: str, pos: int) -> int:
    """Skip what TeX skips before an argument: spaces, one newline, comments."""
    newline = False
    while pos < len(text):
        c = text[pos]
        if c in " \t\r":
            pos += 1
        elif c == "\n" and not newline:
            newline, pos = True, pos + 1
        elif c == "%":
            eol = text.find("\n", pos)
            pos = len(text) if eol < 0 else eol + 1
        else:
            break
    return pos


def group(text: str, pos: int) -> tuple[str, int, int] | None:
    """A {...} argument at pos (after spaces): (content, content start, position after)."""
    simple = _SIMPLE_GROUP.match(text, pos)  # the common case: \begin{lem}, \label{x}
    if simple is not None:
        _seen(simple.end())
        return simple.group(1), simple.start(1), simple.end()
    pos = space(text, pos)
    if pos >= len(text) or text[pos] != "{":
        _seen(pos + 1)
        return None
    depth = 0
    for m in _BRACES.finditer(text, pos):
        t = m.group(0)
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                _seen(m.end())
                return text[pos + 1:m.start()], pos + 1, m.end()
    _seen(len(text))
    return text[pos + 1:], pos + 1, len(text)


def opt(text: str, pos: int) -> tuple[str, int, int] | None:
    """An optional [...] argument at pos, ending at the first ] outside braces."""
    pos = space(text, pos)
    if pos >= len(text) or text[pos] != "[":
        _seen(pos + 1)
        return None
    depth = 0
    for m in _BRACKETS.finditer(text, pos + 1):
        t = m.group(0)
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
        elif t == "]" and depth <= 0:
            _seen(m.end())
            return text[pos + 1:m.start()], pos + 1, m.end()
    _seen(len(text))
    return None


def arg(text: str, pos: int) -> tuple[str, int]:
    """A mandatory argument: a group, a control sequence, or one character."""
    g = group(text, pos)
    if g is not None:
        return g[0], g[2]
    pos = space(text, pos)
    m = _ONE_TOKEN.match(text, pos)
    _seen(m.end() if m else pos + 1)
    return (m.group(0), m.end()) if m else ("", pos)


# -- what LaTeX reads but does not typeset as structure: each returns where to go on --------

def skip_iffalse(text: str, pos: int) -> int:
    """Past the \\fi (or \\else) closing an \\iffalse that ends at pos."""
    depth = 1
    for m in _SKIP.finditer(text, pos):
        word = m.group(1)
        if word is None:
            continue
        if word == "fi":
            depth -= 1
        elif word == "else":
            if depth == 1:
                return m.end()  # \iffalse A \else B \fi typesets B
        else:
            depth += 1
        if depth == 0:
            return m.end()
    return len(text)


def decode(data: bytes) -> str:
    """A source file's text as the walk reads it: UTF-8, else Latin-1 (old papers: every
    byte is a character, lines stay exact)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def skip_verb(text: str, pos: int) -> int:
    """Past the argument of a \\verb (or \\lstinline) that ends at pos."""
    if pos >= len(text):
        return pos
    close = "}" if text[pos] == "{" else text[pos]
    end = text.find(close, pos + 1)
    nl = text.find("\n", pos + 1)
    return pos + 1 if end < 0 or (0 <= nl < end) else end + 1


def skip_verbatim(text: str, pos: int, name: str) -> int:
    """Past the \\end{name} of a verbatim-like environment whose body starts at pos."""
    m = re.compile(r"\\end\s*\{" + re.escape(name) + r"\}").search(text, pos)
    return m.end() if m else len(text)


def skip_newcommand(text: str, pos: int, bodies: int = 1) -> int:
    """Past a \\newcommand-like definition (name, two optional arguments, `bodies` bodies)
    whose name starts at pos: a definition's body is not the paper's structure."""
    _, p = arg(text, pos)
    for _ in range(2):
        o = opt(text, p)
        p = o[2] if o else p
    for _ in range(bodies):
        _, p = arg(text, p)
    return p


def skip_def(text: str, pos: int) -> int:
    """Past a \\def-like definition (name, parameter text, body) whose name starts at pos."""
    m = _DEF_HEAD.match(text, pos)
    g = group(text, m.end()) if m else None
    return g[2] if g else pos


# -- plain text for titles ------------------------------------------------------------

_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "c": "\u0327", "v": "\u030c", "H": "\u030b", "u": "\u0306", "r": "\u030a", "k": "\u0328"}
_DROP = re.compile(r"\\(?:label|footnote|thanks|cite[a-z]*|index)\*?\s*(?:\[[^\]]*\]\s*)*\{[^{}]*\}")
_MATH = re.compile(r"((?<!\\)\$\$?.*?(?<!\\)\$\$?|\\\(.*?\\\))", re.S)
_ACCENT = re.compile(r"\\([\"'`^~=.]|[cvHurk](?![A-Za-z]))\s*\{?([A-Za-z])\}?")
_ESCAPED = re.compile(r"\\([%&#_${}])")
_SPACE = re.compile(r"\\\\|~|\\[ ,;:!]")
_MACRO = re.compile(r"\\[A-Za-z@]+\*?")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")


def plain(s: str) -> str:
    """A title or caption as plain text: markup dropped, math kept as written."""
    if "\\" not in s and "{" not in s and "~" not in s and "%" not in s:
        return " ".join(s.split())
    parts = _MATH.split(_DROP.sub("", strip_comments(s)))  # odd items are math
    return unicodedata.normalize("NFC", " ".join(
        "".join(p if i % 2 else _plain_text(p) for i, p in enumerate(parts)).split()))


def strip_comments(s: str) -> str:
    return _COMMENT.sub("", s) if "%" in s else s


def _plain_text(s: str) -> str:
    s = _ACCENT.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], s)
    s = _SPACE.sub(" ", _ESCAPED.sub(r"\1", s))
    return _MACRO.sub("", s).replace("{", "").replace("}", "")
