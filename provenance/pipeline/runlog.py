"""What an experiment's run shows: its log, live, and how long it has been running.

Each task writes its stdout and stderr, interleaved as they come, into one log file under
build/logs/ (executors.run_task, wherever the task runs: on a Slurm node too, through the
shared filesystem). While the executor runs, `follow` copies what the logs gain to this
process's stdout, which doit shows live with `doit -v 2` (and otherwise keeps to itself),
and after 10 s shows the elapsed time: a line redrawn in place on a terminal, a line a
minute when not. A failure is summarised as the log's last 20 lines, one per line.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TAIL_LINES = 20
QUIET_SECONDS = 10.0  # runs shorter than this show nothing but their own output


def live(stream: Any) -> Any:
    """The real stream behind doit's capture, or None when doit shows nothing live (it
    would only repeat the output after a failure, which the summary already covers).
    Outside doit (the reviewer's rebuild): the stream itself if it is a terminal."""
    if hasattr(stream, "writers"):  # doit.action.Writer: capture, plus the terminal with -v 2
        return getattr(stream, "orig_stream", None)
    return stream if stream.isatty() else None


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


class _Follower(threading.Thread):
    """Copies what the logs gain to `echo`; shows the elapsed time on `status`."""

    def __init__(self, logs: list[Path], what: str, shown: str) -> None:
        super().__init__(daemon=True)
        self.logs, self.what, self.shown = logs, what, shown
        self.offsets = [0] * len(logs)
        self.echo = live(sys.stdout)
        self.status = live(sys.stderr) or (None if hasattr(sys.stderr, "writers") else sys.stderr)
        self.tty = bool(self.status is not None and self.status.isatty())
        self.start_time = time.monotonic()
        self.done = threading.Event()
        self.drawn = False

    def elapsed(self) -> float:
        return time.monotonic() - self.start_time

    def copy_new(self) -> None:
        if self.echo is None:
            return
        for i, log in enumerate(self.logs):
            try:
                with open(log, "rb") as fh:
                    fh.seek(self.offsets[i])
                    data = fh.read()
            except OSError:
                continue
            if data:
                self.offsets[i] += len(data)
                self.clear()
                self.echo.write(data.decode("utf-8", "replace"))
                self.echo.flush()

    def clear(self) -> None:
        if self.drawn and self.status is not None:
            self.status.write("\r\x1b[K")
            self.status.flush()
            self.drawn = False

    def tick(self, next_at: float) -> float:
        if self.status is None or self.elapsed() < next_at:
            return next_at
        line = f"{self.what}: running for {_clock(self.elapsed())} (log: {self.shown})"
        if self.tty:
            self.status.write("\r" + line + "\x1b[K")
            self.drawn = True
        else:
            self.status.write(line + "\n")
        self.status.flush()
        return next_at + (1.0 if self.tty else 60.0)

    def run(self) -> None:
        next_at = QUIET_SECONDS if self.tty else 60.0
        while not self.done.wait(0.2):
            self.copy_new()
            next_at = self.tick(next_at)
        self.copy_new()
        self.clear()


@contextlib.contextmanager
def follow(logs: list[Path], what: str, shown: str) -> Iterator[None]:
    """Show the logs live and the elapsed time while the body runs the tasks."""
    follower = _Follower(logs, what, shown)
    follower.start()
    try:
        yield
    finally:
        follower.done.set()
        follower.join()


def last_lines(paths: list[Path], n: int = TAIL_LINES) -> tuple[str, ...]:
    """The last `n` non-empty lines of the experiment's own log (the first path); failing
    that, only Slurm's own messages from the job's log (the job wrapper's traceback there
    says nothing about the experiment)."""
    for i, path in enumerate(paths):
        try:
            with open(path, "rb") as fh:
                kept: deque[str] = deque(maxlen=n)
                for raw in fh:
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    if line.strip() and (i == 0 or line.lstrip().startswith(("slurmstepd", "srun:", "sbatch:"))):
                        kept.append(line)
        except OSError:
            continue
        if kept:
            return tuple(kept)
    return ()


def summary(tail: tuple[str, ...], shown: str) -> str:
    """The last lines, one per line, and where the rest is."""
    if not tail:
        return f"it printed nothing (log: {shown})"
    lines = "".join(f"\n    {ln}" for ln in tail)
    return f"its last {len(tail)} lines (full log: {shown}):{lines}"
