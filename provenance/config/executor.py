"""`executor:` in provenance.yaml: where experiments run.

A top-level `executor:` mapping is the default of every experiment; an experiment's own
`executor:` overrides it key by key (a key it gives replaces the top-level value, `sbatch`
included). Keys:

  kind       local (a subprocess of the build, the default) or slurm (a batch job,
             submitted with submitit)
  partition  Slurm partition (default: the cluster's default partition)
  time_min   Slurm time limit in minutes (default 60); a job that runs longer fails the
             build as TIMEOUT
  cpus       cores per task (default 1); the local executor holds that many of this
             machine's cores while the task runs
  gpus       GPUs per task (Slurm --gpus-per-node; default 0)
  mem_gb     memory per task in GB (Slurm --mem; default: the cluster's default)
  array      N: the experiment is a sweep of N tasks (an experiment's own executor only).
             Task i runs `python SCRIPT --out build/experiments/NAME/i --seed SEED --task i
             ARGS...` and writes the declared outputs into build/experiments/NAME/i/. On
             Slurm the tasks are one array job; the local executor runs them one by one.
             Both give the same files, so a sweep does not depend on where it ran.
  sbatch     extra sbatch flags, e.g. ["--qos=high", "--account=lab", "--exclusive"]

Moving an experiment between executors, or changing only Slurm settings, does not re-run
it: its outputs do not depend on where it ran. The environment variable
PAPERPROV_EXECUTOR=local|slurm overrides `kind` for every experiment of one build
(pipeline/executors) without touching the committed configuration.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from provenance.config.reader import MAX_LIST, Reader
from provenance.config.schema import EXECUTOR_KINDS, ExecutorSpec

KEYS = ("kind", "partition", "time_min", "cpus", "gpus", "mem_gb", "array", "sbatch")
# Bounds: a year of minutes; Slurm's default MaxArraySize is 1001 (indices 0..1000).
LIMITS = {"time_min": (1, 525_600), "cpus": (1, 4_096), "gpus": (0, 1_024), "array": (1, MAX_LIST)}
# Flags that paperprov sets itself from the keys above (or must own: where logs go).
_OWNED = {"--partition": "partition", "-p": "partition", "--time": "time_min", "-t": "time_min",
          "--cpus-per-task": "cpus", "-c": "cpus", "--gpus-per-node": "gpus", "--gpus": "gpus",
          "--mem": "mem_gb", "--array": "array", "-a": "array", "--output": None, "-o": None,
          "--error": None, "-e": None, "--job-name": None, "-J": None, "--wrap": None}
_FLAG = re.compile(r"^--[A-Za-z][A-Za-z0-9-]*(=.+)?$")


def _sbatch(r: Reader, value: Any, key: str) -> tuple[str, ...]:
    flags = r.strings(value, key)
    for flag in flags:
        name = flag.split("=", 1)[0]
        if name in _OWNED:
            own = _OWNED[name]
            use = f"use `executor.{own}` instead" if own else "paperprov sets it itself; remove it"
            raise r.fail(key, f"{flag!r}: {use}")
        if not _FLAG.match(flag):
            raise r.fail(key, f"{flag!r} is not a long sbatch flag; write --name or --name=value")
    return flags


def parse_executor(r: Reader, value: Any, key: str, base: ExecutorSpec | None = None) -> ExecutorSpec:
    """The executor at `key` (`executor` or `experiments[i].executor`), each key it gives
    replacing the one of `base` (the top-level executor, for an experiment)."""
    top = base is None
    spec = ExecutorSpec() if base is None else base
    # A key given as null is not given: the experiment keeps the top-level value.
    m = {k: v for k, v in r.mapping(value, key, KEYS).items() if v is not None}
    changes: dict[str, Any] = {}
    if "kind" in m:
        kind = r.typed(m["kind"], f"{key}.kind", str)
        if kind not in EXECUTOR_KINDS:
            raise r.fail(f"{key}.kind", f"unknown executor {kind!r}; use one of {', '.join(EXECUTOR_KINDS)}")
        changes["kind"] = kind
    if "partition" in m:
        partition = r.typed(m["partition"], f"{key}.partition", str)
        if not re.match(r"^[A-Za-z0-9_.,-]+$", partition):
            raise r.fail(f"{key}.partition", f"{partition!r}: letters, digits, '_', '.', '-' (',' between several)")
        changes["partition"] = partition
    if "array" in m and top:
        raise r.fail(f"{key}.array", "a sweep belongs to one experiment; move `array` to that experiment's executor")
    for name, (lo, hi) in LIMITS.items():
        if name in m:
            changes[name] = r.number(m[name], f"{key}.{name}", int, lo, hi, None)
    if "mem_gb" in m:
        changes["mem_gb"] = r.number(m["mem_gb"], f"{key}.mem_gb", float, 0.001, 1_000_000, None)
    if "sbatch" in m:
        changes["sbatch"] = _sbatch(r, m["sbatch"], f"{key}.sbatch")
    return dataclasses.replace(spec, **changes)
