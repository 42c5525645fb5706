"""What the LaTeX walk makes units of: a file as the walker reads it, units under
construction (PendingUnit), the attachment of paperprov markers to units, and the
freezing of it all into model.Unit values with unique ids (ids.py) and the extents they
cover (trace.py). What counts as a section, float, verbatim or capturing environment is
named here once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from provenance.errors import SourceError
from provenance.scan.tex.ids import unit_ids
from provenance.scan.tex.trace import Position, Trace
from provenance.scanned import SECTION_KINDS, Marker, Unit

LEVELS = {kind: level for level, kind in enumerate(SECTION_KINDS)}  # \part is 0
FLOATS = {"figure": "figure", "figure*": "figure", "wrapfigure": "figure", "sidewaysfigure": "figure",
          "table": "table", "table*": "table", "wraptable": "table", "sidewaystable": "table"}
VERBATIM = frozenset({"verbatim", "verbatim*", "Verbatim", "Verbatim*", "BVerbatim", "LVerbatim", "lstlisting",
                      "minted", "comment", "filecontents", "filecontents*", "luacode", "luacode*"})
# A \label inside these names them, not the enclosing statement or figure.
CAPTURING = frozenset({"equation", "align", "gather", "multline", "flalign", "alignat", "eqnarray", "subequations",
                       "enumerate", "subfigure", "subtable", "proof"})
REFS = frozenset({"ref", "pageref", "cref", "Cref", "cpageref", "Cpageref", "eqref", "autoref", "nameref",
                  "labelcref", "vref", "Vref", "crefrange", "Crefrange"})
# Used only when no local file defines them: the paper may load its theorem definitions
# from a package outside the repository, and LaTeX would reject an undefined environment.
FALLBACK_THEOREMS = ("theorem", "lemma", "proposition", "corollary", "definition", "conjecture", "claim",
                     "assumption", "hypothesis", "fact", "observation")

_HEADERISH = re.compile(r"\s*(?:\\label\s*\{[^}]*\}\s*)*(?:%.*)?")


@dataclass(eq=False)
class PendingUnit:
    """A unit under construction; frozen into a Unit once the whole paper is read."""

    kind: str
    name: str  # the stem of a path-based id: section, lem, proof, figure
    file: str
    start: int  # its first line in `file`
    first: Position = (0, 0)  # where it starts in the walk's trace
    last: Position | None = None  # where it ends (None: not yet)
    title: str = ""
    label: str | None = None
    env: str = ""
    display: str = ""
    level: int = 9
    parent: PendingUnit | None = None
    named: str | None = None  # a proof's [Proof of \cref{x}] target
    prev: PendingUnit | None = None  # a proof's nearest preceding statement
    uses: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    formal: list[str] = field(default_factory=list)  # "lean:Decl" from \lean{...} (blueprint.py)
    leanok: bool = False  # \leanok inside it


@dataclass(eq=False)
class TexFile:
    """One file as the walker reads it, with what it found there."""

    rel: str
    text: str
    base: str  # directory \input resolves against (changed by \import)
    package: bool  # a .sty/.cls: read for theorem definitions and the packages it loads
    units: bool  # False for packages and generated files under build/
    markers: list[Marker] = field(default_factory=list)
    built: list[PendingUnit] = field(default_factory=list)
    reaches: list[tuple[int, int]] = field(default_factory=list)  # what handlers read, where it spans lines
    _lines: list[str] | None = None
    _at: int = 0  # line() counts newlines from where it was last asked: the walk reads forward
    _line: int = 1

    def line(self, pos: int) -> int:
        """The line (from 1) holding position `pos`."""
        if pos >= self._at:
            self._line += self.text.count("\n", self._at, pos)
        else:
            self._line -= self.text.count("\n", pos, self._at)
        self._at = pos
        return self._line

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    @property
    def line_count(self) -> int:
        """Lines as git counts them (a final newline ends the last line, it starts none)."""
        return self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)


# -- markers ----------------------------------------------------------------------------

def attach_markers(f: TexFile) -> None:
    """Give each marker to the unit it annotates: the unit starting on its line, the next
    unit when only blank or comment lines lie between, or the unit whose first lines
    (comments, \\label) hold it. A marker that annotates nothing is an error, except in
    the comment block that opens a file (the header of a macros file, say)."""
    lines = f.lines()
    by_start: dict[int, list[PendingUnit]] = {}
    for b in f.built:
        by_start.setdefault(b.start, []).append(b)
    for mk in f.markers:
        target = by_start.get(mk.line, [None])[0]
        alone = lines[mk.line - 1].lstrip().startswith("%")  # not a trailing comment on other text
        n = mk.line + 1
        while target is None and alone and n <= len(lines):
            if n in by_start:
                target = by_start[n][0]
            elif lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("%"):
                break
            n += 1
        n = mk.line - 1
        while target is None and alone and n >= 1:
            if n in by_start:
                target = by_start[n][-1]
            elif not _HEADERISH.fullmatch(lines[n - 1]):
                break
            n -= 1
        if target is None and all(not x.strip() or x.lstrip().startswith("%") for x in lines[:mk.line]):
            continue  # a file header above no unit (a macros file): nothing in the record to annotate
        if target is None:
            raise SourceError(f"{f.rel}:{mk.line}: paperprov marker annotates no unit; put it on the line before a "
                              "\\section, theorem-like environment, proof, figure or table, or in its first lines")
        target.markers.append(mk)


# -- units ------------------------------------------------------------------------------

def freeze(builders: list[PendingUnit], trace: Trace) -> list[Unit]:
    """The finished units: unique ids (ids.py), parents as ids, and the extents each covers
    in the trace (`lines` is its range in its own file, from its first line)."""
    statements: dict[str, PendingUnit] = {}
    for b in builders:
        if b.kind == "statement" and b.label:
            statements.setdefault(b.label, b)
    parents = [(statements.get(b.named or "") or b.prev) if b.kind == "proof" else b.parent for b in builders]
    ids = {id(b): uid for b, uid in zip(builders, unit_ids(builders, parents), strict=True)}
    out = []
    for b, parent in zip(builders, parents, strict=True):
        spans = trace.cut(b.first, b.last or b.first)
        end = max((hi for f, _, hi in spans if f == b.file), default=b.start)
        own = ((b.file, b.start, end),)
        out.append(Unit(
            id=ids[id(b)], kind=b.kind, file=b.file, lines=(b.start, end),
            title=b.title, label=b.label, env=b.env, display=b.display,
            parent=ids[id(parent)] if parent is not None else None,
            uses=tuple(dict.fromkeys(b.uses)) if b.uses else (),
            includes=tuple(dict.fromkeys(b.includes)) if b.includes else (),
            markers=tuple(b.markers), formal=tuple(b.formal), leanok=b.leanok,
            extents=spans if spans != own else (),
        ))
    return out
