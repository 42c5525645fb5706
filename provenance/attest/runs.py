"""How each experiment ran: build/runs/<name>.json, and the runs statement.

These facts differ from build to build (job ids, nodes, times), so they are kept out of
build/record.json and out of the SLSA and record statements, which stay a function of the
commit (the PDF prints the record's digest). They get a statement of their own.

build/runs/<name>.json (written by pipeline/experiments.py when the experiment succeeds):
  {"schema": "paperprov/run/v1",
   "experiment": name,
   "executor": {"kind": "local"} or {"kind": "slurm", "partition", "time_min", "cpus",
                "gpus", "mem_gb", "sbatch"}, plus "array": N for a sweep,
   "tasks": [{"index", "command": [argv...], "job": Slurm job id or null, "node",
              "start", "end" (UTC ISO 8601, as the machine that ran it saw them),
              "state": "COMPLETED", "python": "CPython 3.11.7",
              "packages": {"name": "build/runs/packages/<sha256>.txt",
                           "digest": {"sha256"}}}],
   "outputs": [{"name": repo-relative output, "digest": {"sha256"}}]}
The outputs are hashed after the job ended, on the filesystem it wrote to. The package list
(one `name==version` line per installed distribution, sorted) is kept under
build/runs/packages/, named by its digest; runs in the same environment share one file.
Logs: build/runs/<name>/<i>.stdout and <i>.stderr for task i, and for Slurm the job files
submitit keeps in build/runs/<name>/slurm/.

The runs statement (`https://paperprov.dev/runs/v1`, this project's own; the last line of
build/attestation.intoto.jsonl, signed like the others):
  subjects: every output of the experiments that have a run file, with its sha256 (the
    same names and digests as in the SLSA statement; `paperprov verify` checks that);
  predicate: {"runs": [the run files' contents, by experiment name]}.
It is the one statement that differs between two builds of one commit. It is left out when
no experiment has a run file (no experiments, or outputs made some other way); a run file
whose outputs differ from the files on disk stops the attestation, since it would describe
other files. `verify --rebuild` ignores it: a reviewer's rebuild runs the experiments
locally and compares the outputs with the SLSA statement.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from provenance.attest.statements import STATEMENT_TYPE, subjects
from provenance.config import Config
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.paths import RUNS_DIR, run_facts

RUNS_PREDICATE = "https://paperprov.dev/runs/v1"
RUN_SCHEMA = "paperprov/run/v1"


def write_packages(root: Path, packages: str) -> dict[str, Any]:
    """Keep a package list under build/runs/packages/; its reference for a run file."""
    digest = hashlib.sha256(packages.encode("utf-8")).hexdigest()
    name = f"{RUNS_DIR}/packages/{digest}.txt"
    if not (root / name).is_file():
        write_text_atomic(root / name, packages)
    return {"name": name, "digest": {"sha256": digest}}


def write_run(root: Path, experiment: str, executor: dict[str, Any], tasks: list[dict[str, Any]],
              outputs: dict[str, str]) -> None:
    doc = {"schema": RUN_SCHEMA, "experiment": experiment, "executor": executor, "tasks": tasks,
           "outputs": subjects(outputs)}
    write_text_atomic(root / run_facts(experiment), json.dumps(doc, indent=2, sort_keys=True) + "\n")


def read_run(root: Path, experiment: str) -> dict[str, Any] | None:
    path = root / run_facts(experiment)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BuildError(f"{run_facts(experiment)}: unreadable ({exc}); run `doit forget experiments:{experiment} "
                         "&& doit` to run the experiment again") from None
    if not isinstance(doc, dict) or doc.get("schema") != RUN_SCHEMA or not isinstance(doc.get("outputs"), list):
        raise BuildError(f"{run_facts(experiment)}: not a {RUN_SCHEMA} file; run `doit forget "
                         f"experiments:{experiment} && doit` to run the experiment again")
    return doc


def runs_statement(cfg: Config, digests: dict[str, str]) -> dict[str, Any] | None:
    """Statement 3 over the experiments that have run files; `digests` are the outputs'
    sha256 as the SLSA statement gives them."""
    runs, subs = [], {}
    for exp in sorted(cfg.experiments, key=lambda e: e.name):
        doc = read_run(cfg.root, exp.name)
        if doc is None:
            continue
        ran = {o.get("name"): o.get("digest", {}).get("sha256") for o in doc["outputs"] if isinstance(o, dict)}
        for target in exp.targets:
            if ran.get(target) != digests.get(target):
                raise BuildError(f"{target} is not the file the last run of experiment {exp.name} wrote "
                                 f"({run_facts(exp.name)}); run `doit forget experiments:{exp.name} && doit`")
            subs[target] = digests[target]
        runs.append(doc)
    if not runs:
        return None
    return {"_type": STATEMENT_TYPE, "subject": subjects(subs), "predicateType": RUNS_PREDICATE,
            "predicate": {"runs": runs}}
