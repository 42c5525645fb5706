"""`paperprov hook lint`: the source checks worth failing a commit for.

- every `paperprov:` marker is well-formed (markers.parse_marker decides);
- every theorem-like environment that other statements can use carries a \\label (the
  record's ids are labels): which ones is `lint.require_label` in provenance.yaml,
  matched against an environment's name and its printed name; by default
  config.LABELLED_ENVS (theorems, lemmas, definitions..., not remarks or examples);
- no label is defined twice in the paper: reported in every committed file that
  defines it, whichever of the files is staged;
- every \\uses{...} names a label that exists.

Labels, environments and theorem names come from the real LaTeX walk of the document
each committed file belongs to (every .tex reached from its main file), with a
line-based scan as the fallback when the walk fails. Findings are for the committed
files only, as `file:line: message`; by default only those the staged change
introduces (introduced.py compares with HEAD), `--all` for every one.
"""

from __future__ import annotations

import io
import re
import time
import tokenize
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from provenance.errors import ProvenanceError, SourceError

if TYPE_CHECKING:
    from provenance.scan.tex.state import TexDeps

# Theorem-like environments every amsthm paper may use without declaring them here;
# the paper's own \newtheorem / \declaretheorem declarations are added to these.
DEFAULT_ENVS = frozenset({
    "theorem", "lemma", "proposition", "corollary", "conjecture", "claim",
    "definition", "assumption", "hypothesis", "fact", "observation",
})
_COMMENT = re.compile(r"(?<!\\)%.*")
_NEWTHEOREM = re.compile(r"\\(?:newtheorem|declaretheorem|spnewtheorem)\*?\s*(?:\[[^\]]*\]\s*)?\{([^}]+)\}"
                         r"(?:\s*\[[^\]]*\])?(?:\s*\{([^}]*)\})?")
_BEGIN_END = re.compile(r"\\(begin|end)\s*\{([^}]+)\}")
_LABEL = re.compile(r"\\label\s*\{([^}]*)\}")
_USES = re.compile(r"\\uses\s*\{([^}]*)\}")


# NamedTuples, not frozen dataclasses: this module is imported on every commit, and each
# dataclass costs ~0.5 ms to create.
class Finding(NamedTuple):
    file: str
    line: int
    message: str
    key: tuple[str, ...] = ()  # the problem without its place (introduced.py compares these)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class TexFacts(NamedTuple):
    envs: tuple[tuple[str, int, int, bool], ...]  # (env, begin line, end line, labelled)
    labels: tuple[tuple[str, int], ...]
    uses: tuple[tuple[str, int], ...]
    declared: frozenset[str]
    printed: tuple[tuple[str, str], ...] = ()  # declared environment -> printed name


def _lines(text: str) -> list[str]:
    return [_COMMENT.sub("", line) for line in text.splitlines()]


def tex_facts(text: str, theorem_envs: Iterable[str]) -> TexFacts:
    envs = set(theorem_envs)
    lines = _lines(text)
    printed = tuple((m.group(1).strip(), (m.group(2) or "").strip()) for line in lines
                    for m in _NEWTHEOREM.finditer(line))
    declared = frozenset(name for name, _ in printed)
    envs |= declared
    found: list[tuple[str, int, int, bool]] = []
    open_: list[list] = []  # [env, begin line, labelled] of theorem-like envs still open
    labels: list[tuple[str, int]] = []
    uses: list[tuple[str, int]] = []
    for n, line in enumerate(lines, start=1):
        # Walk the line left to right so `\begin{lemma}\label{x}` and
        # `\end{lemma}\label{y}` land where they belong.
        events = [(m.start(), "label", m.group(1).strip()) for m in _LABEL.finditer(line)]
        events += [(m.start(), m.group(1), m.group(2).strip()) for m in _BEGIN_END.finditer(line)]
        for _, kind, name in sorted(events):
            if kind == "label":
                labels.append((name, n))
                if open_:
                    open_[-1][2] = True
            elif kind == "begin" and name in envs:  # starred (unnumbered) ones cannot be referred to
                open_.append([name, n, False])
            elif kind == "end" and open_ and open_[-1][0] == name:
                env, start, labelled = open_.pop()
                found.append((env, start, n, labelled))
        for m in _USES.finditer(line):
            uses.extend((u.strip(), n) for u in m.group(1).split(",") if u.strip())
    for env, start, labelled in open_:
        found.append((env, start, len(lines), labelled))
    return TexFacts(tuple(found), tuple(labels), tuple(uses), declared, printed)


