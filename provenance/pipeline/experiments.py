"""Running one experiment on its executor: its commands, its declared outputs, its failure
summarised, and the facts of its run (build/runs/<name>.json, attest/runs.py).

The rules both executors share live here, once: the command a task runs (command.py), the
environment it gets on top of the one it starts in (its own SOURCE_DATE_EPOCH among it),
its log under build/logs/ (shown live by runlog.py), removing stale outputs first, the
check that every declared output was written, the failure message, and hashing the
outputs after the run.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from provenance.attest.runs import write_packages, write_run
from provenance.config import Config, Experiment
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.hashing import digest_files
from provenance.paths import RUNS_DIR, experiment_epoch, experiment_log, run_facts
from provenance.pipeline import executors
from provenance.pipeline.command import experiment_command
from provenance.pipeline.env import reproducible_overrides
from provenance.pipeline.executors import RunFailed, TaskRun, TaskSpec
from provenance.pipeline.runlog import follow, last_lines, summary


def _log(exp: Experiment, index: int) -> str:
    return experiment_log(exp.name, None if exp.executor.array is None else index)


def task_specs(cfg: Config, exp: Experiment, epoch: int | None = None) -> list[TaskSpec]:
    env = tuple(sorted(reproducible_overrides(cfg.root, epoch).items()))
    specs = []
    for i, outdir in enumerate(exp.task_outdirs):
        cmd = experiment_command(cfg.root, exp, outdir, task=i)
        log = str(cfg.root / _log(exp, i))  # stdout and stderr interleaved in one file
        specs.append(TaskSpec(index=i, argv=cmd.argv, cwd=str(cmd.cwd), env=env, stdout=log, stderr=log))
    return specs


def failure(cfg: Config, exp: Experiment, err: RunFailed) -> str:
    what = f"experiment {exp.name} ({exp.label})"
    if exp.executor.array is not None:
        what += f" task {err.index}"
    if err.job is None and err.state == "FAILED":
        code = err.exit_code or 0
        how = f"was killed by signal {-code}" if code < 0 else f"failed with exit code {code}"
    else:
        code_text = f" (exit code {err.exit_code})" if err.state == "FAILED" and err.exit_code is not None else ""
        how = f"failed: Slurm job {err.job} {err.state}{code_text}" if err.job else f"failed: {err.state}"
        if err.state.startswith("CANCELLED") and executors.aborted():
            how += " because another task of this build failed or it was interrupted"
    log = _log(exp, err.index)
    return f"{what} {how}; {summary(last_lines([cfg.root / log] + [Path(p) for p in err.logs]), log)}"


def _prepare(cfg: Config, exp: Experiment, folder: Path) -> None:
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file. The same for the last run's facts, logs and epoch.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
        (cfg.root / target).parent.mkdir(parents=True, exist_ok=True)
    for rel in (run_facts(exp.name), experiment_epoch(exp.name)):
        (cfg.root / rel).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for i, outdir in enumerate(exp.task_outdirs):
        (cfg.root / outdir).mkdir(parents=True, exist_ok=True)
        log = cfg.root / _log(exp, i)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.unlink(missing_ok=True)


def _check_outputs(cfg: Config, exp: Experiment) -> None:
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        log = _log(exp, 0)
        raise BuildError(
            f"experiment {exp.name} ({exp.label}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml; "
            f"{summary(last_lines([cfg.root / log], 3), log)}"
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


def run_experiment(cfg: Config, exp: Experiment, kind: str | None = None, epoch: int | None = None) -> None:
    """Run `exp` on `kind` (default: PAPERPROV_EXECUTOR, else its configured executor) with
    SOURCE_DATE_EPOCH `epoch` (its own, evidence/epochs.py; None: HEAD's)."""
    kind = kind or executors.chosen_kind(exp.executor)
    folder = cfg.root / RUNS_DIR / exp.name
    _prepare(cfg, exp, folder)
    tasks = task_specs(cfg, exp, epoch)
    shown = _log(exp, 0) if len(tasks) == 1 else f"build/logs/{exp.name}.*.log"
    try:
        with follow([Path(t.stdout) for t in tasks], f"experiments:{exp.name}", shown):
            runs = executor(kind).run(exp.name, exp.executor, tasks, folder)
    except RunFailed as err:
        raise BuildError(failure(cfg, exp, err)) from None
    _check_outputs(cfg, exp)
    # Hashed here, after the job ended, from the filesystem it wrote to.
    outputs = digest_files(cfg.root, exp.targets)
    write_run(cfg.root, exp.name, _executor_facts(kind, exp),
              [_task_facts(cfg, t, r) for t, r in zip(tasks, runs)], outputs)
    write_text_atomic(cfg.root / experiment_epoch(exp.name), dict(tasks[0].env)["SOURCE_DATE_EPOCH"] + "\n")
