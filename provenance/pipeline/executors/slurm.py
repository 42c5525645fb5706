"""The Slurm executor: each experiment is one batch job, a sweep one array job, submitted
with submitit (imported here only: `pip install 'paperprov[slurm]'`).

The job runs `run_task` (executors/__init__.py) on the node with the Python that runs the
build, so the repository and that Python must be on a filesystem the nodes share. It runs
without srun (`use_srun: False`): the command is the batch step itself, so Slurm's early
warning signal (submitit's --signal=USR2@90) reaches nobody, and at the time limit Slurm
stops the command and records TIMEOUT. We wait for a job by watching for the result file
submitit writes (every POLL_S) and by asking accounting (sacct, shared by all waiting
threads, at most every ACCOUNTING_S) whether it ended without one: cancelled, timed out,
out of memory, node failure. Without accounting (slurmdbd) a job that dies that way
cannot be told from a running one, so the cluster must have it; scripts/local-slurm.sh
sets it up.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from provenance.config import ExecutorSpec
from provenance.errors import BuildError, ToolMissing
from provenance.pipeline.executors import RunFailed, TaskRun, TaskSpec, aborted, run_task, tracked

POLL_S = 0.1  # how often to look for a job's result file
ACCOUNTING_S = 2.0  # how often to ask sacct, for all jobs at once
SETTLE_S = 30.0  # how long a failed job's final state may take to reach accounting
UNFINISHED = {"READY", "PENDING", "RUNNING", "UNKNOWN", "REQUEUED", "COMPLETING", "PREEMPTED", "SUSPENDED",
              "CONFIGURING", "RESIZING", "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT", ""}
TRY_LOCALLY = "set PAPERPROV_EXECUTOR=local to run the experiments here (one machine: scripts/local-slurm.sh start)"


def _submitit() -> Any:
    try:
        import submitit
    except ImportError:
        raise ToolMissing("the Slurm executor needs submitit: pip install 'paperprov[slurm]' "
                          f"(or 'submitit>=1.5'), or {TRY_LOCALLY}") from None
    return submitit


def _check_commands() -> None:
    missing = [c for c in ("sbatch", "sacct", "scancel", "srun") if shutil.which(c) is None]
    if missing:
        raise ToolMissing(f"executor kind slurm: {', '.join(missing)} not on PATH; run the build on a Slurm "
                          f"login node, or {TRY_LOCALLY}")


def sbatch_flags(flags: tuple[str, ...]) -> dict[str, Any]:
    """["--qos=high", "--exclusive"] -> {"qos": "high", "exclusive": True}, as submitit takes them."""
    out: dict[str, Any] = {}
    for flag in flags:
        name, eq, value = flag[2:].partition("=")
        out[name] = value if eq else True
    return out


def parameters(name: str, spec: ExecutorSpec) -> dict[str, Any]:
    params: dict[str, Any] = {"name": f"paperprov-{name}", "timeout_min": spec.time_min,
                              "cpus_per_task": spec.cpus, "slurm_use_srun": False,
                              "slurm_additional_parameters": sbatch_flags(spec.sbatch)}
    if spec.partition:
        params["slurm_partition"] = spec.partition
    if spec.gpus:
        params["gpus_per_node"] = spec.gpus
    if spec.mem_gb is not None:
        params["mem_gb"] = spec.mem_gb
    if spec.array is not None:
        params["slurm_array_parallelism"] = spec.array
    return params


class _Accounting:
    """sacct, asked at most every ACCOUNTING_S by all waiting threads together."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0.0

    def state(self, job: Any, force: bool = False) -> str:
        with self.lock:
            if force or time.monotonic() - self.last >= ACCOUNTING_S:
                job.watcher.update()
                self.last = time.monotonic()
            return str(job.watcher.get_state(job.job_id, mode="cache"))


ACCOUNTING = _Accounting()


def _ended(state: str) -> bool:
    return state.split()[0].upper() not in UNFINISHED if state else False


def _wait(job: Any) -> None:
    """Until the job wrote its result or accounting says it ended."""
    while not job.paths.result_pickle.exists():
        if _ended(ACCOUNTING.state(job)):
            return
        time.sleep(POLL_S)


def _final_state(job: Any, fallback: str) -> str:
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        state = ACCOUNTING.state(job, force=True)
        if _ended(state):
            return state.split()[0].upper()  # "CANCELLED by 0" -> CANCELLED
        time.sleep(0.5)
    return fallback


def _collect(job: Any, task: TaskSpec, failed_job_error: type[Exception]) -> TaskRun:
    _wait(job)
    code = None
    if job.paths.result_pickle.exists():
        try:
            run = job.result()
        except failed_job_error as exc:
            found = re.search(r"TaskExit: exit code (-?\d+)", str(exc))
            code = int(found.group(1)) if found else None
        else:
            return dataclasses.replace(run, job=job.job_id, state="COMPLETED")
    state = _final_state(job, "FAILED")
    raise RunFailed(task.index, job.job_id, state, code, (task.stderr, str(job.paths.stderr)))


def _scancel(job_ids: list[str]) -> None:
    if not job_ids:
        return
    subprocess.run(["scancel", *job_ids], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   timeout=60)


class SlurmExecutor:
    kind = "slurm"

    def run(self, name: str, spec: ExecutorSpec, tasks: list[TaskSpec], folder: Path) -> list[TaskRun]:
        submitit = _submitit()
        _check_commands()
        ex = submitit.AutoExecutor(folder=folder / "slurm", cluster="slurm")
        ex.update_parameters(**parameters(name, spec))
        jobs: list[Any] = []
        # Tracked before submitting: a Ctrl-C or a failing task while sbatch runs must
        # still cancel what it submits (the check after it covers a cancel that came first).
        with tracked(lambda: _scancel([j.job_id for j in jobs])):
            try:
                jobs += ex.map_array(run_task, tasks) if spec.array is not None else [ex.submit(run_task, tasks[0])]
            except (submitit.core.utils.FailedJobError, submitit.core.utils.FailedSubmissionError, OSError) as exc:
                last = (str(exc).strip().splitlines() or ["no message"])[-1]
                raise BuildError(f"experiment {name}: Slurm did not take the job ({last}); check that `sinfo` "
                                 f"answers and the executor settings in provenance.yaml, or {TRY_LOCALLY}") from None
            if aborted():
                _scancel([j.job_id for j in jobs])
            return [_collect(job, task, submitit.core.utils.FailedJobError) for job, task in zip(jobs, tasks)]
