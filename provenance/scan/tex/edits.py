"""Edits after which the walk of the paper is the one already made.

Most edits reword prose: a line of text becomes another line of text. LaTeX's structure,
as the walk sees it, does not move: the walk stops only at comments and at the control
words a handler registered (state.py), and a handler's result depends only on the text
from its word to as far as it read (`reaches`, recorded per file by the walker from the
lexer's readers). So an edited file is walked exactly as before when every line that
changed, before and after, is

- a line of text: not blank (a blank line ends a section's text: trace.py), not a
  comment and without a `%` anywhere (comments hold markers), and as much or as little
  "commands only" as it was (trace.py lets such lines at a file's top belong to it);
- free of the words the walk stops at (\\section, \\label, \\ref, \\begin, ...: their
  handlers would read it);
- outside everything a handler read that spans lines (a two-line \\section title, a
  caption, a verbatim block, an \\iffalse, a definition's body, the next line a reader
  looked at for an argument it did not find);

and the file has as many lines as before. Then every unit, its lines and extents, every
label and dependency are what they were (tests/scan/tex/test_edits.py compares walks).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.scan.tex.state import HANDLERS
from provenance.scan.tex.trace import commands_only, is_text

_words: list[re.Pattern[str]] = []


def _stops() -> re.Pattern[str]:
    """The walk's stopping points in a line: a comment, or a word some handler took."""
    if not _words:  # made on first use: the handlers register when walker.py is imported
        alt = "|".join(sorted(HANDLERS, key=len, reverse=True))
        _words.append(re.compile(r"%|\\(?:" + alt + r")(?![A-Za-z@])"))
    return _words[0]


def same_walk(old: str, new: str, reaches: Sequence[tuple[int, int]]) -> bool:
    """Whether a file that read `old` and now reads `new` is walked as before; `reaches`:
    the (first, last) lines of what the walk's handlers read of `old` across lines."""
    a, b = old.split("\n"), new.split("\n")
    if len(a) != len(b):
        return False
    stops = _stops()
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y:
            continue
        if not (is_text(x) and is_text(y)) or stops.search(x) or stops.search(y):
            return False
        if commands_only(x) != commands_only(y) or any(lo <= i + 1 <= hi for lo, hi in reaches):
            return False
    return True
