"""doit task creators. A paper repository's dodo.py imports them by name.

Task creators run on every `doit` call, so they only read provenance.yaml and the
cached dependency lists; everything heavy (git, TeX, numpy, cryptography, Jinja2)
happens inside actions, and is imported there.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from provenance.config import CONFIG_NAME, Config, load
from provenance.errors import BuildError, ProvenanceError, one_line
from provenance.evidence import gitstate
from provenance.paths import (
    ANON_KEY,
    ANON_PUB,
    ANON_SALT,
    ATTESTATION,
    CHECKS,
    DISCLOSURE_OUTPUTS,
    DISCLOSURE_TEX,
    PDF,
    RECORD,
    REPORT_HTML,
    run_facts,
    submission_zip,
)
from provenance.scan.sources import (
    check_sources,
    experiment_deps,
    experiment_outputs,
    input_files,
    latexmkrc,
    output_files,
    paper_deps,
    record_inputs,
    record_sources,
)


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
            sys.exit(one_line(err))

    return create


@functools.cache
def _config(root: str) -> Config:
    return load(root)


def config() -> Config:
    return _config(os.getcwd())


def action(target: str) -> Callable[..., Any]:
    """The doit python-action for "module:function" of provenance.pipeline, imported only
    when the task runs (a no-op build imports none of them), with expected failures
    turned into one line, no traceback."""
    module, _, name = target.partition(":")

    def run(*args: Any, **kwargs: Any) -> Any:
        from doit.exceptions import TaskFailed

        fn = getattr(importlib.import_module(f"provenance.pipeline.{module}"), name)
        try:
            return fn(*args, **kwargs)
        except ProvenanceError as err:
            from provenance.pipeline.executors import cancel_all

            cancel_all()  # a failing task stops the experiments still running elsewhere
            return TaskFailed(one_line(err))
        except OSError as exc:  # a read-only or full build/, a file that vanished: name it
            where = exc.filename or "build/"
            return TaskFailed(one_line(BuildError(f"{where}: {exc.strerror or exc}; check that build/ is "
                                                  "writable and its disk has space, then run doit again")))

    run.__name__ = run.__qualname__ = name
    return run


def mode(cfg: Config) -> str:
    """Named or anonymous: what renders differently beyond the files. (A new anonymous key
    or salt reaches the tasks through files: the record's targets, the disclosure's and the
    attestation's file_dep on the key; doit computes this value before any task runs.)"""
    return "anonymous" if cfg.submission.anonymous else "named"


def _anonymous(cfg: Config, *names: str) -> list[str]:
    return list(names) if cfg.submission.anonymous else []


# -- tasks -----------------------------------------------------------------------------

@creator
def task_experiments() -> Iterator[dict[str, Any]]:
    """Run the experiments declared in provenance.yaml."""
    from doit.tools import config_changed

    from provenance.evidence.epochs import experiment_epochs

    cfg = config()
    yield {"basename": "experiments", "name": None, "doc": "Run the experiments declared in provenance.yaml."}
    epochs = experiment_epochs(cfg) if cfg.experiments else {}
    for exp in cfg.experiments:
        yield {
            "name": exp.name,
            "doc": f"Run {exp.label} into {exp.outdir}/.",
            "actions": [(action("experiments:run_experiment"), [cfg, exp], {"epoch": epochs[exp.name]})],
            "file_dep": experiment_deps(cfg, exp),
            # build/runs/<name>.json too: a run without its facts is run again.
            "targets": list(exp.targets) + [run_facts(exp.name)],
            # Its own epoch (evidence/epochs.py): a commit that touches what it reads
            # re-runs it, so its outputs carry the time a rebuild at HEAD gives them.
            "uptodate": [config_changed(f"{exp!r} epoch={epochs[exp.name]}")],
            "clean": True,
        }


@creator
def task_checks() -> dict[str, Any]:
    """Run the claim checks linked to statements (one pytest run) and check linked Coq/Lean proofs: build/checks.json."""
    cfg = config()
    return {
        "actions": [(action("actions:run_checks"), [cfg])],
        "file_dep": sorted(set(record_sources(cfg, gitstate.walk_store(cfg.root))) | set(check_sources(cfg))),
        "targets": [CHECKS],
        "clean": True,
    }


@creator
def task_record() -> dict[str, Any]:
    """Attribute every unit to human or AI work: build/record.json."""
    from doit.tools import config_changed

    cfg = config()
    return {
        "actions": [(action("actions:run_record"), [cfg])],
        "file_dep": record_inputs(cfg, gitstate.walk_store(cfg.root)),
        "targets": [RECORD] + _anonymous(cfg, ANON_KEY, ANON_PUB, ANON_SALT),
        "uptodate": [config_changed(f"{gitstate.state_token(cfg.root, cfg.evidence.refs)}|{mode(cfg)}")],
        "clean": True,
    }


@creator
def task_disclosure() -> dict[str, Any]:
    """Render the disclosure appendix from the record: build/disclosure.{tex,md}."""
    from doit.tools import config_changed

    from provenance.attest.signers import disclosed_names

    cfg = config()
    # The renderer and its templates shape the output too: a paperprov upgrade re-renders.
    here = Path(__file__).parent.parent / "disclose"
    renderer = [str(here / n) for n in ("view.py", "formalview.py", "layout.py", "aia.py", "escape.py", "venues.py",
                                        "usagecard.py", "gaidet.py",
                                        "templates/disclosure.tex.j2", "templates/disclosure.md.j2")]
    renderer += sorted(str(p) for p in (here / "venues").glob("*.yaml"))
    return {
        "actions": [(action("actions:run_disclosure"), [cfg])],
        "file_dep": [RECORD, CONFIG_NAME] + renderer + _anonymous(cfg, ANON_PUB),
        "targets": list(DISCLOSURE_OUTPUTS),
        # It names the disclosed signers' keys committed at HEAD, never an uncommitted
        # keys/*.pub, so that every builder of a commit renders the same bytes; which
        # signers depends on signing.signers or on who builds (attest/signers.py), or the
        # anonymous key (disclose/pseudonyms.py).
        "uptodate": [config_changed(" ".join([gitstate.head_commit(cfg.root) or "", *disclosed_names(cfg), mode(cfg)]))],
        "clean": True,
    }


@creator
def task_report() -> dict[str, Any]:
    """Write the reviewer's web page from the record and the sources: build/report/index.html."""
    cfg = config()
    # The sources it lists are the record's files (a subset of record_sources, which holds
    # provenance.yaml and so the paper's name); the renderer and its templates shape the
    # page too, so a paperprov upgrade re-renders.
    here = Path(__file__).parent.parent / "disclose"
    renderer = [str(here / n) for n in ("html.py", "svg.py", "sourceview.py", "layout.py", "aia.py",
                                        "templates/report.html.j2", "templates/report.css", "templates/report.js")]
    return {
        "actions": [(action("actions:run_report"), [cfg])],
        "file_dep": sorted(set(record_sources(cfg, gitstate.walk_store(cfg.root))) | {RECORD}) + renderer,
        "targets": [REPORT_HTML],
        "clean": True,
    }


@creator
def task_paper() -> dict[str, Any]:
    """Compile the paper with latexmk: build/paper.pdf."""
    from doit.tools import config_changed

    cfg = config()
    tex, other = paper_deps(cfg, gitstate.walk_store(cfg.root))
    deps = set(tex) | set(other) | set(experiment_outputs(cfg)) | {DISCLOSURE_TEX}
    rc = latexmkrc(cfg)
    if rc is not None:
        deps.add(rc)
    return {
        "actions": [(action("latex:run_latex"), [cfg])],
        "file_dep": sorted(deps),
        "targets": [PDF],
        "uptodate": [config_changed(f"{gitstate.head_commit(cfg.root) or ''}|{mode(cfg)}|{cfg.latex!r}")],
        "clean": [(action("latex:clean_latex"), [cfg])],
    }


@creator
def task_attest() -> dict[str, Any]:
    """Sign the hashes of every input and output: build/attestation.intoto.jsonl."""
    from doit.tools import config_changed

    cfg = config()
    subjects = [RECORD, *output_files(cfg)]
    runs = [run_facts(e.name) for e in cfg.experiments]  # a new run, same outputs: a new runs statement
    return {
        "actions": [(action("actions:run_attest"), [cfg])],
        "file_dep": sorted(set(subjects) | set(runs) | set(input_files(cfg)) | set(_anonymous(cfg, ANON_PUB))),
        "targets": [ATTESTATION],
        "uptodate": [config_changed(f"{gitstate.head_commit(cfg.root) or ''}|{mode(cfg)}")],
        "clean": True,
    }


@creator
def task_build() -> dict[str, Any]:
    """Everything: experiments, checks, record, disclosure, paper, report, attestation (the default)."""
    return {"actions": None, "task_dep": ["experiments", "checks", "record", "disclosure", "paper", "report", "attest"]}


@creator
def task_submission() -> dict[str, Any]:
    """Bundle the built paper for reviewers: dist/<name>-submission.zip."""
    cfg = config()
    allow_dirty = {"name": "allow_dirty", "long": "allow-dirty", "type": bool, "default": False,
                   "help": "bundle even if the working tree has uncommitted changes (the record says so)"}
    return {
        "actions": [(action("actions:run_submission"), [cfg])],
        "params": [allow_dirty],
        "task_dep": ["build"],
        "targets": [submission_zip(cfg.paper.name)],
        "uptodate": [False],
        "clean": True,
    }