def _marker_problems(text: str, name: str, python: bool) -> list[Finding]:
    if "paperprov" not in text:
        return []
    from provenance.scan.markers import parse_marker  # here: a commit with no marker never makes the unit dataclasses

    problems = []
    candidates = _python_comments(text) if python else list(enumerate(text.splitlines(), start=1))
    for n, line in candidates:
        try:
            parse_marker(line, name, n)
        except SourceError as err:
            message = str(err).removeprefix(f"{name}:{n}: ")
            problems.append(Finding(name, n, message, ("marker", line.strip())))
    return problems


def _python_comments(text: str) -> list[tuple[int, str]]:
    """The comments the scan reads markers from (never a string that quotes one); in a file
    that does not parse (the build says where), every comment token."""
    from provenance.scan.pycode import marker_comments, parse_source

    source = text.encode("utf-8")
    try:
        return list(marker_comments(parse_source("", source), source.splitlines()))
    except SourceError:
        pass
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = []
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def _read(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _settings(root: Path) -> tuple[str | None, tuple[str, ...]]:
    """(paper.main, lint.require_label) from provenance.yaml, with defaults."""
    from provenance.config.hookview import hook_settings

    try:
        settings = hook_settings(root)
    except ProvenanceError:
        settings = None  # the build reports a broken config; lint finds the document itself
    if settings is None:
        from provenance.config.schema import LABELLED_ENVS

        return None, LABELLED_ENVS
    return settings.main, settings.require_label


# A document whose walk took longer keeps it for the next commit (_Documents._walk).
KEEP_WALK_AFTER = 0.1  # seconds


class _Doc(NamedTuple):
    """One LaTeX document as the walker reads it (None where the walk failed)."""

    files: tuple[str, ...]
    units: list | None = None  # list[Unit]
    labels: tuple[tuple[str, str, int], ...] | None = None


class _Documents:
    """Which LaTeX document each committed .tex belongs to. pre-commit may split the
    files over several processes, so a document's other files are read from disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs: dict[str, _Doc] = {}

    def doc(self, main: str) -> _Doc:
        if main not in self.docs:
            try:
                units, deps = self._walk(main)
                self.docs[main] = _Doc(deps.tex, units, deps.labels)
            except ProvenanceError:
                # a malformed marker: reported on its own line; the line scan stands in
                self.docs[main] = _Doc(self._files_only(main))
        return self.docs[main]

    def _walk(self, main: str) -> tuple[list, TexDeps]:
        """The document's walk: read back from where an earlier commit kept it, else made
        afresh and kept when it took long (a book's walk takes seconds, reading it back a
        tenth of that; a paper's takes milliseconds, less than importing what reads it)."""
        from provenance.evidence.gitstate import lint_walk_store
        from provenance.scan.tex.walker import scan_paper

        store = lint_walk_store(self.root, main)
        if store is not None and store.exists():
            return scan_paper(self.root, main, store=store)
        began = time.monotonic()
        walked = scan_paper(self.root, main)
        if store is not None and time.monotonic() - began > KEEP_WALK_AFTER:
            scan_paper(self.root, main, store=store)  # the same walk (remembered in the process), now kept
        return walked

    def _files_only(self, main: str) -> tuple[str, ...]:
        from provenance.scan.tex.walker import dependencies

        try:
            return dependencies(self.root, main).tex
        except ProvenanceError:
            return (main,)

    def files_of(self, main: str) -> tuple[str, ...]:
        return self.doc(main).files

    def main_of(self, rel: str, paper: str | None) -> str | None:
        if paper is not None and rel in self.files_of(paper):
            return paper
        here = (self.root / rel).parent
        top = self.root.resolve()
        while True:
            for cand in sorted(here.glob("*.tex")):
                text = _read(self.root, cand.relative_to(self.root).as_posix()) or ""
                cand_rel = cand.relative_to(self.root).as_posix()
                if "\\documentclass" in text and rel in self.files_of(cand_rel):
                    return cand_rel
            if here.resolve() == top or here == here.parent:
                return None
            here = here.parent


def _required(env: str, printed: str, required: Sequence[str]) -> bool:
    """Whether a theorem-like environment must carry a label (starred ones are unnumbered)."""
    return not env.endswith("*") and (env.lower() in required or printed.lower() in required)


def _nolabel(f: str, line: int, env: str) -> Finding:
    return Finding(f, line, f"{env} has no \\label; add \\label{{...}} right after \\begin{{{env}}}", ("nolabel", env))


def _unlabelled(doc: _Doc, facts: dict[str, TexFacts], f: str, required: Sequence[str]) -> list[Finding]:
    if doc.units is not None:  # the real walk knows \newtheorem in .sty files and skips \def bodies
        return [_nolabel(f, u.lines[0], u.env) for u in doc.units
                if u.kind == "statement" and u.label is None and u.file == f and _required(u.env, u.display, required)]
    printed = {env: name for fa in facts.values() for env, name in fa.printed}
    return [_nolabel(f, start, env) for env, start, _end, labelled in facts[f].envs
            if not labelled and _required(env, printed.get(env, env), required)]


def _facts(root: Path, doc: _Doc, committed: list[str]) -> tuple[dict[str, str], dict[str, TexFacts]]:
    """The texts and line-scan facts lint needs. After a walk, which gives the units and
    labels, only the committed files' \\uses (whatever the environments): those files
    alone are read. Otherwise every file of the document, the committed ones scanned again
    knowing the theorem-like environments all of them declare (labels and printed names
    do not depend on those)."""
    if doc.units is not None and doc.labels is not None:
        texts = {f: t for f in doc.files if f in committed and (t := _read(root, f)) is not None}
        return texts, {f: tex_facts(t, ()) for f, t in texts.items()}
    texts = {f: t for f in doc.files if (t := _read(root, f)) is not None}
    first = {f: tex_facts(t, ()) for f, t in texts.items()}
    envs = DEFAULT_ENVS.union(*(fa.declared for fa in first.values()))
    return texts, {f: tex_facts(t, envs) if f in committed else first[f] for f, t in texts.items()}


def _lint_document(root: Path, doc: _Doc, committed: list[str], required: Sequence[str]) -> list[Finding]:
    texts, facts = _facts(root, doc, committed)
    labels = doc.labels if doc.labels is not None else tuple(
        (label, f, n) for f, fa in facts.items() for label, n in fa.labels)
    where: dict[str, list[tuple[str, int]]] = {}
    for label, f, n in labels:
        where.setdefault(label, []).append((f, n))
    problems: list[Finding] = []
    for f in committed:
        if f not in facts:
            continue
        problems += _marker_problems(texts[f], f, python=False)
        problems += _unlabelled(doc, facts, f, required)
        for label, g, n in labels:
            if g == f and len(where[label]) > 1:
                others = ", ".join(f"{x}:{m}" for x, m in where[label] if (x, m) != (g, n))
                problems.append(Finding(f, n, f"label {label!r} is also defined at {others}; rename one",
                                        ("duplicate", label)))
        for label, n in facts[f].uses:
            if label not in where:
                problems.append(Finding(f, n, f"\\uses{{{label}}} names no \\label in the paper; fix the label",
                                        ("uses", label)))
    return problems


def findings(root: Path, files: Sequence[str]) -> list[Finding]:
    """Every problem in `files` (paths relative to `root`), sorted by file and line."""
    problems: list[Finding] = []
    for f in files:
        if f.endswith(".py"):
            text = _read(root, f)
            if text is not None:
                problems += _marker_problems(text, f, python=True)
    tex = [f for f in files if f.endswith(".tex")]
    if tex:
        paper, required = _settings(root)
        docs = _Documents(root)
        groups: dict[str, list[str]] = {}
        for f in tex:
            main = docs.main_of(f, paper)
            if main is None:
                problems += _lint_document(root, _Doc((f,)), [f], required)  # a fragment on its own
            else:
                groups.setdefault(main, []).append(f)
        for main, committed in groups.items():
            problems += _lint_document(root, docs.doc(main), committed, required)
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line, p.message))


def lint(root: Path, files: Sequence[str], all_problems: bool = False) -> list[str]:
    """`file:line: message` for the problems in `files` (paths relative to `root`): those
    the staged change introduces (introduced.py), or with `all_problems` every one."""
    found = findings(root, files)
    if found and not all_problems:
        from provenance.hooks.introduced import introduced

        found = introduced(root, files, found, findings)
    return [str(p) for p in found]
