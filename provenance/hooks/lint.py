"""`paperprov hook lint`: the source checks worth failing a commit for.

- every `paperprov:` marker is well-formed (markers.parse_marker decides);
- every theorem-like environment carries a \\label (the record's ids are labels);
- no label is defined twice in the paper;
- every \\uses{...} names a label that exists.

A line-based scan, not the full LaTeX parser: it runs on every commit and must stay in
milliseconds, and these four facts need nothing more. Labels are collected from the
whole paper (every .tex reached from paper.main, plus the files being committed);
findings are reported only for the files being committed, as `file:line: message`.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ProvenanceError, SourceError
from provenance.scan.markers import parse_marker

# Theorem-like environments every amsthm paper may use without declaring them here;
# the paper's own \newtheorem / \declaretheorem declarations are added to these.
DEFAULT_ENVS = frozenset({
    "theorem", "lemma", "proposition", "corollary", "conjecture", "claim",
    "definition", "assumption", "hypothesis", "fact", "observation",
})
_COMMENT = re.compile(r"(?<!\\)%.*")
_NEWTHEOREM = re.compile(r"\\(?:newtheorem|declaretheorem|spnewtheorem)\*?\s*(?:\[[^\]]*\]\s*)?\{([^}]+)\}")
_BEGIN_END = re.compile(r"\\(begin|end)\s*\{([^}]+)\}")
_LABEL = re.compile(r"\\label\s*\{([^}]*)\}")
_USES = re.compile(r"\\uses\s*\{([^}]*)\}")


@dataclass(frozen=True)
class TexFacts:
    envs: tuple[tuple[str, int, int, bool], ...]  # (env, begin line, end line, labelled)
    labels: tuple[tuple[str, int], ...]
    uses: tuple[tuple[str, int], ...]
    declared: frozenset[str]


def _lines(text: str) -> list[str]:
    return [_COMMENT.sub("", line) for line in text.splitlines()]


def tex_facts(text: str, theorem_envs: Iterable[str]) -> TexFacts:
    envs = set(theorem_envs)
    lines = _lines(text)
    declared = frozenset(m.group(1).strip() for line in lines for m in _NEWTHEOREM.finditer(line))
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
    return TexFacts(tuple(found), tuple(labels), tuple(uses), declared)


def _marker_problems(text: str, name: str, python: bool) -> list[str]:
    if "paperprov" not in text:
        return []
    problems = []
    if python:
        # Only real comments count: a string that merely quotes a marker is not one.
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            tokens = []
        candidates = [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]
    else:
        candidates = list(enumerate(text.splitlines(), start=1))
    for n, line in candidates:
        try:
            parse_marker(line, name, n)
        except SourceError as err:
            problems.append(str(err))
    return problems


def _read(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _paper_main(root: Path) -> str | None:
    if not (root / "provenance.yaml").is_file():
        return None
    from provenance.config import load

    try:
        return load(root).paper.main
    except ProvenanceError:
        return None  # the build reports a broken config; lint finds the document itself


class _Documents:
    """Which LaTeX document each committed .tex belongs to. pre-commit may split the
    files over several processes, so a document's other files are read from disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.deps: dict[str, tuple[str, ...]] = {}

    def files_of(self, main: str) -> tuple[str, ...]:
        if main not in self.deps:
            from provenance.scan.tex.walker import dependencies

            try:
                self.deps[main] = dependencies(self.root, main).tex
            except ProvenanceError:
                self.deps[main] = (main,)
        return self.deps[main]

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


def _unlabelled(root: Path, main: str, files: set[str]) -> list[str] | None:
    """Theorem-like environments without a label, found by the real LaTeX scanner
    (it knows \\newtheorem in .sty files and ignores \\begin inside a \\def)."""
    from provenance.scan.tex.walker import scan

    try:
        units = scan(root, main)
    except ProvenanceError:
        return None  # a malformed marker: reported on its own line; fall back to the line scan
    return [f"{u.file}:{u.lines[0]}: {u.env} has no \\label; add \\label{{...}} right after \\begin{{{u.env}}}"
            for u in units if u.kind == "statement" and u.label is None and u.file in files
            and not u.env.endswith("*")]


def _lint_document(root: Path, main: str | None, doc: tuple[str, ...], committed: list[str]) -> list[str]:
    texts = {f: t for f in doc if (t := _read(root, f)) is not None}
    declared: set[str] = set()
    for t in texts.values():
        declared |= tex_facts(t, ()).declared
    facts = {f: tex_facts(t, DEFAULT_ENVS | declared) for f, t in texts.items()}
    where: dict[str, list[tuple[str, int]]] = {}
    for f, fa in facts.items():
        for label, n in fa.labels:
            where.setdefault(label, []).append((f, n))
    unlabelled = _unlabelled(root, main, set(committed)) if main is not None else None
    problems: list[str] = []
    for f in committed:
        if f not in facts:
            continue
        problems += _marker_problems(texts[f], f, python=False)
        fa = facts[f]
        if unlabelled is None:
            for env, start, _end, labelled in fa.envs:
                if not labelled:
                    problems.append(f"{f}:{start}: {env} has no \\label; add \\label{{...}} right after \\begin{{{env}}}")
        else:
            problems += [p for p in unlabelled if p.startswith(f"{f}:")]
        for label, n in fa.labels:
            first = where[label][0]
            if (f, n) != first:
                problems.append(f"{f}:{n}: label {label!r} is already defined at {first[0]}:{first[1]}; rename one")
        for label, n in fa.uses:
            if label not in where:
                problems.append(f"{f}:{n}: \\uses{{{label}}} names no \\label in the paper; fix the label")
    return problems


def lint(root: Path, files: Sequence[str]) -> list[str]:
    """`file:line: message` for every problem in `files` (repo-relative paths)."""
    problems: list[str] = []
    for f in files:
        if f.endswith(".py"):
            text = _read(root, f)
            if text is not None:
                problems += _marker_problems(text, f, python=True)
    tex = [f for f in files if f.endswith(".tex")]
    if not tex:
        return problems
    paper = _paper_main(root)
    docs = _Documents(root)
    groups: dict[str, list[str]] = {}
    for f in tex:
        main = docs.main_of(f, paper)
        if main is None:
            problems += _lint_document(root, None, (f,), [f])  # a fragment on its own
        else:
            groups.setdefault(main, []).append(f)
    for main, committed in groups.items():
        problems += _lint_document(root, main, docs.files_of(main), committed)
    return problems
