"""doit task creators. A paper repository's dodo.py imports them by name.

Task creators run on every `doit` call, so they only read provenance.yaml and the
cached dependency lists; everything heavy (git, TeX, numpy, cryptography, Jinja2)
happens inside actions, and is imported there.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from provenance.scan import depcache
from provenance.evidence import gitstate
from provenance.config import CONFIG_NAME, Config, Experiment, load
from provenance.errors import ProvenanceError
from provenance.paths import ATTESTATION, CHECKS, DISCLOSURE_MD, DISCLOSURE_TEX, PDF, RECORD



def creator(fn: Callable[[], Any]) -> Callable[[], Any]:
    """doit prints a traceback for an exception in a task creator; an expected failure
    (a bad provenance.yaml, a malformed marker met while listing the paper's files)
    becomes one line and exit status 1 instead."""

    def replay(items: list[Any]) -> Iterator[Any]:
        yield from items  # doit wants a generator back, not a list

    @functools.wraps(fn)
    def create() -> Any:
        try:
            result = fn()
            return replay(list(result)) if isinstance(result, Iterator) else result
        except ProvenanceError as err:
            sys.exit(f"paperprov: {err}")

    return create


@functools.lru_cache(maxsize=None)
def _config(root: str) -> Config:
    return load(root)


def config() -> Config:
    return _config(os.getcwd())


def action(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures inside a doit python-action into one line, no traceback."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from doit.exceptions import TaskFailed

        try:
            return fn(*args, **kwargs)
        except ProvenanceError as err:
            return TaskFailed(f"paperprov: {err}")

    return run


# -- dependency lists (cached between runs) --------------------------------------------

def paper_deps(cfg: Config) -> tuple[list[str], list[str]]:
    """(tex files reached from the main file, other files LaTeX reads) — repo-relative."""

    def compute() -> tuple[Any, list[str]]:
        from provenance.scan.tex.walker import dependencies

        # Outputs of other tasks count as present, so the list is the same before and after
        # the experiments run.
        generated = set(experiment_outputs(cfg)) | {DISCLOSURE_TEX}
        deps = dependencies(cfg.root, cfg.paper.main, generated=generated)
        return [list(deps.tex), list(deps.other)], [f for f in deps.tex if not f.startswith("build/")]

    tex, other = depcache.cached(cfg.root, f"tex:{cfg.paper.main}", compute)
    return tex, other


def experiment_deps(cfg: Config, exp: Experiment) -> list[str]:
    def compute() -> tuple[Any, list[str]]:
        from provenance.scan.pycode import local_imports

        mods = local_imports(cfg.root, exp.script)
        return mods, mods

    return depcache.cached(cfg.root, f"py:{exp.script}", compute) + list(exp.inputs)


def code_sources(cfg: Config) -> list[str]:
    """The Python files whose units the record lists: every experiment script, its local
    imports, and any other .py under experiments/."""
    files = {f for e in cfg.experiments for f in experiment_deps(cfg, e) if f.endswith(".py")}
    exp_dir = cfg.root / "experiments"
    if exp_dir.is_dir():
        files.update(p.relative_to(cfg.root).as_posix() for p in exp_dir.rglob("*.py"))
    return sorted(files)


def record_sources(cfg: Config) -> list[str]:
    tex, other = paper_deps(cfg)
    own = [f for f in tex + other if not f.startswith("build/") and f.endswith((".tex", ".sty", ".cls"))]
    return sorted(set(own) | set(code_sources(cfg)) | {CONFIG_NAME})


def input_files(cfg: Config) -> list[str]:
    """Every source file the build reads, for the attestation's resolved dependencies."""
    tex, other = paper_deps(cfg)
    files = set(record_sources(cfg)) | set(check_sources(cfg))
    files.update(f for f in tex + other if not f.startswith("build/"))
    for e in cfg.experiments:
        files.update(experiment_deps(cfg, e))
    return sorted(files)


def check_sources(cfg: Config) -> list[str]:
    """The files behind the claim checks linked to units (test files, the conftest.py
    files above them, the repo modules they import)."""

    def compute() -> tuple[Any, list[str]]:
        from provenance.record.checks import check_files, links
        from provenance.record.assemble import scan_units

        units, _ = scan_units(cfg)
        nodeids = sorted({n for ids in links(units, cfg.checks, cfg.annotations).values() for n in ids})
        files = check_files(cfg.root, nodeids)
        return files, record_sources(cfg) + files

    try:
        return depcache.cached(cfg.root, "checks", compute)
    except ProvenanceError:
        # A malformed marker or a bad `checks:` label: the checks and record tasks
        # report it when they run; listing tasks and running experiments still work.
        return []


def experiment_outputs(cfg: Config) -> list[str]:
    return [t for e in cfg.experiments for t in e.targets]


# -- tasks -----------------------------------------------------------------------------

@creator
def task_experiments() -> Iterator[dict[str, Any]]:
    """Run the experiments declared in provenance.yaml."""
    from doit.tools import config_changed

    from provenance.pipeline import actions as build

    cfg = config()
    yield {"basename": "experiments", "name": None, "doc": "Run the experiments declared in provenance.yaml."}
    for exp in cfg.experiments:
        yield {
            "name": exp.name,
            "doc": f"Run {exp.script} into {exp.outdir}/.",
            "actions": [(action(build.run_experiment), [cfg, exp])],
            "file_dep": experiment_deps(cfg, exp),
            "targets": list(exp.targets),
            "uptodate": [config_changed(repr(exp))],
            "clean": True,
        }


@creator
def task_checks() -> dict[str, Any]:
    """Run the claim checks linked to statements (one pytest run): build/checks.json."""
    from provenance.pipeline import actions as build

    cfg = config()
    return {
        "actions": [(action(build.run_checks), [cfg])],
        "file_dep": sorted(set(record_sources(cfg)) | set(check_sources(cfg))),
        "targets": [CHECKS],
        "clean": True,
    }


@creator
def task_record() -> dict[str, Any]:
    """Attribute every unit to human or AI work: build/record.json."""
    from doit.tools import config_changed

    from provenance.pipeline import actions as build

    cfg = config()
    return {
        "actions": [(action(build.run_record), [cfg])],
        "file_dep": record_sources(cfg) + [CHECKS],
        "targets": [RECORD],
        "uptodate": [config_changed(gitstate.state_token(cfg.root))],
        "clean": True,
    }


@creator
def task_disclosure() -> dict[str, Any]:
    """Render the disclosure appendix from the record: build/disclosure.{tex,md}."""
    from doit.tools import config_changed

    from provenance.pipeline import actions as build

    cfg = config()
    # The renderer and its templates shape the output too: a paperprov upgrade re-renders.
    here = Path(__file__).parent.parent / "disclose"
    renderer = [str(here / n) for n in ("view.py", "layout.py", "aia.py", "escape.py",
                                        "templates/disclosure.tex.j2", "templates/disclosure.md.j2")]
    return {
        "actions": [(action(build.run_disclosure), [cfg])],
        "file_dep": [RECORD, CONFIG_NAME] + renderer,
        "targets": [DISCLOSURE_TEX, DISCLOSURE_MD],
        # It names the signers' keys committed at HEAD, never an uncommitted keys/*.pub,
        # so that every builder of a commit renders the same bytes.
        "uptodate": [config_changed(gitstate.head_commit(cfg.root) or "")],
        "clean": True,
    }


@creator
def task_paper() -> dict[str, Any]:
    """Compile the paper with latexmk: build/paper.pdf."""
    from doit.tools import config_changed

    from provenance.pipeline import actions as build

    cfg = config()
    tex, other = paper_deps(cfg)
    deps = set(tex) | set(other) | set(experiment_outputs(cfg)) | {DISCLOSURE_TEX}
    return {
        "actions": [(action(build.run_latex), [cfg])],
        "file_dep": sorted(deps),
        "targets": [PDF],
        "uptodate": [config_changed(gitstate.head_commit(cfg.root) or "")],
        "clean": [(build.clean_latex, [cfg])],
    }


@creator
def task_attest() -> dict[str, Any]:
    """Sign the hashes of every input and output: build/attestation.intoto.jsonl."""
    from doit.tools import config_changed

    from provenance.pipeline import actions as build

    cfg = config()
    subjects = [PDF, RECORD, DISCLOSURE_TEX, DISCLOSURE_MD] + experiment_outputs(cfg)
    return {
        "actions": [(action(build.run_attest), [cfg])],
        "file_dep": sorted(set(subjects) | set(input_files(cfg))),
        "targets": [ATTESTATION],
        "uptodate": [config_changed(gitstate.head_commit(cfg.root) or "")],
        "clean": True,
    }


@creator
def task_build() -> dict[str, Any]:
    """Everything: experiments, checks, record, disclosure, paper, attestation (the default)."""
    return {"actions": None, "task_dep": ["experiments", "checks", "record", "disclosure", "paper", "attest"]}


@creator
def task_submission() -> dict[str, Any]:
    """Bundle the built paper for reviewers: dist/<name>-submission.zip."""
    from provenance.pipeline import actions as build

    cfg = config()
    allow_dirty = {"name": "allow_dirty", "long": "allow-dirty", "type": bool, "default": False,
                   "help": "bundle even if the working tree has uncommitted changes (the record says so)"}
    return {
        "actions": [(action(build.run_submission), [cfg])],
        "params": [allow_dirty],
        "task_dep": ["build"],
        "targets": [f"dist/{cfg.paper.name}-submission.zip"],
        "uptodate": [False],
        "clean": True,
    }
