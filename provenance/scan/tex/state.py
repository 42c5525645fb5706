"""The one state a walk of the paper keeps, and the table of control-word handlers.

A handler is a small function that registers the control words it handles with
`@handles(...)`. The walker (walker.py) builds its token pattern from this table, and
calls the handler with the walk's state, the file being read and the token found. A
handler returns where to read on, or `Stop(line)` when LaTeX reads nothing more of the
file after that line (\\endinput, \\end{document}).

The handlers live by theme: structure.py (units: environments, sections, labels, uses,
refs, captions), inputs.py (the files LaTeX reads), definitions.py (theorem
definitions, and definitions and verbatim text to skip).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

from provenance.scan.tex.trace import Position, Trace
from provenance.scan.tex.units import PendingUnit, TexFile


@dataclass(frozen=True)
class Stop:
    """LaTeX reads no further in the current file after `line`."""

    line: int


class Token(NamedTuple):
    """A control word the walker stopped at: `\\word*` from `start` to `end` (a tuple: a
    book makes a quarter of a million)."""

    word: str
    star: str
    start: int
    end: int


@dataclass(frozen=True)
class TexDeps:
    """What LaTeX reads for the paper, as one walk found it (walker.py)."""

    tex: tuple[str, ...]  # every .tex reached from main, main first (repo-relative)
    other: tuple[str, ...]  # .bib, local .sty/.cls/.bst, graphics (repo-relative)
    missing: tuple[str, ...] = ()  # "file:line: name" of \input-like targets that do not exist
    theorems: tuple[tuple[str, str], ...] = ()  # theorem-like environment -> printed name ("lem", "Lemma")
    labels: tuple[tuple[str, str, int], ...] = ()  # every \label the paper defines: (name, file, line)

    def duplicate_labels(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Labels defined more than once: name -> every (file, line) defining it."""
        names = [name for name, _, _ in self.labels]
        if len(set(names)) == len(names):
            return {}  # the usual case, found without a list per label (a book defines 29,000)
        where: dict[str, list[tuple[str, int]]] = {}
        for name, file, line in self.labels:
            where.setdefault(name, []).append((file, line))
        return {name: tuple(places) for name, places in where.items() if len(places) > 1}


Handler = Callable[["Walk", TexFile, Token], "int | Stop"]
Reach = tuple[tuple[int, int], ...]  # (first line, last line) of each reading of a file that spans lines
Reaches = dict[str, Reach]  # file -> its Reach
HANDLERS: dict[str, Handler] = {}
PACKAGE_WORDS: set[str] = set()  # what still matters inside a .sty/.cls
H = TypeVar("H", bound=Callable[..., "int | Stop"])


def handles(*words: str, in_packages: bool = False) -> Callable[[H], H]:
    """Register a handler for `words`; `in_packages`: also while reading a .sty/.cls."""

    def register(fn: H) -> H:
        for w in words:
            if w in HANDLERS:
                raise ValueError(f"\\{w} has two handlers: {HANDLERS[w].__name__} and {fn.__name__}")
            HANDLERS[w] = fn
            if in_packages:
                PACKAGE_WORDS.add(w)
        return fn

    return register


@dataclass(eq=False)
class Walk:
    """What the walk has found so far, and where it is."""

    root: Path
    main: str
    generated: frozenset[str]
    cwd: str = ""  # the main file's directory: LaTeX's working directory
    tex: list[str] = field(default_factory=list)  # .tex files reached, in order
    other: list[str] = field(default_factory=list)  # .bib, .sty, graphics...
    missing: list[str] = field(default_factory=list)
    envs: dict[str, str] = field(default_factory=dict)  # theorem environment -> printed name
    units: list[PendingUnit] = field(default_factory=list)
    sections: list[PendingUnit] = field(default_factory=list)  # the open sectioning units
    envstack: list[tuple[str, PendingUnit | None]] = field(default_factory=list)
    pending: PendingUnit | None = None  # a section whose \label may still come
    last_statement: PendingUnit | None = None
    graphicspath: list[str] = field(default_factory=lambda: [""])
    active: dict[str, tuple[TexFile, int]] = field(default_factory=dict)  # file -> (file, line of its \input)
    visited: set[str] = field(default_factory=set)
    probed: set[str] = field(default_factory=set)  # every path looked for, found or not
    trace: Trace = field(default_factory=Trace)  # the lines of unit files in reading order
    labels: list[tuple[str, str, int]] = field(default_factory=list)  # every \label: (name, file, line)
    reaches: Reaches = field(default_factory=dict)  # file -> lines a handler's reading spanned (edits.py)

    def walk(self, rel: str, base: str, package: bool) -> None:
        """Read `rel` (reached from a file whose \\input base is `base`) as LaTeX would;
        the walker (walker.py) implements it."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        self.probed.add(rel)
        return rel in self.generated or os.path.isfile(self.root / rel)

    def section_parent(self) -> PendingUnit | None:
        return self.sections[-1] if self.sections else None

    def innermost(self, kinds: Collection[str]) -> PendingUnit | None:
        return next((b for _, b in reversed(self.envstack) if b is not None and b.kind in kinds), None)

    def add_unit(self, f: TexFile, unit: PendingUnit) -> None:
        unit.first = self.position(f, unit.start)
        self.units.append(unit)
        f.built.append(unit)

    def _host(self, f: TexFile, line: int) -> tuple[TexFile, int] | None:
        """`f` and `line` if the trace is reading `f`, else the nearest file it is in
        and the line of the \\input that reached it (for packages and build/ files)."""
        if self.trace.current(f.rel) is not None:
            return f, line
        for host, at in reversed(list(self.active.values())):
            if self.trace.current(host.rel) is not None:
                return host, at
        return None

    def position(self, f: TexFile, line: int) -> Position:
        """Where line `line` of `f` is in the trace."""
        where = self._host(f, line)
        if where is None:
            return (max(len(self.trace.segments) - 1, 0), line)
        k = self.trace.current(where[0].rel)
        return (k if k is not None else 0, where[1])

    def position_before(self, f: TexFile, line: int) -> Position | None:
        """The last line of text LaTeX read before line `line` of `f`."""
        where = self._host(f, line)
        if where is None:
            return self.trace.last_text()
        k = self.trace.current(where[0].rel)
        return self.trace.last_text_before(k if k is not None else 0, where[1] - 1)

    def end_at(self, unit: PendingUnit, end: Position | None) -> None:
        """Close `unit` at `end` (never before its own first line)."""
        if unit.last is None:
            unit.last = end if end is not None and end >= unit.first else unit.first

    def close_section(self, s: PendingUnit, f: TexFile, line: int) -> None:
        """A section ends at the last line of text LaTeX read before line `line` of `f`
        (the next heading of its level or above), in whatever file that is."""
        if s.last is None:
            self.end_at(s, self.position_before(f, line))
