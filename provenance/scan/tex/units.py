"""What latex.py's walker makes of the paper's structure: units under construction, the
handlers of the control words that open, close, name and link them (\\begin/\\end,
\\part...\\subsection, \\label, \\uses, \\ref, \\caption), the attachment of paperprov
markers to units, and the freezing of it all into model.Unit values with unique ids.

The handlers are a mixin of the walker (latex._Walker) rather than a separate object:
they share its one state (the open environments, the sections, the file being followed)
with the handlers that follow \\input, so both read and update it directly. This module
holds what a unit is; latex.py holds how the files are reached.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from provenance.errors import SourceError
from provenance.model import Marker, Unit
from provenance.scan.tex.lexer import group, opt, plain, skip_verbatim

LEVELS = {"part": 0, "chapter": 1, "section": 2, "subsection": 3}
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

_FIRST_REF = re.compile(r"\\(?:" + "|".join(sorted(REFS, key=len, reverse=True)) + r")\*?\s*\{([^}]*)\}")
_HEADERISH = re.compile(r"\s*(?:\\label\s*\{[^}]*\}\s*)*(?:%.*)?")


@dataclass(eq=False)
class Build:
    """A unit under construction; frozen into a Unit once the whole paper is read."""

    kind: str
    name: str  # the stem of a path-based id: section, lem, proof, figure
    file: str
    start: int
    end: int = 0
    title: str = ""
    label: str | None = None
    env: str = ""
    display: str = ""
    level: int = 9
    parent: Build | None = None
    named: str | None = None  # a proof's [Proof of \cref{x}] target
    prev: Build | None = None  # a proof's nearest preceding statement
    uses: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


@dataclass(eq=False)
class TexFile:
    """One file as the walker reads it, with what it found there."""

    rel: str
    text: str
    base: str  # directory \input resolves against (changed by \import)
    package: bool  # a .sty/.cls: read for theorem definitions and the packages it loads
    units: bool  # False for packages and generated files under build/
    starts: list[int] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    built: list[Build] = field(default_factory=list)
    _lines: list[str] | None = None

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def last_content_before(self, line: int) -> int:
        """The last non-blank line before `line` (1-based)."""
        lines = self.lines()
        n = min(line - 1, len(lines))
        while n > 1 and not lines[n - 1].strip():
            n -= 1
        return max(n, 1)


class Structure:
    """The walker's handlers for the words that make units. Each takes the file, the
    position after the word, its star and the word's own position, and returns where
    to read on (or minus the line LaTeX stops reading the file at)."""

    # The walker's state these handlers share with it (set in latex._Walker.__init__).
    main: str
    envs: dict[str, str]
    units: list[Build]
    sections: list[Build]
    envstack: list[tuple[str, Build | None]]
    pending: Build | None  # a section whose \label may still come
    last_statement: Build | None
    active: dict[str, tuple[TexFile, int]]

    def section_parent(self) -> Build | None:
        return self.sections[-1] if self.sections else None

    def innermost(self, kinds: Collection[str]) -> Build | None:
        for _, b in reversed(self.envstack):
            if b is not None and b.kind in kinds:
                return b
        return None

    def close_section(self, s: Build, f: TexFile, line: int) -> None:
        if s.end:
            return
        if s.file == f.rel:
            s.end = f.last_content_before(line)
        elif s.file in self.active:
            host, at = self.active[s.file]
            s.end = host.last_content_before(at)

    def _begin(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        name, after = g[0].strip(), g[2]
        if name in VERBATIM:
            return skip_verbatim(f.text, after, name)
        self.pending = None
        line = f.line(start)
        b: Build | None = None
        env, o = name, None
        if name in ("restatable", "restatable*"):  # thmtools: \begin{restatable}[Title]{theorem}{\macro}
            o = opt(f.text, after)
            g = group(f.text, o[2] if o else after)
            env = g[0].strip() if g else ""
            if g is not None:
                after = g[2]
        elif name in self.envs or name in FALLBACK_THEOREMS:
            o = opt(f.text, after)
        if f.units and env and (env in self.envs or env in FALLBACK_THEOREMS):
            b = Build("statement", env, f.rel, line, env=env, display=self.envs.get(env, env.capitalize()),
                      parent=self.section_parent(), title=plain(o[0]) if o else "")
            self.last_statement = b
        elif f.units and name == "proof":
            b = Build("proof", "proof", f.rel, line, prev=self.last_statement, parent=self.section_parent())
            o = opt(f.text, after)
            if o is not None:
                ref = _FIRST_REF.search(o[0])
                b.named = ref.group(1).split(",")[0].strip() if ref else None
                after = o[2]  # the statement it proves is not something the proof uses
        elif f.units and name in FLOATS:
            b = Build(FLOATS[name], FLOATS[name], f.rel, line, parent=self.section_parent())
        if b is not None:
            self.units.append(b)
            f.built.append(b)
        self.envstack.append((name, b))
        return after

    def _end(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        name, line = g[0].strip(), f.line(start)
        if name == "document":
            if f.rel == self.main:
                for s in self.sections:
                    self.close_section(s, f, line)
            return -line  # LaTeX reads nothing after \end{document} (nor does \subfile)
        for i in range(len(self.envstack) - 1, -1, -1):
            if self.envstack[i][0] == name:
                for _, b in self.envstack[i:]:
                    if b is not None and not b.end:
                        b.end = line
                del self.envstack[i:]
                break
        return g[2]

    def _part(self, f: TexFile, pos: int, star: str, start: int, word: str = "part") -> int:
        text, line = f.text, f.line(start)
        o = opt(text, pos)
        g = group(text, o[2] if o else pos)
        level = LEVELS[word]
        while self.sections and self.sections[-1].level >= level:
            self.close_section(self.sections.pop(), f, line)
        if not f.units:
            # A generated section (the disclosure) ends the window for a \label of the
            # section before it: its own \label must not name that section.
            self.pending = None
            return pos
        b = Build(word, word, f.rel, line, title=plain(g[0]) if g else "", level=level, parent=self.section_parent())
        self.sections.append(b)
        self.units.append(b)
        f.built.append(b)
        self.pending = b
        return pos  # read on inside the title: a \label there names this section

    def _chapter(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "chapter")

    def _section(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "section")

    def _subsection(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "subsection")

    def _label(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        label = g[0].strip()
        for name, b in reversed(self.envstack):
            if b is not None and b.kind != "proof":
                if b.label is None:
                    b.label = label
                return g[2]
            if name in CAPTURING or name.rstrip("*") in CAPTURING:
                return g[2]
        if self.pending is not None and self.pending.label is None:
            self.pending.label = label
        self.pending = None
        return g[2]

    def _uses(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        target = self.innermost(("statement", "proof", "figure", "table")) or self.section_parent()
        if target is not None and f.units:
            target.uses.extend(x.strip() for x in g[0].split(",") if x.strip())
        return g[2]

    def _ref(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        proof = self.innermost(("proof",))
        if proof is not None:
            proof.uses.extend(x.strip() for x in g[0].split(",") if x.strip())
        return g[2]

    def _caption(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)
        g = group(f.text, o[2] if o else pos)
        for name, b in reversed(self.envstack):
            if name in ("subfigure", "subtable"):
                break  # a sub-caption does not title the float
            if b is not None and b.kind in ("figure", "table"):
                if g is not None and not b.title:
                    b.title = plain(g[0])
                break
        return pos  # read on inside: the \label usually sits in the caption


# -- markers ----------------------------------------------------------------------------

def attach_markers(f: TexFile) -> None:
    """Give each marker to the unit it annotates: the unit starting on its line, the next
    unit when only blank or comment lines lie between, or the unit whose first lines
    (comments, \\label) hold it. A marker that annotates nothing is an error, except in
    the comment block that opens a file (the header of a macros file, say)."""
    lines = f.lines()
    by_start: dict[int, list[Build]] = {}
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

def freeze(builders: list[Build]) -> list[Unit]:
    """The finished units, with unique ids (label, else `file#name:n`) and parents as ids."""
    ids: dict[int, str] = {}
    taken: set[str] = set()
    counts: dict[tuple[str, str], int] = {}
    for b in builders:
        key = (b.file, b.name)
        counts[key] = counts.get(key, 0) + 1
        base = b.label if b.label and b.label not in taken else f"{b.file}#{b.name}:{counts[key]}"
        uid, n = base, 1
        while uid in taken:  # a later duplicate label, or a label shaped like a path id
            n += 1
            uid = f"{base}~{n}"
        taken.add(uid)
        ids[id(b)] = uid
    statements: dict[str, Build] = {}
    for b in builders:
        if b.kind == "statement" and b.label:
            statements.setdefault(b.label, b)
    out = []
    for b in builders:
        parent = b.parent
        if b.kind == "proof":
            parent = statements.get(b.named or "") or b.prev
        out.append(Unit(
            id=ids[id(b)], kind=b.kind, file=b.file, lines=(b.start, max(b.start, b.end or b.start)),
            title=b.title, label=b.label, env=b.env, display=b.display,
            parent=ids[id(parent)] if parent is not None else None,
            uses=tuple(dict.fromkeys(b.uses)), includes=tuple(dict.fromkeys(b.includes)),
            markers=tuple(b.markers),
        ))
    return out
