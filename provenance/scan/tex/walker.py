"""LaTeX sources -> units (sections, theorem-like statements, proofs, figures, tables),
theorem environments, and the files LaTeX reads.

One walker follows the paper from its main file through \\input, \\include, \\subfile and
\\import in document order, as LaTeX does, and `scan`, `dependencies` and
`theorem_envs` all come from it, so the units the record lists and the files the build
tracks always agree.

This module holds the walker: how files are reached (\\input-like commands, packages and
classes, graphics, bibliographies) and which theorem environments they define. The
character-level lexer it runs on each file is in texlex.py (with why it is hand-written);
what the walker makes of sections, environments and labels, and how units get their
ids, is in texunits.py.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import SourceError
from provenance.model import Unit
from provenance.scan.markers import parse_marker
from provenance.scan.tex.lexer import (
    arg,
    group,
    opt,
    plain,
    skip_def,
    skip_iffalse,
    skip_newcommand,
    skip_verb,
    strip_comments,
    token_pattern,
)
from provenance.scan.tex.units import (
    LEVELS,
    REFS,
    Build,
    Structure,
    TexFile,
    attach_markers,
    freeze,
)

GRAPHIC_EXTS = (".pdf", ".png", ".jpg", ".mps", ".jpeg", ".jbig2", ".jb2", ".PDF", ".PNG", ".JPG", ".JPEG", ".eps")
# Classes that predefine theorem environments, for when the .cls is not in the repository.
_SPRINGER = ("case", "claim", "conjecture", "corollary", "definition", "example", "exercise", "lemma", "note",
             "problem", "property", "proposition", "question", "remark", "solution", "theorem")
CLASS_THEOREMS = {"llncs": _SPRINGER, "svjour3": _SPRINGER,
                  "acmart": ("theorem", "conjecture", "proposition", "lemma", "corollary", "example", "definition")}

# The control words the lexer stops at; each has a handler `_word` on the walker (here or in
# texunits.Structure), except the \ref family, which all go to `_ref`.
_WORDS = ("begin end part chapter section subsection label uses input InputIfFileExists include subfile import subimport "
          "inputfrom subinputfrom includefrom subincludefrom includegraphics graphicspath usepackage "
          "RequirePackage documentclass LoadClass newtheorem spnewtheorem declaretheorem newmdtheoremenv "
          "bibliography addbibresource bibliographystyle caption iffalse verb lstinline endinput newcommand "
          "renewcommand providecommand DeclareRobustCommand newenvironment renewenvironment def gdef edef xdef "
          + " ".join(sorted(REFS))).split()
_TOKEN = token_pattern(_WORDS)
_METHOD = frozenset(w for w in _WORDS if w not in REFS)
# In a .sty/.cls only theorem definitions, the files it loads, and what hides text from
# them (\iffalse, macro definitions, \verb) matter.
_PACKAGE_WORDS = frozenset({"newtheorem", "spnewtheorem", "declaretheorem", "newmdtheoremenv", "usepackage",
                            "RequirePackage", "LoadClass", "input", "InputIfFileExists", "iffalse", "endinput", "newcommand",
                            "renewcommand", "providecommand", "DeclareRobustCommand", "newenvironment",
                            "renewenvironment", "def", "gdef", "edef", "xdef", "verb"})
_BARE_NAME = re.compile(r"[ \t]*([^\s{}%\\]+)")
_DECL_NAME = re.compile(r"(?:^|,)\s*(?:name|title)\s*=\s*(\{[^{}]*\}|[^,]*)")


@dataclass(frozen=True)
class TexDeps:
    tex: tuple[str, ...]  # every .tex reached from main, main first (repo-relative)
    other: tuple[str, ...]  # .bib, local .sty/.cls/.bst, graphics (repo-relative)
    missing: tuple[str, ...] = ()  # "file:line: name" of \input-like targets that do not exist


def dependencies(root: Path, main: str, *, generated: Collection[str] = ()) -> TexDeps:
    """The files LaTeX reads for the paper rooted at `main`, in the order it reaches them.
    Only files that exist count, or that are in `generated` (outputs another task writes)."""
    return scan_paper(root, main, generated=generated)[1]


def scan_paper(root: Path, main: str, *, generated: Collection[str] = ()) -> tuple[list[Unit], TexDeps]:
    """`scan` and `dependencies` from one walk of the paper."""
    w = _Walker(root, main, generated)
    w.run()
    deps = TexDeps(tex=tuple(w.tex), other=tuple(dict.fromkeys(w.other)), missing=tuple(w.missing))
    return freeze(w.units), deps


def theorem_envs(root: Path, main: str) -> dict[str, str]:
    """Theorem-like environment -> printed name ("lem" -> "Lemma"), from the \\newtheorem,
    \\declaretheorem and \\spnewtheorem of the paper and the local .sty/.cls files it loads."""
    w = _Walker(root, main, ())
    w.run()
    return dict(w.envs)


def scan(root: Path, main: str, *, generated: Collection[str] = ()) -> list[Unit]:
    """Every unit of the paper in document order, with unique, deterministic ids: the
    label, or `file#name:n` (the n-th section, lem, proof, figure... of that file).
    A proof's parent is the statement its [Proof of \\cref{x}] names, else the nearest
    statement before it (None if there is none); any other unit's is its section.
    Files under build/ (generated tables, the disclosure) are followed but yield no units."""
    return scan_paper(root, main, generated=generated)[0]


# -- the walker ------------------------------------------------------------------------

def _read(root: Path, rel: str) -> str:
    data = (root / rel).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # old papers: every byte is a character, lines stay exact


def _norm(base: str, name: str) -> str | None:
    """Repo-relative normal form of base/name, or None if it leaves the repository."""
    if not name or name.startswith("/") or re.match(r"[A-Za-z]:[\\/]", name):
        return None
    rel = posixpath.normpath(posixpath.join(base, name))
    return None if rel == ".." or rel.startswith("../") else rel


class _Walker(Structure):
    def __init__(self, root: Path, main: str, generated: Collection[str]) -> None:
        self.root = Path(root)
        self.main = main
        self.cwd = posixpath.dirname(main)
        self.generated = frozenset(generated)
        self.tex: list[str] = []
        self.other: list[str] = []
        self.missing: list[str] = []
        self.envs: dict[str, str] = {}
        self.units: list[Build] = []
        self.sections: list[Build] = []
        self.envstack: list[tuple[str, Build | None]] = []
        self.pending: Build | None = None  # a section whose \label may still come
        self.last_statement: Build | None = None
        self.graphicspath: list[str] = [""]
        self.active: dict[str, tuple[TexFile, int]] = {}  # file -> (file, line of the \input followed)
        self.visited: set[str] = set()

    def exists(self, rel: str) -> bool:
        return rel in self.generated or os.path.isfile(self.root / rel)

    def run(self) -> None:
        self.walk(self.main, self.cwd, package=False)

    def walk(self, rel: str, base: str, package: bool) -> None:
        if rel in self.visited:
            return
        self.visited.add(rel)
        (self.other if package else self.tex).append(rel)
        if rel in self.generated and not os.path.isfile(self.root / rel):
            return
        try:
            text = _read(self.root, rel)
        except OSError as exc:
            if rel == self.main:
                raise SourceError(f"{rel}: cannot read ({exc.strerror}); check paper.main in provenance.yaml") from None
            self.missing.append(f"{rel}: cannot read ({exc.strerror})")
            return
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        f = TexFile(rel, text, base, package, units=not package and not rel.startswith("build/"), starts=starts)
        depth = len(self.envstack)
        stop = self.lex(f)
        for name, b in self.envstack[depth:]:  # an environment left open at the end of its file
            if b is not None and not b.end:
                b.end = f.last_content_before(stop)
        del self.envstack[depth:]
        for b in f.built:
            if b.kind in LEVELS and not b.end:
                b.end = f.last_content_before(stop)
        if f.markers:
            attach_markers(f)

    # The lexer loop: returns the line LaTeX stops reading the file at (past its end if none).
    def lex(self, f: TexFile) -> int:
        text, pos = f.text, 0
        while True:
            m = _TOKEN.match(text, pos)
            if m is None:  # only a lone backslash at the very end of the file stops the lexer
                return len(f.starts) + 1
            tok, pos = m.group(1), m.end()
            if not tok:
                return len(f.starts) + 1
            at = m.start(1)
            if tok == "%":
                eol = text.find("\n", pos)
                eol = len(text) if eol < 0 else eol
                if f.units and "paperprov" in text[at:eol]:
                    marker = parse_marker(text[at:eol], f.rel, f.line(at))
                    if marker is not None:
                        f.markers.append(marker)
                pos = eol
                continue
            word = m.group(2)
            if f.package and word not in _PACKAGE_WORDS:
                continue
            result = getattr(self, "_" + word if word in _METHOD else "_ref")(f, pos, m.group(3), at)
            if result < 0:
                return -result
            pos = result

    # -- files --
    def find(self, bases: list[str], name: str, exts: tuple[str, ...], guess_ext: str = "") -> tuple[str | None, str | None]:
        """(the existing file LaTeX reads for `name`, else the path it would most likely
        have read) trying each base directory and extension in LaTeX's order."""
        name = name.strip().strip('"')
        ext = posixpath.splitext(posixpath.basename(name))[1]
        cands = [name] if ext in exts else [name + e for e in exts] + [name]
        guess = None
        for base in dict.fromkeys(bases):
            for c in cands:
                rel = _norm(base, c)
                if rel is not None and self.exists(rel):
                    return rel, rel
            if guess is None:
                guess = _norm(base, name if ext or not guess_ext else name + guess_ext)
        return None, guess

    def follow(self, f: TexFile, start: int, name: str, bases: list[str], child_base: str, optional: bool = False) -> None:
        """Read the file an \\input-like command names, as LaTeX does at this point."""
        line = f.line(start)
        found, guess = self.find(bases, name, (".tex",), ".tex")
        fig = self.innermost(("figure", "table"))
        if fig is not None and guess:
            fig.includes.append(found or guess)
        if found is None:
            if not optional:
                self.missing.append(f"{f.rel}:{line}: {name.strip()}")
            return
        self.active[f.rel] = (f, line)
        try:
            self.walk(found, child_base, package=f.package)
        finally:
            self.active.pop(f.rel, None)

    def _input(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:  # the TeX primitive form: \input file
            m = _BARE_NAME.match(f.text, pos)
            if m is None:
                return pos
            name, end = m.group(1), m.end()
        else:
            name, end = g[0], g[2]
        self.follow(f, start, name, [f.base, self.cwd], f.base)
        return end

    def _InputIfFileExists(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is not None:
            self.follow(f, start, g[0], [f.base, self.cwd], f.base, optional=True)
        return g[2] if g else pos  # the two branches after it are read as ordinary text

    def _include(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._input(f, pos, star, start) if group(f.text, pos) else pos

    _subfile = _include

    def _import(self, f: TexFile, pos: int, star: str, start: int, sub: bool = False) -> int:
        d, p = arg(f.text, pos)
        name, end = arg(f.text, p)
        base = _norm(f.base if sub else self.cwd, d.strip()) or ""
        self.follow(f, start, name, [base], base)
        return end

    def _subimport(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._import(f, pos, star, start, sub=True)

    _inputfrom = _includefrom = _import
    _subinputfrom = _subincludefrom = _subimport

    def _includegraphics(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)
        o2 = opt(f.text, o[2]) if o else None
        g = group(f.text, (o2 or o or (None, None, pos))[2])
        if g is None:
            return pos
        bases = [f.base] + [_norm(self.cwd, p) or "" for p in self.graphicspath if p]
        found, guess = self.find(bases, g[0], GRAPHIC_EXTS)
        if found:
            self.other.append(found)
        fig = self.innermost(("figure", "table"))
        if fig is not None and guess:
            fig.includes.append(found or guess)
        return g[2]

    def _graphicspath(self, f: TexFile, pos: int, star: str, start: int) -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        self.graphicspath = [""] + re.findall(r"\{([^{}]*)\}", g[0])
        return g[2]

    def _usepackage(self, f: TexFile, pos: int, star: str, start: int, ext: str = ".sty") -> int:
        o = opt(f.text, pos)
        g = group(f.text, o[2] if o else pos)
        if g is None:
            return pos
        for name in (n.strip() for n in strip_comments(g[0]).split(",")):
            rel = _norm(self.cwd, name + ext) if name else None
            if rel and self.exists(rel):
                self.walk(rel, self.cwd, package=True)
            elif ext == ".cls" and name in CLASS_THEOREMS:
                for env in CLASS_THEOREMS[name]:
                    self.envs.setdefault(env, env.capitalize())
        return g[2]

    _RequirePackage = _usepackage

    def _documentclass(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._usepackage(f, pos, star, start, ".cls")

    _LoadClass = _documentclass

    def _bibliography(self, f: TexFile, pos: int, star: str, start: int, ext: str = ".bib") -> int:
        g = group(f.text, pos)
        if g is None:
            return pos
        for name in (n.strip() for n in g[0].split(",")):
            found, _ = self.find([self.cwd], name, (ext,) if ext else ())
            if found:
                self.other.append(found)
        return g[2]

    def _addbibresource(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)
        return self._bibliography(f, o[2] if o else pos, star, start, "")

    def _bibliographystyle(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return self._bibliography(f, pos, star, start, ".bst")

    # -- theorem definitions --
    def _newtheorem(self, f: TexFile, pos: int, star: str, start: int) -> int:
        name, p = arg(f.text, pos)
        o = opt(f.text, p)  # shared counter: \newtheorem{lem}[thm]{Lemma}
        printed, p = arg(f.text, o[2] if o else p)
        name = name.strip()
        if name and name != "proof":
            self.envs[name] = plain(printed) or name.capitalize()
        return p

    _spnewtheorem = _newtheorem

    def _newmdtheoremenv(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)
        return self._newtheorem(f, o[2] if o else pos, star, start)

    def _declaretheorem(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)
        names, p = arg(f.text, o[2] if o else pos)
        o2 = opt(f.text, p)  # newer thmtools also takes the options after the name
        options = ",".join(x[0] for x in (o, o2) if x)
        m = _DECL_NAME.search(options)
        printed = plain(m.group(1).strip().strip("{}")) if m else ""
        for name in (n.strip() for n in names.split(",")):
            if name:
                self.envs[name] = printed or name.capitalize()
        return o2[2] if o2 else p

    # -- things to skip (the lexer knows how far) --
    def _iffalse(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return skip_iffalse(f.text, pos)

    def _verb(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return skip_verb(f.text, pos)

    def _lstinline(self, f: TexFile, pos: int, star: str, start: int) -> int:
        o = opt(f.text, pos)  # \lstinline[language=Python]|code|
        return skip_verb(f.text, o[2] if o else pos)

    def _endinput(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return -(f.line(start) + 1)  # TeX finishes the current line, then stops

    def _newcommand(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return skip_newcommand(f.text, pos)

    _renewcommand = _providecommand = _DeclareRobustCommand = _newcommand

    def _newenvironment(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return skip_newcommand(f.text, pos, bodies=2)

    _renewenvironment = _newenvironment

    def _def(self, f: TexFile, pos: int, star: str, start: int) -> int:
        return skip_def(f.text, pos)

    _gdef = _edef = _xdef = _def
