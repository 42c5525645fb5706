"""The local executor: each task is a subprocess of the build, as before there were
executors. Tasks of a sweep run one after another.

With doit's thread runner several experiments run at once; together they hold at most as
many cores as this machine has (`executor.cpus` each, at least one), so the threads never
start more work than the machine can do at a time.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from provenance.config import ExecutorSpec
from provenance.pipeline.executors import RunFailed, TaskExit, TaskRun, TaskSpec, aborted, run_task, tracked


class _Cores:
    """A counting lock over this machine's cores."""

    def __init__(self, total: int) -> None:
        self.total = max(1, total)
        self.free = self.total
        self.cond = threading.Condition()

    def hold(self, n: int) -> int:
        n = min(max(1, n), self.total)
        with self.cond:
            self.cond.wait_for(lambda: self.free >= n)
            self.free -= n
        return n

    def release(self, n: int) -> None:
        with self.cond:
            self.free += n
            self.cond.notify_all()


CORES = _Cores(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class _Process:
    """The running subprocess of a task, for cancel_all; a cancel that comes before the
    process exists stops it as soon as it does."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.cancelled = False
        self.lock = threading.Lock()

    def started(self, proc: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.proc = proc
            if self.cancelled:
                proc.terminate()

    def cancel(self) -> None:
        with self.lock:
            if self.proc is None:
                self.cancelled = True
            elif self.proc.poll() is None:
                self.cancelled = True
                self.proc.terminate()


class LocalExecutor:
    kind = "local"

    def run(self, name: str, spec: ExecutorSpec, tasks: list[TaskSpec], folder: Path) -> list[TaskRun]:
        runs = []
        for task in tasks:
            held = CORES.hold(spec.cpus)
            try:
                process = _Process()
                with tracked(process.cancel):
                    runs.append(run_task(task, started=process.started))
            except TaskExit as exc:
                state = "CANCELLED" if process.cancelled or aborted() else "FAILED"
                raise RunFailed(task.index, None, state, exc.code, (task.stderr,)) from None
            finally:
                CORES.release(held)
        return runs
