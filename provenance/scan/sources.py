"""The project's source sets: which files the paper, the code units, the claim checks and
the attestation consist of, and the units scanned from them.

Every task creator asks these on every `doit` call, so the lists that need a walk of the
paper or of the experiments' imports are kept in depcache (reused while the files they
were read from keep their size and mtime); the walks themselves happen in scan/tex and
scan/pycode.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.config import CONFIG_NAME, Config, Experiment
from provenance.errors import ProvenanceError
from provenance.paths import CHECKS, DISCLOSURE_OUTPUTS, DISCLOSURE_TEX, PDF, REPORT_HTML
from provenance.scan import depcache

if TYPE_CHECKING:
    from provenance.scan.tex.walker import TexDeps
    from provenance.scanned import Unit

# The walker, the Python scanner and the claim links are imported where they are used:
# a no-op `doit build` answers every list here from depcache and never needs them.


def paper_deps(cfg: Config, store: Path | None = None) -> tuple[list[str], list[str]]:
    """(tex files reached from the main file, other files LaTeX reads) — repo-relative;
    `store`: where the paper's walk is remembered (walk_paper)."""

    def compute() -> tuple[Any, list[str]]:
        deps = walk_paper(cfg, store)[1]
        return [list(deps.tex), list(deps.other)], [f for f in deps.tex if not f.startswith("build/")]

    tex, other = depcache.cached(cfg.root, f"tex:{cfg.paper.main}", compute)
    return tex, other


def walk_paper(cfg: Config, store: Path | None = None) -> tuple[list[Unit], TexDeps]:
    """The paper's units and what LaTeX reads (scan/tex/walker.py), the walk remembered
    in `store` across runs (scan/tex/remembered.py)."""
    # Outputs of other tasks count as present, so the list is the same before and after
    # the experiments run; they are followed, never warned about.
    generated = set(experiment_outputs(cfg)) | {DISCLOSURE_TEX}
    from provenance.scan.tex.walker import scan_paper

    return scan_paper(cfg.root, cfg.paper.main, generated=generated, store=store)


def entry_files(cfg: Config, exp: Experiment) -> list[str]:
    """The repository files an experiment's command names (its script, `-m MODULE`, a
    `--config=FILE`), repo-relative; never one of the build's outputs."""
    outputs = set(experiment_outputs(cfg))
    found: list[str] = [exp.script] if exp.script else []
    words = exp.words
    for i, word in enumerate(words):
        if i and words[i - 1] == "-m" and "{" not in word:
            stem = word.replace(".", "/")
            for d in (exp.cwd, "", "src"):
                for cand in (f"{d}/{stem}.py", f"{d}/{stem}/__main__.py", f"{d}/{stem}/__init__.py"):
                    cand = posixpath.normpath(cand.lstrip("/"))
                    if (cfg.root / cand).is_file():
                        found.append(cand)
            continue
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if value.startswith("{root}/"):
            rel = posixpath.normpath(value[len("{root}/"):])
        elif "{" in value or value.startswith(("-", "/")) or not value:
            continue
        else:
            rel = posixpath.normpath(posixpath.join(exp.cwd, value))
        if rel.startswith(("../", "build/")) or rel in outputs or rel in found:
            continue
        if (cfg.root / rel).is_file():
            found.append(rel)
    return found


def latexmkrc(cfg: Config) -> str | None:
    """The paper's own latexmkrc: the one latexmk itself reads in the main file's folder."""
    folder = posixpath.dirname(cfg.paper.main)
    for name in (".latexmkrc", "latexmkrc"):
        rel = posixpath.join(folder, name)
        if (cfg.root / rel).is_file():
            return rel
    return None


def experiment_deps(cfg: Config, exp: Experiment) -> list[str]:
    """What an experiment reads: the files its command names, the local modules the
    Python ones import (transitively, beside them, in its folder, at the root or under
    src/), and its declared inputs."""

    def compute() -> tuple[Any, list[str]]:
        from provenance.scan.pycode import local_imports

        entries = entry_files(cfg, exp)
        dirs = tuple(dict.fromkeys((exp.cwd if exp.cwd != "." else "", "", "src")))
        files = set(entries)
        for e in entries:
            if e.endswith(".py"):
                files.update(local_imports(cfg.root, e, dirs))
        return sorted(files), sorted(files) + [CONFIG_NAME]

    key = f"exp:{exp.cwd}:{' '.join(exp.words)}"
    return sorted(set(depcache.cached(cfg.root, key, compute)) | set(exp.inputs))


def code_sources(cfg: Config) -> list[str]:
    """The Python files whose units the record lists: the files the `code:` globs match,
    else every experiment's script and the local modules it imports."""
    if cfg.code is not None:
        files = {p.relative_to(cfg.root).as_posix() for g in cfg.code for p in cfg.root.glob(g)
                 if p.suffix == ".py" and p.is_file()}
        return sorted(f for f in files if not f.startswith(("build/", ".git/")))
    return sorted({f for e in cfg.experiments for f in experiment_deps(cfg, e) if f.endswith(".py")})


