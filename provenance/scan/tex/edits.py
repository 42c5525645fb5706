"""Edits after which the walk of the paper is the one already made, or that one with the
edited file's later lines moved.

Most edits reword prose, or add or remove a sentence. LaTeX's structure, as the walk sees
it, does not move: the walk stops only at comments and at the control words a handler
registered (state.py), and a handler's result depends only on the text from its word to
as far as it read (`reaches`, recorded per file by the walker from the lexer's readers).
A line is *free* when it is a line of text (not blank: a blank line ends a section's
text, trace.py), holds no `%` (comments hold markers) and none of those words, and is not
"commands only" (trace.py lets such lines at a file's top belong to it).

- Lines reworded in place: when every changed line is free before and after and lies
  outside everything a handler read across lines, the walk is the same. So it is when a
  line's only such words are references (`\\ref` and its kin, each with its group on
  the line: their handler reads that much and records the label, not where it stands),
  the same before and after, and what changed between them holds no backslash, brace or
  `%`. Next to an edit (below), a line may hold such references too.
- Lines removed (or replaced) in one place: when the lines that differ, before and after,
  are all free, the lines on both sides of them are free too (so the search for a
  section's last line of text, which goes backwards, stops before reaching them), and
  no reading touches that place, the walk is the same but for the edited file's lines
  after it, which move by the number of lines added (`shift`).
- Lines only added after a free line or a line that only closes an environment (blank
  lines between aside; a sentence or a paragraph, before whatever comes next, even a
  heading or the file's end): when they are free or blank, the last that is not blank
  free, and no reading spans the place, the walk is the same but for the lines after
  them, which move, and what ended on the line above (the last line of text before
  whatever follows), which ends on the last line added that is not blank; what an
  `\\end` on that line closed stays (`fits` checks that against the walk's units).

tests/scan/tex/test_edits.py compares such walks with the walk of the edited paper.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from provenance.scan.tex.state import HANDLERS, Reach, TexDeps
from provenance.scan.tex.trace import commands_only, is_text
from provenance.scan.tex.units import FLOATS, REFS
from provenance.scanned import SECTION_KINDS, Unit

_END = re.compile(r"\s*\\end\s*\{([^{}%\\]+)\}\s*")  # a line that only closes an environment


class Moved(NamedTuple):
    """The walk as before, with the edited file's lines after `after` moved by `by`;
    `grown`: lines were added after line `after` (blank lines aside), and what ended on
    it ends on line `ends_at` instead, but for the environments an `\\end` on that line
    closed (`closes`: `fits` says whether the walk's units are as that assumes)."""

    after: int
    by: int
    grown: bool = False
    closes: str | None = None  # grown after a line `\end{closes}`: only sections' ends move
    ends_at: int = 0  # grown: where what ended on line `after` ends now


@functools.cache  # made on first use: the handlers register when walker.py is imported
def _stops() -> re.Pattern[str]:
    """The walk's stopping points in a line: a comment, or a word some handler took."""
    alt = "|".join(sorted(HANDLERS, key=len, reverse=True))
    return re.compile(r"%|\\(?:" + alt + r")(?![A-Za-z@])")


def _free(line: str, refs: bool = False) -> bool:
    """A line of text a walk goes through without stopping; with `refs`, but for the
    references it holds (_REF: a line the edit keeps as it was, or rewords around them)."""
    if not is_text(line) or commands_only(line):
        return False
    return not _stops().search(_REF.sub(" ", line) if refs else line)


# A reference whose group is on its line and holds no command: its handler reads the word
# and that group, nothing after (structure.ref), and what it finds is the label, not where.
_REF = re.compile(r"\\(?:" + "|".join(sorted(REFS, key=len, reverse=True)) + r")(?![A-Za-z@])\*?[ \t]*\{[^{}\\%]*\}")


def _reworded(old: str, new: str) -> bool:
    """A line of text reworded around the references it holds (\\ref and its kin, each
    the same before and after), with no other word a handler takes: the walk reads the
    same. What differs between two references holds no backslash, brace or `%`, so no
    word or group begins, ends or changes there (a `\\lab` grown into `\\label` is a
    word the line then holds)."""
    if not (_free(old, refs=True) and _free(new, refs=True)) or _REF.findall(old) != _REF.findall(new):
        return False
    for was, now in zip(_REF.split(old), _REF.split(new), strict=True):
        top, tail = _same_ends(was, now)
        if any(c in "\\{}%" for c in was[top:len(was) - tail] + now[top:len(now) - tail]):
            return False
    return True


def _same_ends(a: Sequence[object], b: Sequence[object]) -> tuple[int, int]:
    """How many items `a` and `b` share at their start, then at their end (not overlapping)."""
    top = 0
    while top < min(len(a), len(b)) and a[top] == b[top]:
        top += 1
    tail = 0
    while tail < min(len(a), len(b)) - top and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return top, tail


def _read(first: int, last: int, reaches: Reach) -> bool:
    """Whether a handler's reading touched a line from `first` to `last`."""
    return any(lo <= last and hi >= first for lo, hi in reaches)


def walk_edit(old: str, new: str, reaches: Reach) -> Moved | None:
    """How a file that read `old` when walked and now reads `new` is walked: as before,
    with its lines moved (`Moved(0, 0)`: not at all), or None (walk it again);
    `reaches`: the (first, last) lines of what the walk's handlers read of `old` across
    lines."""
    a, b = old.split("\n"), new.split("\n")
    if len(a) == len(b):
        changed = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if all((_free(a[i]) and _free(b[i]) or _reworded(a[i], b[i])) and not _read(i + 1, i + 1, reaches)
               for i in changed):
            return Moved(0, 0)
    grown = _grown(a, b, reaches)
    if grown is not None:
        return grown
    top, tail = _same_ends(a, b)
    if top == 0 or tail == 0:
        return None
    below = len(a) - tail  # 0-based: the first unchanged line after the edit
    if below == top:
        return _inserted(a, b[top:len(b) - tail], top, reaches, at_end=not any(line.strip() for line in a[top:]))
    if not (_free(a[top - 1], refs=True) and _free(a[below], refs=True)
            and all(map(_free, [*a[top:below], *b[top:len(b) - tail]]))):
        return None
    if _read(top + 1, below + 1, reaches):
        return None
    return Moved(top, len(b) - len(a))


def _grown(a: list[str], b: list[str], reaches: Reach) -> Moved | None:
    """Lines added after the last line (a final newline aside), if walk_edit allows them."""
    a, b = a[:-1] if a[-1:] == [""] else a, b[:-1] if b[-1:] == [""] else b
    if not a or len(b) <= len(a) or b[:len(a)] != a:
        return None
    return _inserted(a, b[len(a):], len(a), reaches, at_end=True)


def _inserted(a: list[str], added: list[str], top: int, reaches: Reach, at_end: bool) -> Moved | None:
    """Lines `added` after line `top` of `a` (`at_end`: only blank lines follow), if
    walk_edit allows them. The search for the last line of text, which goes backwards
    over blank lines, that reached the last line above them that is not blank now stops
    at the last line added that is not blank: what ended there ends on that line."""
    above = top
    while above and not a[above - 1].strip():
        above -= 1  # blank lines between it and the place stay where they are
    last = max((i for i, line in enumerate(added) if line.strip()), default=None)
    if not above or last is None:
        return None
    closing = _END.fullmatch(a[above - 1])
    closes = closing.group(1).strip() if closing else None
    if closes == "document" or (closes is None and not _free(a[above - 1], refs=True)):
        return None  # nothing after \end{document} is read
    if not _free(added[last]) or not all(not line.strip() or _free(line) for line in added):
        return None
    if at_end and above == top and last < len(added) - 1:
        return None  # what goes on past the file ends on its last line, now a blank one
    # A reading that spans the place, or that may have stopped at the file's end.
    if any(lo <= above < hi or (at_end and hi == above) for lo, hi in reaches):
        return None
    return Moved(above, len(added), grown=True, closes=closes, ends_at=top + last + 1)


def fits(units: Sequence[Unit], file: str, moved: Moved) -> bool:
    """Whether every unit but a section that ends on `file`'s line `moved.after` ends
    there because the `\\end` on it closed it (its own environment's; not one left open
    to the end of a file, or closed by another's \\end), as a move with `closes` assumes."""
    if moved.closes is None:
        return True
    for u in units:
        if u.kind in SECTION_KINDS:
            continue
        spans = u.spans
        if any(f == file and hi == moved.after for f, _, hi in spans):
            if spans[-1][0] != file or spans[-1][2] != moved.after or not _closed_by(u, moved.closes):
                return False
    return True


def _closed_by(u: Unit, env: str) -> bool:
    if u.kind == "statement":
        return u.env == env
    return env == "proof" if u.kind == "proof" else FLOATS.get(env) == u.kind


def shift(units: Sequence[Unit], deps: TexDeps, reaches: Reach, file: str,
          moved: Moved) -> tuple[list[Unit], TexDeps, Reach]:
    """The walk's units and dependencies, and `file`'s reaches, with `file`'s lines
    after `moved.after` moved by `moved.by`."""
    units, deps = shift_all(units, deps, [(file, moved)])
    return units, deps, shift_reach(reaches, moved)


def shift_reach(reaches: Reach, moved: Moved) -> Reach:
    at = _movers([moved])[0]
    return tuple((at(lo), at(hi)) for lo, hi in reaches)


def shift_all(units: Sequence[Unit], deps: TexDeps, moves: Sequence[tuple[str, Moved]]) -> tuple[list[Unit], TexDeps]:
    """The walk's units and dependencies with the lines of each (file, move) moved, in
    order, in one pass over the units (a book's are tens of thousands)."""
    by_file: dict[str, list[Moved]] = {}
    for rel, m in moves:
        by_file.setdefault(rel, []).append(m)
    movers = {rel: _movers(ms) for rel, ms in by_file.items()}
    out = []
    for u in units:
        if u.file in movers or (u.extents and any(f in movers for f, _, _ in u.extents)):
            at, end = movers.get(u.file, (None, None))
            section = u.kind in SECTION_KINDS
            u = replace(u, lines=(at(u.lines[0]), end(u.lines[1], section)) if at and end else u.lines,
                        extents=tuple((f, movers[f][0](lo), movers[f][1](hi, section)) if f in movers else (f, lo, hi)
                                      for f, lo, hi in u.extents),
                        markers=tuple(replace(m, line=movers[m.file][0](m.line)) if m.file in movers else m
                                      for m in u.markers))
        out.append(u)
    labels = tuple((name, f, movers[f][0](n) if f in movers else n) for name, f, n in deps.labels)
    missing = tuple(_moved_missing(m, movers) for m in deps.missing)
    return out, replace(deps, labels=labels, missing=missing)


def _movers(moves: Sequence[Moved]) -> tuple[Callable[[int], int], Callable[[int, bool], int]]:
    """Where a line that starts something, and one that ends something, is after `moves`."""

    def at(n: int) -> int:
        for m in moves:
            n = n + m.by if n > m.after else n
        return n

    def end(n: int, section: bool) -> int:
        for m in moves:
            if m.grown and n == m.after and (section or m.closes is None):
                n = m.ends_at
            elif n > m.after:
                n += m.by
        return n

    return at, end


def _moved_missing(entry: str, movers: Mapping[str, tuple[Callable[[int], int], Callable[[int, bool], int]]]) -> str:
    """A missing input's "file:line: name" with its line moved, when its file moved."""
    for file, (at, _) in movers.items():
        if entry.startswith(file + ":"):
            line, _, name = entry[len(file) + 1:].partition(": ")
            return f"{file}:{at(int(line))}: {name}" if line.isdigit() else entry
    return entry
