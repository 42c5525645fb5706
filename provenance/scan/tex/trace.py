"""The order in which LaTeX reads the lines of the paper's files, and what a unit covers.

LaTeX reads a file until an \\input-like command, then the whole of the file it names,
then the rest of the first file. The walk records that as a trace of segments: (file,
first line, last line), in reading order. A unit starts at a position in the trace (its
heading or \\begin) and ends at another (the last line of text before the next heading
of its level or above, or its \\end); the segments between the two are its extents. So
a `\\section{Introduction}` followed by `\\input{sections/introduction}` covers the
lines of both files, and a section that ends inside another file's \\input does too.

Only files that hold units are in the trace (the paper's .tex files, not packages or
generated files under build/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Position = tuple[int, int]  # (segment index, 1-based line of that segment's file)
Extent = tuple[str, int, int]  # (file, first line, last line)


@dataclass(eq=False)
class Segment:
    file: str
    start: int
    end: int | None = None  # None while LaTeX is still reading it
    by_input: bool = False  # it ends at the \input line that opened the next segment


# A line of commands only (\\appendix, \\inputencoding{latin1}, \\begin{document}), comment aside.
_COMMANDS_ONLY = re.compile(r"\s*(?:\\[A-Za-z@]+\*?\s*(?:\[[^\]]*\]\s*|\{[^{}]*\}\s*)*)+(?:%.*)?")


def commands_only(line: str) -> bool:
    return _COMMANDS_ONLY.fullmatch(line) is not None


def is_text(line: str) -> bool:
    """Not blank and not only a comment: a line that belongs to what it follows."""
    s = line.strip()
    return bool(s) and not s.startswith("%")


@dataclass(eq=False)
class Trace:
    segments: list[Segment] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # file -> its lines
    firsts: dict[str, int] = field(default_factory=dict)  # file -> _first_text

    def open(self, file: str, start: int, lines: list[str] | None = None) -> None:
        if lines is not None:
            self.texts.setdefault(file, lines)
        self.segments.append(Segment(file, start))

    def close(self, end: int, by_input: bool = False) -> None:
        seg = self.segments[-1]
        seg.end, seg.by_input = max(end, seg.start - 1), by_input

    def current(self, file: str) -> int | None:
        """The index of the segment being read, if it is `file`'s."""
        if self.segments and self.segments[-1].file == file and self.segments[-1].end is None:
            return len(self.segments) - 1
        return None

    def last_text_before(self, k: int, hi: int) -> Position | None:
        """The last line of text at or before line `hi` of segment `k`, going back through
        earlier segments. What opens a file before its first heading, when it is only
        commands (\\appendix, \\inputencoding), belongs to that file, not to the section
        before; nor does the \\input line that opened it."""
        opening = k > 0 and self.segments[k].start == 1 and self.segments[k - 1].by_input
        while k >= 0:
            seg = self.segments[k]
            lines = self.texts.get(seg.file, [])
            first = self._first_text(seg.file) if opening else 0
            for n in range(min(hi, len(lines)), seg.start - 1, -1):
                if is_text(lines[n - 1]) and not (n < first and commands_only(lines[n - 1])):
                    return k, n
            opening = False
            k -= 1
            if k >= 0:
                prev = self.segments[k]
                hi = (prev.end if prev.end is not None else len(self.texts.get(prev.file, []))) - prev.by_input
        return None

    def _first_text(self, file: str) -> int:
        """The first line of `file` that is text and not commands only: the commands only
        lines before it open the file (an \\end{proof} further down is text)."""
        if file not in self.firsts:
            lines = self.texts.get(file, [])
            self.firsts[file] = next((n for n, line in enumerate(lines, 1) if is_text(line) and not commands_only(line)),
                                     len(lines) + 1)
        return self.firsts[file]

    def last_text(self) -> Position | None:
        """The last line of text read so far."""
        if not self.segments:
            return None
        seg = self.segments[-1]
        end = seg.end if seg.end is not None else len(self.texts.get(seg.file, []))
        return self.last_text_before(len(self.segments) - 1, end)

    def cut(self, first: Position, last: Position) -> tuple[Extent, ...]:
        """The extents from `first` to `last` (inclusive), adjacent ranges of one file merged."""
        (i, s), (j, e) = first, last
        if (j, e) < (i, s):
            return ((self.segments[i].file, s, s),)
        out: list[Extent] = []
        for k in range(i, j + 1):
            seg = self.segments[k]
            lo = s if k == i else seg.start
            hi = e if k == j else (seg.end if seg.end is not None else lo - 1)
            if lo > hi:
                continue
            if out and out[-1][0] == seg.file and out[-1][1] <= lo <= out[-1][2] + 1:
                out[-1] = (seg.file, out[-1][1], max(out[-1][2], hi))
            else:
                out.append((seg.file, lo, hi))
        return tuple(out) or ((self.segments[i].file, s, s),)
