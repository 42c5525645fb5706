"""LaTeX sources -> units (sections, theorem-like statements, proofs, figures, tables),
theorem environments, and the files LaTeX reads.

One walker follows the paper from its main file through \\input, \\include, \\subfile and
\\import in document order, as LaTeX does, and `scan`, `dependencies` and
`theorem_envs` all come from it, so the units the record lists and the files the build
tracks always agree.

The lexer is one regular expression that, in one call, skips text, uninteresting
control sequences and escapes (so `\\%` is text and `\\\\%` starts a comment) and stops
only at a comment or at one of the control words that matter here; argument readers
then take the {...} and [...] arguments those words have. pylatexenc's latexwalker,
the obvious tokenizer, was measured first: it parses about 0.1-0.2 MB/s, 50x slower
than this scanner (0.31 s against 6 ms for the 63 KB example paper; 14 s against 0.29 s
for a 1.6 MB, 150-file tree), which the warm-record and no-op-build budgets cannot
afford. benchmarks/scan_bench.py repeats the comparison.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .markers import parse_marker
from .model import Marker, Unit

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
GRAPHIC_EXTS = (".pdf", ".png", ".jpg", ".mps", ".jpeg", ".jbig2", ".jb2", ".PDF", ".PNG", ".JPG", ".JPEG", ".eps")
# Classes that predefine theorem environments, for when the .cls is not in the repository.
_SPRINGER = ("case", "claim", "conjecture", "corollary", "definition", "example", "exercise", "lemma", "note",
             "problem", "property", "proposition", "question", "remark", "solution", "theorem")
CLASS_THEOREMS = {"llncs": _SPRINGER, "svjour3": _SPRINGER,
                  "acmart": ("theorem", "conjecture", "proposition", "lemma", "corollary", "example", "definition")}
# Used only when no local file defines them: the paper may load its theorem definitions
# from a package outside the repository, and LaTeX would reject an undefined environment.
FALLBACK_THEOREMS = ("theorem", "lemma", "proposition", "corollary", "definition", "conjecture", "claim",
                     "assumption", "hypothesis", "fact", "observation")

_WORDS = ("begin end part chapter section subsection label uses input InputIfFileExists include subfile import subimport "
          "inputfrom subinputfrom includefrom subincludefrom includegraphics graphicspath usepackage "
          "RequirePackage documentclass LoadClass newtheorem spnewtheorem declaretheorem newmdtheoremenv "
          "bibliography addbibresource bibliographystyle caption iffalse verb lstinline endinput newcommand "
          "renewcommand providecommand DeclareRobustCommand newenvironment renewenvironment def gdef edef xdef "
          + " ".join(sorted(REFS))).split()
_ALT = "|".join(sorted(_WORDS, key=len, reverse=True))
# One match skips everything uninteresting (text, other control sequences, escapes such as
# \% and \\) and ends at the next comment, word of interest, or the end of the text.
_TOKEN = re.compile(r"(?:[^\\%]|\\(?!(?:" + _ALT + r")(?![A-Za-z@]))(?:[A-Za-z@]+|.))*"
                    r"(%|\\(" + _ALT + r")(?![A-Za-z@])(\*?)|\Z)", re.S)
_SIMPLE_GROUP = re.compile(r"[ \t]*\{([^{}\\%]*)\}")
_BRACES = re.compile(r"\\.|%[^\n]*|[{}]", re.S)
_BRACKETS = re.compile(r"\\.|%[^\n]*|[{}\]]", re.S)
_SKIP = re.compile(r"%[^\n]*|\\[^A-Za-z@]|\\(if[A-Za-z@]*|fi|else)(?![A-Za-z@])")
_FIRST_REF = re.compile(r"\\(?:" + "|".join(sorted(REFS, key=len, reverse=True)) + r")\*?\s*\{([^}]*)\}")
_ONE_TOKEN = re.compile(r"\\(?:[A-Za-z@]+|.)|.", re.S)
_HEADERISH = re.compile(r"\s*(?:\\label\s*\{[^}]*\}\s*)*(?:%.*)?")
_DECL_NAME = re.compile(r"(?:^|,)\s*(?:name|title)\s*=\s*(\{[^{}]*\}|[^,]*)")
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "c": "\u0327", "v": "\u030c", "H": "\u030b", "u": "\u0306", "r": "\u030a", "k": "\u0328"}


@dataclass(frozen=True)
class TexDeps:
    tex: tuple[str, ...]  # every .tex reached from main, main first (repo-relative)
    other: tuple[str, ...]  # .bib, local .sty/.cls/.bst, graphics (repo-relative)
    missing: tuple[str, ...] = ()  # "file:line: name" of \input-like targets that do not exist


def dependencies(root: Path, main: str, *, generated: Collection[str] = ()) -> TexDeps:
    """The files LaTeX reads for the paper rooted at `main`, in the order it reaches them.
    Only files that exist count, or that are in `generated` (outputs another task writes)."""
    w = _Walker(root, main, generated)
    w.run()
    return TexDeps(tex=tuple(w.tex), other=tuple(dict.fromkeys(w.other)), missing=tuple(w.missing))


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
    w = _Walker(root, main, generated)
    w.run()
    return _units(w.units)


# -- the walker ------------------------------------------------------------------------

@dataclass(eq=False)
class _Build:
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
    parent: _Build | None = None
    named: str | None = None  # a proof's [Proof of \cref{x}] target
    prev: _Build | None = None  # a proof's nearest preceding statement
    uses: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


@dataclass(eq=False)
class _File:
    rel: str
    text: str
    base: str  # directory \input resolves against (changed by \import)
    package: bool  # a .sty/.cls: read for theorem definitions and the packages it loads
    units: bool  # False for packages and generated files under build/
    starts: list[int] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    built: list[_Build] = field(default_factory=list)
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


class _Walker:
    def __init__(self, root: Path, main: str, generated: Collection[str]) -> None:
        self.root = Path(root)
        self.main = main
        self.cwd = posixpath.dirname(main)
        self.generated = frozenset(generated)
        self.tex: list[str] = []
        self.other: list[str] = []
        self.missing: list[str] = []
        self.envs: dict[str, str] = {}
        self.units: list[_Build] = []
        self.sections: list[_Build] = []
        self.envstack: list[tuple[str, _Build | None]] = []
        self.pending: _Build | None = None  # a section whose \label may still come
        self.last_statement: _Build | None = None
        self.graphicspath: list[str] = [""]
        self.active: dict[str, tuple[_File, int]] = {}  # file -> (file, line of the \input followed)
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
        f = _File(rel, text, base, package, units=not package and not rel.startswith("build/"), starts=starts)
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
            _attach(f)

    # The lexer: returns the line LaTeX stops reading the file at (past its end if none).
    def lex(self, f: _File) -> int:
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

    # -- argument readers (positions into f.text) --
    @staticmethod
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

    def group(self, text: str, pos: int) -> tuple[str, int, int] | None:
        """A {...} argument at pos (after spaces): (content, content start, position after)."""
        simple = _SIMPLE_GROUP.match(text, pos)  # the common case: \begin{lem}, \label{x}
        if simple is not None:
            return simple.group(1), simple.start(1), simple.end()
        pos = self.space(text, pos)
        if pos >= len(text) or text[pos] != "{":
            return None
        depth = 0
        for m in _BRACES.finditer(text, pos):
            t = m.group(0)
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    return text[pos + 1:m.start()], pos + 1, m.end()
        return text[pos + 1:], pos + 1, len(text)

    def opt(self, text: str, pos: int) -> tuple[str, int, int] | None:
        """An optional [...] argument at pos, ending at the first ] outside braces."""
        pos = self.space(text, pos)
        if pos >= len(text) or text[pos] != "[":
            return None
        depth = 0
        for m in _BRACKETS.finditer(text, pos + 1):
            t = m.group(0)
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
            elif t == "]" and depth <= 0:
                return text[pos + 1:m.start()], pos + 1, m.end()
        return None

    def arg(self, text: str, pos: int) -> tuple[str, int]:
        """A mandatory argument: a group, a control sequence, or one character."""
        g = self.group(text, pos)
        if g is not None:
            return g[0], g[2]
        pos = self.space(text, pos)
        m = _ONE_TOKEN.match(text, pos)
        return (m.group(0), m.end()) if m else ("", pos)

    # -- structure --
    def section_parent(self) -> _Build | None:
        return self.sections[-1] if self.sections else None

    def innermost(self, kinds: Collection[str]) -> _Build | None:
        for _, b in reversed(self.envstack):
            if b is not None and b.kind in kinds:
                return b
        return None

    def close_section(self, s: _Build, f: _File, line: int) -> None:
        if s.end:
            return
        if s.file == f.rel:
            s.end = f.last_content_before(line)
        elif s.file in self.active:
            host, at = self.active[s.file]
            s.end = host.last_content_before(at)

    def _begin(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is None:
            return pos
        name, after = g[0].strip(), g[2]
        if name in VERBATIM:
            m = re.compile(r"\\end\s*\{" + re.escape(name) + r"\}").search(f.text, after)
            return m.end() if m else len(f.text)
        self.pending = None
        line = f.line(start)
        b: _Build | None = None
        env, o = name, None
        if name in ("restatable", "restatable*"):  # thmtools: \begin{restatable}[Title]{theorem}{\macro}
            o = self.opt(f.text, after)
            g = self.group(f.text, o[2] if o else after)
            env = g[0].strip() if g else ""
            if g is not None:
                after = g[2]
        elif name in self.envs or name in FALLBACK_THEOREMS:
            o = self.opt(f.text, after)
        if f.units and env and (env in self.envs or env in FALLBACK_THEOREMS):
            b = _Build("statement", env, f.rel, line, env=env, display=self.envs.get(env, env.capitalize()),
                       parent=self.section_parent(), title=plain(o[0]) if o else "")
            self.last_statement = b
        elif f.units and name == "proof":
            b = _Build("proof", "proof", f.rel, line, prev=self.last_statement, parent=self.section_parent())
            o = self.opt(f.text, after)
            if o is not None:
                ref = _FIRST_REF.search(o[0])
                b.named = ref.group(1).split(",")[0].strip() if ref else None
                after = o[2]  # the statement it proves is not something the proof uses
        elif f.units and name in FLOATS:
            b = _Build(FLOATS[name], FLOATS[name], f.rel, line, parent=self.section_parent())
        if b is not None:
            self.units.append(b)
            f.built.append(b)
        self.envstack.append((name, b))
        return after

    def _end(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
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

    def _part(self, f: _File, pos: int, star: str, start: int, word: str = "part") -> int:
        text, line = f.text, f.line(start)
        o = self.opt(text, pos)
        g = self.group(text, o[2] if o else pos)
        level = LEVELS[word]
        while self.sections and self.sections[-1].level >= level:
            self.close_section(self.sections.pop(), f, line)
        if not f.units:
            return pos
        b = _Build(word, word, f.rel, line, title=plain(g[0]) if g else "", level=level, parent=self.section_parent())
        self.sections.append(b)
        self.units.append(b)
        f.built.append(b)
        self.pending = b
        return pos  # read on inside the title: a \label there names this section

    def _chapter(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "chapter")

    def _section(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "section")

    def _subsection(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._part(f, pos, star, start, "subsection")

    def _label(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
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

    def _uses(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is None:
            return pos
        target = self.innermost(("statement", "proof", "figure", "table")) or self.section_parent()
        if target is not None and f.units:
            target.uses.extend(x.strip() for x in g[0].split(",") if x.strip())
        return g[2]

    def _ref(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is None:
            return pos
        proof = self.innermost(("proof",))
        if proof is not None:
            proof.uses.extend(x.strip() for x in g[0].split(",") if x.strip())
        return g[2]

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

    def follow(self, f: _File, start: int, name: str, bases: list[str], child_base: str, optional: bool = False) -> None:
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

    def _input(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is None:  # the TeX primitive form: \input file
            m = re.compile(r"[ \t]*([^\s{}%\\]+)").match(f.text, pos)
            if m is None:
                return pos
            name, end = m.group(1), m.end()
        else:
            name, end = g[0], g[2]
        self.follow(f, start, name, [f.base, self.cwd], f.base)
        return end

    def _InputIfFileExists(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is not None:
            self.follow(f, start, g[0], [f.base, self.cwd], f.base, optional=True)
        return g[2] if g else pos  # the two branches after it are read as ordinary text

    def _include(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._input(f, pos, star, start) if self.group(f.text, pos) else pos

    _subfile = _include

    def _import(self, f: _File, pos: int, star: str, start: int, sub: bool = False) -> int:
        d, p = self.arg(f.text, pos)
        name, end = self.arg(f.text, p)
        base = _norm(f.base if sub else self.cwd, d.strip()) or ""
        self.follow(f, start, name, [base], base)
        return end

    def _subimport(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._import(f, pos, star, start, sub=True)

    _inputfrom = _includefrom = _import
    _subinputfrom = _subincludefrom = _subimport

    def _includegraphics(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)
        o2 = self.opt(f.text, o[2]) if o else None
        g = self.group(f.text, (o2 or o or (None, None, pos))[2])
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

    def _graphicspath(self, f: _File, pos: int, star: str, start: int) -> int:
        g = self.group(f.text, pos)
        if g is None:
            return pos
        self.graphicspath = [""] + re.findall(r"\{([^{}]*)\}", g[0])
        return g[2]

    def _usepackage(self, f: _File, pos: int, star: str, start: int, ext: str = ".sty") -> int:
        o = self.opt(f.text, pos)
        g = self.group(f.text, o[2] if o else pos)
        if g is None:
            return pos
        for name in (n.strip() for n in _strip_comments(g[0]).split(",")):
            rel = _norm(self.cwd, name + ext) if name else None
            if rel and self.exists(rel):
                self.walk(rel, self.cwd, package=True)
            elif ext == ".cls" and name in CLASS_THEOREMS:
                for env in CLASS_THEOREMS[name]:
                    self.envs.setdefault(env, env.capitalize())
        return g[2]

    _RequirePackage = _usepackage

    def _documentclass(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._usepackage(f, pos, star, start, ".cls")

    _LoadClass = _documentclass

    def _bibliography(self, f: _File, pos: int, star: str, start: int, ext: str = ".bib") -> int:
        g = self.group(f.text, pos)
        if g is None:
            return pos
        for name in (n.strip() for n in g[0].split(",")):
            found, _ = self.find([self.cwd], name, (ext,) if ext else ())
            if found:
                self.other.append(found)
        return g[2]

    def _addbibresource(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)
        return self._bibliography(f, o[2] if o else pos, star, start, "")

    def _bibliographystyle(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._bibliography(f, pos, star, start, ".bst")

    # -- theorem definitions --
    def _newtheorem(self, f: _File, pos: int, star: str, start: int) -> int:
        name, p = self.arg(f.text, pos)
        o = self.opt(f.text, p)  # shared counter: \newtheorem{lem}[thm]{Lemma}
        printed, p = self.arg(f.text, o[2] if o else p)
        name = name.strip()
        if name and name != "proof":
            self.envs[name] = plain(printed) or name.capitalize()
        return p

    _spnewtheorem = _newtheorem

    def _newmdtheoremenv(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)
        return self._newtheorem(f, o[2] if o else pos, star, start)

    def _declaretheorem(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)
        names, p = self.arg(f.text, o[2] if o else pos)
        o2 = self.opt(f.text, p)  # newer thmtools also takes the options after the name
        options = ",".join(x[0] for x in (o, o2) if x)
        m = _DECL_NAME.search(options)
        printed = plain(m.group(1).strip().strip("{}")) if m else ""
        for name in (n.strip() for n in names.split(",")):
            if name:
                self.envs[name] = printed or name.capitalize()
        return o2[2] if o2 else p

    # -- things to skip --
    def _caption(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)
        g = self.group(f.text, o[2] if o else pos)
        for name, b in reversed(self.envstack):
            if name in ("subfigure", "subtable"):
                break  # a sub-caption does not title the float
            if b is not None and b.kind in ("figure", "table"):
                if g is not None and not b.title:
                    b.title = plain(g[0])
                break
        return pos  # read on inside: the \label usually sits in the caption

    def _iffalse(self, f: _File, pos: int, star: str, start: int) -> int:
        depth = 1
        for m in _SKIP.finditer(f.text, pos):
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
        return len(f.text)

    def _verb(self, f: _File, pos: int, star: str, start: int) -> int:
        if pos >= len(f.text):
            return pos
        close = "}" if f.text[pos] == "{" else f.text[pos]
        end = f.text.find(close, pos + 1)
        nl = f.text.find("\n", pos + 1)
        return pos + 1 if end < 0 or (0 <= nl < end) else end + 1

    def _lstinline(self, f: _File, pos: int, star: str, start: int) -> int:
        o = self.opt(f.text, pos)  # \lstinline[language=Python]|code|
        return self._verb(f, o[2] if o else pos, star, start)

    def _endinput(self, f: _File, pos: int, star: str, start: int) -> int:
        return -(f.line(start) + 1)  # TeX finishes the current line, then stops

    def _newcommand(self, f: _File, pos: int, star: str, start: int, bodies: int = 1) -> int:
        _, p = self.arg(f.text, pos)
        for _ in range(2):
            o = self.opt(f.text, p)
            p = o[2] if o else p
        for _ in range(bodies):  # a definition's body is not the paper's structure
            _, p = self.arg(f.text, p)
        return p

    _renewcommand = _providecommand = _DeclareRobustCommand = _newcommand

    def _newenvironment(self, f: _File, pos: int, star: str, start: int) -> int:
        return self._newcommand(f, pos, star, start, bodies=2)

    _renewenvironment = _newenvironment

    def _def(self, f: _File, pos: int, star: str, start: int) -> int:
        m = re.compile(r"\s*(?:\\(?:[A-Za-z@]+|.)|.)[^{]*").match(f.text, pos)
        g = self.group(f.text, m.end()) if m else None
        return g[2] if g else pos

    _gdef = _edef = _xdef = _def


_METHOD = frozenset(w for w in _WORDS if w not in REFS)
_PACKAGE_WORDS = frozenset({"newtheorem", "spnewtheorem", "declaretheorem", "newmdtheoremenv", "usepackage",
                            "RequirePackage", "LoadClass", "input", "InputIfFileExists", "iffalse", "endinput", "newcommand",
                            "renewcommand", "providecommand", "DeclareRobustCommand", "newenvironment",
                            "renewenvironment", "def", "gdef", "edef", "xdef", "verb"})


# -- markers ----------------------------------------------------------------------------

def _attach(f: _File) -> None:
    """Give each marker to the unit it annotates: the unit starting on its line, the next
    unit when only blank or comment lines lie between, or the unit whose first lines
    (comments, \\label) hold it. A marker that annotates nothing is an error, except in
    the comment block that opens a file (the header of a macros file, say)."""
    lines = f.lines()
    by_start: dict[int, list[_Build]] = {}
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


# -- plain text for titles ------------------------------------------------------------

def plain(s: str) -> str:
    """A title or caption as plain text: markup dropped, math kept as written."""
    if "\\" not in s and "{" not in s and "~" not in s and "%" not in s:
        return " ".join(s.split())
    parts = _MATH.split(_DROP.sub("", _strip_comments(s)))  # odd items are math
    return unicodedata.normalize("NFC", " ".join(
        "".join(p if i % 2 else _plain_text(p) for i, p in enumerate(parts)).split()))


_DROP = re.compile(r"\\(?:label|footnote|thanks|cite[a-z]*|index)\*?\s*(?:\[[^\]]*\]\s*)*\{[^{}]*\}")
_MATH = re.compile(r"((?<!\\)\$\$?.*?(?<!\\)\$\$?|\\\(.*?\\\))", re.S)
_ACCENT = re.compile(r"\\([\"'`^~=.]|[cvHurk](?![A-Za-z]))\s*\{?([A-Za-z])\}?")
_ESCAPED = re.compile(r"\\([%&#_${}])")
_SPACE = re.compile(r"\\\\|~|\\[ ,;:!]")
_MACRO = re.compile(r"\\[A-Za-z@]+\*?")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")


def _strip_comments(s: str) -> str:
    return _COMMENT.sub("", s) if "%" in s else s


def _plain_text(s: str) -> str:
    s = _ACCENT.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], s)
    s = _SPACE.sub(" ", _ESCAPED.sub(r"\1", s))
    return _MACRO.sub("", s).replace("{", "").replace("}", "")


# -- units ------------------------------------------------------------------------------

def _units(builders: list[_Build]) -> list[Unit]:
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
    statements: dict[str, _Build] = {}
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
