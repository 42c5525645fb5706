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
from typing import TypeVar

from provenance.scan.tex.units import PendingUnit, TexFile


@dataclass(frozen=True)
class Stop:
    """LaTeX reads no further in the current file after `line`."""

    line: int


@dataclass(frozen=True)
class Token:
    """A control word the walker stopped at: `\\word*` from `start` to `end`."""

    word: str
    star: str
    start: int
    end: int


Handler = Callable[["Walk", TexFile, Token], "int | Stop"]
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

    def walk(self, rel: str, base: str, package: bool) -> None:
        """Read `rel` (reached from a file whose \\input base is `base`) as LaTeX would;
        the walker (walker.py) implements it."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        return rel in self.generated or os.path.isfile(self.root / rel)

    def section_parent(self) -> PendingUnit | None:
        return self.sections[-1] if self.sections else None

    def innermost(self, kinds: Collection[str]) -> PendingUnit | None:
        for _, b in reversed(self.envstack):
            if b is not None and b.kind in kinds:
                return b
        return None

    def add_unit(self, f: TexFile, unit: PendingUnit) -> None:
        self.units.append(unit)
        f.built.append(unit)

    def close_section(self, s: PendingUnit, f: TexFile, line: int) -> None:
        """A section ends at the last line of content before `line` of `f`, or, when it
        lives in another file, where that file was \\input."""
        if s.end:
            return
        if s.file == f.rel:
            s.end = f.last_content_before(line)
        elif s.file in self.active:
            host, at = self.active[s.file]
            s.end = host.last_content_before(at)
