"""LaTeX sources -> units (sections, theorem-like statements, proofs, figures, tables) and
the files LaTeX reads.

One walk follows the paper from its main file through \\input, \\include, \\subfile and
\\import in document order, as LaTeX does; `scan_paper` returns both the units and the
dependencies from it, so the units the record lists and the files the build tracks
always agree. The walk stops, through the lexer's one regular expression, only at
comments and at the control words some handler registered (state.py); the handlers are
in structure.py, inputs.py, definitions.py and blueprint.py. The lexer (lexer.py) says why it is
hand-written.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from provenance.errors import SourceError
from provenance.scan.markers import parse_marker
from provenance.scan.tex import blueprint, definitions, inputs, structure  # noqa: F401  (they register the handlers)
from provenance.scan.tex.lexer import decode, reach_from, reached, token_pattern
from provenance.scan.tex.remembered import remembered
from provenance.scan.tex.state import HANDLERS, PACKAGE_WORDS, Reaches, Stop, TexDeps, Token, Walk
from provenance.scan.tex.units import TexFile, attach_markers, freeze
from provenance.scanned import Unit

_TOKEN = token_pattern(HANDLERS)


def scan_paper(root: Path, main: str, *, generated: Collection[str] = (),
               store: Path | None = None) -> tuple[list[Unit], TexDeps]:
    """Every unit of the paper and the files LaTeX reads for it (see _walk), remembered
    while those files are unchanged, in the process and, given `store`, across processes
    (remembered.py)."""
    kept = None
    if store is not None:  # here: its imports (pickle, json, hashlib, the edits) are the lint hook's largest
        from provenance.scan.tex.stored import Store

        kept = Store(store)
    return remembered(Path(root), main, generated, kept, lambda: _walk(root, main, generated=generated))


def _walk(root: Path, main: str, *, generated: Collection[str] = ()) -> tuple[list[Unit], TexDeps, list[str], Reaches]:
    """Every unit of the paper in document order, and the files LaTeX reads for it.

    Units have unique, deterministic ids: the label, or one made from the unit's file,
    kind and title (ids.py). A unit covers every line LaTeX reads from its first line
    to its end, across \\input (trace.py). A proof's parent is the statement its
    [Proof of \\cref{x}] names, else the nearest statement before it (None if there is
    none); any other unit's is its section. Files under build/ (generated tables, the
    disclosure) are followed but yield no units. Only files that exist count as
    dependencies, or that are in `generated` (outputs another task writes)."""
    w = Walker(root=Path(root), main=main, generated=frozenset(generated), cwd=main.rpartition("/")[0])
    w.walk(main, w.cwd, package=False)
    for s in w.sections:  # a document without \end{document}: open sections end with it
        w.end_at(s, w.trace.last_text())
    deps = TexDeps(tex=tuple(w.tex), other=tuple(dict.fromkeys(w.other)), missing=tuple(w.missing),
                   theorems=tuple(sorted(w.envs.items())), labels=tuple(w.labels))
    return freeze(w.units, w.trace), deps, sorted(w.visited | w.probed | set(w.other)), w.reaches


def scan(root: Path, main: str, *, generated: Collection[str] = ()) -> list[Unit]:
    return scan_paper(root, main, generated=generated)[0]


def dependencies(root: Path, main: str, *, generated: Collection[str] = (), store: Path | None = None) -> TexDeps:
    return scan_paper(root, main, generated=generated, store=store)[1]


def _read(root: Path, rel: str) -> str:
    return decode((root / rel).read_bytes())


class Walker(Walk):
    def walk(self, rel: str, base: str, package: bool) -> None:
        if rel in self.visited:
            return
        self.visited.add(rel)
        (self.other if package else self.tex).append(rel)
        if rel in self.generated and not (self.root / rel).is_file():
            return
        try:
            text = _read(self.root, rel)
        except OSError as exc:
            if rel == self.main:
                raise SourceError(f"{rel}: cannot read ({exc.strerror}); check paper.main in provenance.yaml") from None
            self.missing.append(f"{rel}: cannot read ({exc.strerror})")
            return
        f = TexFile(rel, text, base, package, units=not package and not rel.startswith("build/"))
        if f.units:
            self.trace.open(rel, 1, f.lines())
        depth = len(self.envstack)
        outer = reached()  # the handler that reads this file looks no further for it
        stop = self.lex(f)
        reach_from(outer)
        self.reaches[rel] = tuple((f.line(a), f.line(min(b, len(text)))) for a, b in f.reaches)
        for _, unit in self.envstack[depth:]:  # an environment left open at the end of its file
            if unit is not None:
                self.end_at(unit, self.position_before(f, stop))
        del self.envstack[depth:]
        if f.units:  # sections go on in the file that \input this one, as in LaTeX
            self.trace.close(min(stop - 1, f.line_count))
        if f.markers:
            attach_markers(f)

    def lex(self, f: TexFile) -> int:
        """Read one file; the line LaTeX stops reading it at (past its end if none)."""
        text, pos = f.text, 0
        match, handlers, package = _TOKEN.match, HANDLERS, f.package  # the walk's innermost loop
        while True:
            m = match(text, pos)
            if m is None or not m.group(1):  # the end (or a lone backslash at the very end)
                return text.count("\n") + 2
            at, pos = m.start(1), m.end()
            word = m.group(2)
            if word is None:  # a comment
                pos = self.comment(f, at, pos)
                continue
            if package and word not in PACKAGE_WORDS:
                continue
            reach_from(pos)
            result = handlers[word](self, f, Token(word, m.group(3), at, pos))
            if isinstance(result, Stop):
                return result.line
            end = max(result, reached())
            if text.find("\n", at, end) >= 0:  # what it read spans lines (edits.py)
                f.reaches.append((at, end))
            pos = result

    def comment(self, f: TexFile, at: int, pos: int) -> int:
        """A comment from `at`: a paperprov marker is kept; reading goes on past its line."""
        eol = f.text.find("\n", pos)
        eol = len(f.text) if eol < 0 else eol
        if f.units and "paperprov" in f.text[at:eol]:
            marker = parse_marker(f.text[at:eol], f.rel, f.line(at))
            if marker is not None:
                f.markers.append(marker)
        return eol
