"""Running one experiment on its executor: its commands, its declared outputs, its failure
in one line, and the facts of its run (build/runs/<name>.json, attest/runs.py).

The rules both executors share live here, once: the command a task runs, the environment
it gets on top of the one it starts in, removing stale outputs first, the check that every
declared output was written, the failure line, and hashing the outputs after the run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from provenance.attest.runs import write_packages, write_run
from provenance.config import Config, Experiment
from provenance.errors import BuildError
from provenance.hashing import digest_files
from provenance.paths import RUNS_DIR, run_facts
from provenance.pipeline import executors
from provenance.pipeline.env import reproducible_overrides
from provenance.pipeline.executors import RunFailed, TaskRun, TaskSpec


def command(exp: Experiment, outdir: str, index: int) -> list[str]:
    """`python SCRIPT --out OUTDIR --seed SEED [--task I] ARGS...`, run from the repository root."""
    cmd = [sys.executable, exp.script, "--out", outdir, "--seed", str(exp.seed)]
    if exp.executor.array is not None:
        cmd += ["--task", str(index)]
    return cmd + list(exp.args)


def task_specs(cfg: Config, exp: Experiment, folder: Path) -> list[TaskSpec]:
    env = tuple(sorted(reproducible_overrides(cfg.root).items()))
    return [TaskSpec(index=i, argv=tuple(command(exp, outdir, i)), cwd=str(cfg.root), env=env,
                     stdout=str(folder / f"{i}.stdout"), stderr=str(folder / f"{i}.stderr"))
            for i, outdir in enumerate(exp.task_outdirs)]


def tail(paths: tuple[str, ...], lines: int = 8) -> str:
    """The last non-empty lines of the experiment's own log (the first path), joined on
    one line; failing that, only Slurm's own messages from the job's log (the wrapper's
    Python traceback there says nothing about the experiment)."""
    for i, path in enumerate(paths):
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        kept = [ln.strip() for ln in text.splitlines() if ln.strip()
                and (i == 0 or ln.lstrip().startswith(("slurmstepd", "srun:", "sbatch:")))][-lines:]
        if kept:
            return " | ".join(kept)
    return "(no output on stderr)"


def failure(exp: Experiment, err: RunFailed) -> str:
    what = f"experiment {exp.name} ({exp.script})"
    if exp.executor.array is not None:
        what += f" task {err.index}"
    if err.job is None and err.state == "FAILED":
        how = f"failed with exit code {err.exit_code}"
    else:
        code = f" (exit code {err.exit_code})" if err.state == "FAILED" and err.exit_code is not None else ""
        how = f"failed: Slurm job {err.job} {err.state}{code}" if err.job else f"failed: {err.state}"
        if err.state.startswith("CANCELLED") and executors.aborted():
            how += " because another task of this build failed or it was interrupted"
    return f"{what} {how}: {tail(err.logs)}"


def _prepare(cfg: Config, exp: Experiment, folder: Path) -> None:
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file. The same for the last run's facts and logs.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
    (cfg.root / run_facts(exp.name)).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for outdir in exp.task_outdirs:
        (cfg.root / outdir).mkdir(parents=True, exist_ok=True)


def _check_outputs(cfg: Config, exp: Experiment, tasks: list[TaskSpec]) -> None:
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        raise BuildError(
            f"experiment {exp.name} ({exp.script}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml "
            f"({tail(tuple(t.stderr for t in tasks), 3)})"
        )


def _executor_facts(kind: str, exp: Experiment) -> dict[str, Any]:
    spec = exp.executor
    facts: dict[str, Any] = {"kind": kind}
    if kind == "slurm":
        facts.update(partition=spec.partition, time_min=spec.time_min, cpus=spec.cpus, gpus=spec.gpus,
                     mem_gb=spec.mem_gb, sbatch=list(spec.sbatch))
    if spec.array is not None:
        facts["array"] = spec.array
    return facts


def _task_facts(cfg: Config, task: TaskSpec, run: TaskRun) -> dict[str, Any]:
    return {"index": task.index, "command": list(task.argv), "job": run.job, "node": run.node,
            "start": run.start, "end": run.end, "state": run.state, "python": run.python,
            "packages": write_packages(cfg.root, run.packages)}


def executor(kind: str) -> executors.Executor:
    if kind == "slurm":
        from provenance.pipeline.executors.slurm import SlurmExecutor  # only builds that use it pay for it

        return SlurmExecutor()
    from provenance.pipeline.executors.local import LocalExecutor

    return LocalExecutor()


def run_experiment(cfg: Config, exp: Experiment, kind: str | None = None) -> None:
    """Run `exp` on `kind` (default: PAPERPROV_EXECUTOR, else its configured executor)."""
    kind = kind or executors.chosen_kind(exp.executor)
    folder = cfg.root / RUNS_DIR / exp.name
    _prepare(cfg, exp, folder)
    tasks = task_specs(cfg, exp, folder)
    try:
        runs = executor(kind).run(exp.name, exp.executor, tasks, folder)
    except RunFailed as err:
        raise BuildError(failure(exp, err)) from None
    _check_outputs(cfg, exp, tasks)
    # Hashed here, after the job ended, from the filesystem it wrote to.
    outputs = digest_files(cfg.root, exp.targets)
    write_run(cfg.root, exp.name, _executor_facts(kind, exp),
              [_task_facts(cfg, t, r) for t, r in zip(tasks, runs)], outputs)
