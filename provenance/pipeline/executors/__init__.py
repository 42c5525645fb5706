"""Where experiments run: the executor interface, the unit of work both executors run,
and what is in flight.

An experiment is one task, or N tasks for a sweep (`executor.array`). pipeline/experiments.py
builds each task's command (TaskSpec), hands the tasks to an executor and checks the outputs
afterwards, so both executors share those rules. An executor runs `run_task` for each task,
`local` (executors/local.py) in this process, `slurm` (executors/slurm.py) in a batch job on
a node, and returns a TaskRun per task or raises RunFailed.

How experiments run side by side, given doit's execution model
---------------------------------------------------------------
doit decides what is out of date, task by task, just before it runs each one; no task sees
the list of out-of-date experiments in advance. So the dodo.py (and the one `paperprov init`
writes) asks doit for its thread runner (DOIT_CONFIG `par_type: thread`, `num_process`):
every out-of-date experiment task runs in a thread of its own, submits its job and waits for
it, so independent Slurm jobs are submitted together and waited for together, and doit's own
bookkeeping (a task succeeds only when its outputs exist and passed the checks) stays
exact. The alternative, one task that submits and another that waits, would have doit record
an experiment as done before its job had run. Local runs share this machine's cores through
a counter (local.py), so a thread per experiment does not overload it.

What is submitted is tracked here. A failing task (tasks.action calls cancel_all), an
interrupted build (Ctrl-C: the waiting thread's own exception, or atexit for other threads)
cancels every job and local process still in flight; those report that they were cancelled
because of another failure. `doit --continue` keeps the others running.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from provenance.config import EXECUTOR_KINDS, ExecutorSpec
from provenance.errors import ConfigError

KIND_ENV = "PAPERPROV_EXECUTOR"  # overrides executor.kind for one build


@dataclass(frozen=True)
class TaskSpec:
    """One command to run: picklable, so that it can travel to a Slurm node."""

    index: int  # the task's number in a sweep; 0 for a single run
    argv: tuple[str, ...]  # the exact command
    cwd: str  # the repository root (on a cluster: on the shared filesystem)
    env: tuple[tuple[str, str], ...]  # set on top of the environment the task starts in
    stdout: str  # absolute paths of the task's own logs (the same path: one interleaved log)
    stderr: str


@dataclass(frozen=True)
class TaskRun:
    """What happened when a task ran, as the machine that ran it saw it."""

    index: int
    node: str
    start: str  # UTC, ISO 8601
    end: str
    python: str  # implementation and version of the interpreter that ran it
    packages: str  # "name==version" lines, sorted: the installed distributions
    job: str | None = None  # the Slurm job id (array: "<job>_<i>"); None when local
    state: str = "COMPLETED"


class TaskExit(Exception):
    """The command exited non-zero (negative: killed by that signal)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"exit code {code}")
        self.code = code


@dataclass
class RunFailed(Exception):
    """A task did not complete; experiments.py turns it into the build's one line."""

    index: int
    job: str | None
    state: str  # COMPLETED never; FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...
    exit_code: int | None
    logs: tuple[str, ...]  # where to look for the last lines, best first


class Executor(Protocol):
    kind: str

    def run(self, name: str, spec: ExecutorSpec, tasks: list[TaskSpec], folder: Path) -> list[TaskRun]:
        """Run every task (`folder`: this experiment's directory under build/runs/, for
        the executor's own files); a TaskRun each, in order, or RunFailed."""
        ...


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def environment() -> tuple[str, str]:
    """(python, packages) of this interpreter: the one that runs the experiment's command."""
    import importlib.metadata  # 50 ms of imports (email.*): not on every `doit` call
    import platform

    names = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            names[name.lower()] = f"{name}=={dist.version}"
    packages = "".join(line + "\n" for _, line in sorted(names.items()))
    return f"{platform.python_implementation()} {platform.python_version()}", packages


def run_task(spec: TaskSpec, started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> TaskRun:
    """Run one task where this function is called: locally, or inside a Slurm job (then
    submitit calls it on the node). Its output goes to its own logs; TaskExit if it fails."""
    env = dict(os.environ)
    env.update(spec.env)
    python, packages = environment()
    start = now()
    # One log for both streams (the build's build/logs/<name>.log) keeps them interleaved
    # as they came.
    with open(spec.stdout, "wb") as out, \
            (contextlib.nullcontext(None) if spec.stderr == spec.stdout else open(spec.stderr, "wb")) as err:
        proc = subprocess.Popen(list(spec.argv), cwd=spec.cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT if err is None else err)
        if started is not None:
            started(proc)
        code = proc.wait()
    end = now()
    import socket

    if code != 0:
        raise TaskExit(code)
    return TaskRun(index=spec.index, node=socket.gethostname(), start=start, end=end, python=python,
                   packages=packages)


def chosen_kind(spec: ExecutorSpec) -> str:
    """The executor for this build: $PAPERPROV_EXECUTOR when set, else the configured kind."""
    forced = os.environ.get(KIND_ENV, "")
    if forced and forced not in EXECUTOR_KINDS:
        raise ConfigError(f"{KIND_ENV}={forced}: unknown executor; use one of {', '.join(EXECUTOR_KINDS)} or unset it")
    return forced or spec.kind


# -- what is in flight -----------------------------------------------------------------

_lock = threading.Lock()
_live: dict[int, Callable[[], None]] = {}
_aborted = threading.Event()
_exiting = threading.Event()


@contextlib.contextmanager
def tracked(cancel: Callable[[], None]) -> Iterator[None]:
    """Run the body with `cancel` on the list cancel_all works through; an exception
    (Ctrl-C included) in the body cancels it at once."""
    key = id(cancel)
    with _lock:
        _live[key] = cancel
    try:
        yield
    except BaseException:
        cancel()
        raise
    finally:
        with _lock:
            _live.pop(key, None)


def aborted() -> bool:
    """Whether cancel_all has run: a task that fails now was cancelled because of another."""
    return _aborted.is_set()


def cancel_all() -> None:
    """Cancel every job and local run still in flight (a task failed, or the build ends)."""
    if any(arg in ("-c", "--continue") for arg in sys.argv[1:]) and not _exiting.is_set():
        return  # doit --continue: the user wants the other tasks to finish
    _aborted.set()
    with _lock:
        pending = list(_live.values())
    for cancel in pending:
        with contextlib.suppress(Exception):  # best effort: the build is failing anyway
            cancel()


def _at_exit() -> None:
    _exiting.set()  # the build ends (Ctrl-C in doit's main thread, say): nothing may keep running
    cancel_all()


atexit.register(_at_exit)
