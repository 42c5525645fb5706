"""Running a command with its output kept: stdout and stderr, interleaved as they come, go
to a log file under build/logs/ and to this process's stdout (which doit shows live with
`doit -v 2` and keeps to itself otherwise); a run longer than 10 s shows its elapsed time
(a line updated in place on a terminal, a line a minute when not); a failure is
summarised as the log's last 20 lines, one per line, with its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.errors import BuildError

TAIL_LINES = 20
QUIET_SECONDS = 10.0  # runs shorter than this show nothing but their own output


@dataclass(frozen=True)
class Finished:
    returncode: int
    tail: tuple[str, ...]  # the output's last TAIL_LINES non-empty lines
    seconds: float


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


class _Ticker(threading.Thread):
    """Elapsed time on stderr: redrawn every second on a terminal, a line a minute otherwise."""

    def __init__(self, what: str, log: str) -> None:
        super().__init__(daemon=True)
        self.what, self.log, self.start_time = what, log, time.monotonic()
        self.done = threading.Event()
        self.out = live(sys.stderr) or (sys.stderr if not hasattr(sys.stderr, "writers") else None)
        self.tty = bool(self.out is not None and self.out.isatty())
        self.drawn = False

    def run(self) -> None:
        if self.out is None:
            return
        step = 1.0 if self.tty else 60.0
        next_at = QUIET_SECONDS if self.tty else 60.0
        while not self.done.wait(min(step, max(next_at - self.elapsed(), 0.05))):
            if self.elapsed() < next_at:
                continue
            line = f"{self.what}: running for {_clock(self.elapsed())} (log: {self.log})"
            if self.tty:
                self.out.write("\r" + line + "\x1b[K")
                self.drawn = True
            else:
                self.out.write(line + "\n")
            self.out.flush()
            next_at += step

    def elapsed(self) -> float:
        return time.monotonic() - self.start_time

    def stop(self) -> None:
        self.done.set()
        self.join()
        if self.drawn and self.out is not None:
            self.out.write("\r\x1b[K")
            self.out.flush()


def run_logged(argv: list[str], cwd: Path, env: dict[str, str], log: Path, what: str, shown: str) -> Finished:
    """Run `argv`, keeping its output in `log` (`shown` is how messages name the log)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    ticker = _Ticker(what, shown)
    echo = live(sys.stdout)
    with open(log, "wb") as fh:
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise BuildError(f"{what}: cannot start {argv[0]} ({exc.strerror}); check the command in "
                             "provenance.yaml") from None
        ticker.start()
        try:
            assert proc.stdout is not None
            for raw in iter(proc.stdout.readline, b""):
                fh.write(raw)
                fh.flush()
                text = raw.decode("utf-8", "replace")
                if echo is not None:
                    echo.write(text)
                    echo.flush()
                if text.strip():
                    tail.append(text.rstrip("\r\n"))
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted: the experiment must not outlive the build
                proc.kill()
                proc.wait()
            ticker.stop()
    return Finished(code, tuple(tail), ticker.elapsed())


def summary(tail: tuple[str, ...], shown: str) -> str:
    """The last lines, one per line, and where the rest is."""
    if not tail:
        return f"it printed nothing (log: {shown})"
    lines = "".join(f"\n    {ln}" for ln in tail)
    return f"its last {len(tail)} lines (full log: {shown}):{lines}"


def relpath(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