def record_sources(cfg: Config, store: Path | None = None) -> list[str]:
    tex, other = paper_deps(cfg, store)
    own = [f for f in tex + other if not f.startswith("build/") and f.endswith((".tex", ".sty", ".cls"))]
    return sorted(set(own) | set(code_sources(cfg)) | {CONFIG_NAME})


def trace_files(cfg: Config) -> list[str]:
    """The Agent Trace records in the configured directory (the record reads them);
    listed afresh on every call, so that a new record is noticed."""
    if not cfg.evidence.agent_trace_dir or not (cfg.root / cfg.evidence.agent_trace_dir).is_dir():
        return []
    top = cfg.root / cfg.evidence.agent_trace_dir
    return sorted(p.relative_to(cfg.root).as_posix() for p in top.rglob("*.json*")
                  if p.suffix in (".json", ".jsonl") and p.is_file())


def record_inputs(cfg: Config, store: Path | None = None) -> list[str]:
    """What the record is made of in the working tree: its sources, the claim checks'
    outcomes and the Agent Trace records (git's part is gitstate.state_token); `store`:
    where the paper's walk is remembered."""
    return record_sources(cfg, store) + [CHECKS] + trace_files(cfg)


def output_files(cfg: Config) -> list[str]:
    """What the attestation signs besides the record: the PDF, the experiments' outputs,
    the disclosure and the reviewer's page."""
    return [PDF, *experiment_outputs(cfg), *DISCLOSURE_OUTPUTS, REPORT_HTML]


def input_files(cfg: Config) -> list[str]:
    """Every source file the build reads, for the attestation's resolved dependencies."""
    tex, other = paper_deps(cfg)
    files = set(record_sources(cfg)) | set(check_sources(cfg)) | set(trace_files(cfg))
    files.update(f for f in tex + other if not f.startswith("build/"))
    rc = latexmkrc(cfg)
    if rc is not None:
        files.add(rc)
    for e in cfg.experiments:
        files.update(experiment_deps(cfg, e))
    # A figure an experiment writes into the repository is an output, not an input.
    return sorted(files - set(experiment_outputs(cfg)))


def formal_sources(cfg: Config) -> list[str]:
    """The formal developments' files (Coq .v files, the Lean project's sources); listed
    afresh on every call, so that a new file is noticed."""
    from provenance.config.formal import coq_files, lean_files

    files = coq_files(cfg.root, cfg.formal.coq) if cfg.formal.coq else []
    return files + (lean_files(cfg.root, cfg.formal.lean) if cfg.formal.lean else [])


def check_sources(cfg: Config) -> list[str]:
    """The files behind the claim checks linked to units (test files, the conftest.py
    files above them, the repo modules they import) and the formal developments."""

    def compute() -> tuple[Any, list[str]]:
        units, _ = scan_units(cfg)
        from provenance.scan.claims import check_files, links

        nodeids = sorted({n for ids in links(units, cfg.checks, cfg.annotations).values() for n in ids})
        files = check_files(cfg.root, nodeids)
        return files, record_sources(cfg) + files

    try:
        return sorted(set(depcache.cached(cfg.root, "checks", compute)) | set(formal_sources(cfg)))
    except ProvenanceError:
        # A malformed marker or a bad `checks:` label: the checks and record tasks
        # report it when they run; listing tasks and running experiments still work.
        return formal_sources(cfg)


def experiment_outputs(cfg: Config) -> list[str]:
    return [t for e in cfg.experiments for t in e.targets]


def scan_units(cfg: Config, store: Path | None = None) -> tuple[list[Unit], list[str]]:
    """All units of the paper and the experiment code, and warnings from scanning; the
    paper's walk remembered in `store` (scan/tex/remembered.py)."""
    from provenance.scan import pycode

    units, deps = walk_paper(cfg, store)
    warnings = [f"{m} not found; whatever it holds is not in the record" for m in deps.missing]
    warnings += duplicate_label_warnings(deps)
    units.extend(pycode.scan(cfg.root, code_sources(cfg)))
    return units, warnings


def duplicate_label_warnings(deps: TexDeps) -> list[str]:
    """One line per label the paper defines more than once (the record keeps the label
    as the id of the first unit that defines it and names the others by their titles)."""
    out = []
    for name, places in sorted(deps.duplicate_labels().items()):
        where = ", ".join(f"{f}:{n}" for f, n in places)
        out.append(f"label {name!r} is defined {len(places)} times ({where}); "
                   "\\ref and \\uses cannot tell them apart, rename all but one")
    return out
