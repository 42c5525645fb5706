"""A `paperprov status` that took long starts a server for the next one (PAPERPROV_SERVER
auto), against real processes: the status runs as its own program with main.START_AFTER
lowered to zero, so that any status counts as slow."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Repo, paper, run_cli, section

# `paperprov status ARGS`, with every status slow enough to start a server; each process it
# starts (git's too) is named in $STARTED, a line each, when that is set.
SLOW = """
import os, subprocess, sys
import provenance.cli.main as m
m.START_AFTER = 0.0
class Popen(subprocess.Popen):
    def __init__(self, args, *rest, **kw):
        if os.environ.get("STARTED"):
            with open(os.environ["STARTED"], "a") as f:
                f.write(" ".join(args) + "\\n")
        super().__init__(args, *rest, **kw)
subprocess.Popen = Popen
sys.argv = ["paperprov", *sys.argv[1:]]
sys.exit(m.main())
"""


def status(repo: Repo, runtime: Path, mode: str | None, *args: str, stderr: int = subprocess.PIPE,
           extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), **(extra or {})}
    env.pop("PAPERPROV_SERVER")
    if mode is not None:
        env["PAPERPROV_SERVER"] = mode
    # The pipes: run() returns when they close, so a server that kept them would hang it.
    return subprocess.run([sys.executable, "-c", SLOW, "status", *args], cwd=repo.path, env=env,
                          stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=60)


def servers(started: Path) -> int:
    """How many servers the statuses that wrote `started` started."""
    return sum(" -m provenance serve --detach " in line for line in started.read_text().splitlines())


def wait_for(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def made(repo: Repo, runtime: Path) -> Iterator[Repo]:
    repo.commit("Paper\n\nAssisted-by: none", {**paper("ai"), "paper/sections/base.tex": section("base")})
    yield repo
    log = runtime / "paperprov" / "serve.log"
    started = re.search(r"\(pid (\d+)\)", log.read_text()) if log.exists() else None
    if started:  # a server the test started: stopped by its PID, whatever the test did
        try:
            os.kill(int(started.group(1)), signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_slow_status_starts_a_server_that_serves_the_next(made: Repo, runtime: Path) -> None:
    first = status(made, runtime, None, "--json")
    assert first.returncode == 0 and first.stderr == "", first.stderr  # not a terminal: nothing said
    sock, log = runtime / "paperprov" / "serve.sock", runtime / "paperprov" / "serve.log"
    assert wait_for(sock.exists, 30), "no server started"
    second = status(made, runtime, None, "--json")
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, "")
    assert wait_for(lambda: ": exit 0 in " in log.read_text(), 10), log.read_text()
    assert "status --json: exit 0" in log.read_text()
    assert log.read_text().count("listening on") == 1  # the second status found it: it started none
    stop = run_cli(made.path, "serve", "--stop", env={"XDG_RUNTIME_DIR": str(runtime)})
    assert stop.returncode == 0 and "stopped" in stop.stdout, stop.stderr


def test_a_server_that_refuses_the_status_is_not_started_again(made: Repo, runtime: Path, tmp_path: Path) -> None:
    started = tmp_path / "started"
    assert status(made, runtime, None, extra={"STARTED": str(started)}).returncode == 0
    assert servers(started) == 1
    assert wait_for((runtime / "paperprov" / "serve.sock").exists, 30)
    # Another hash seed is another interpreter setting: the server refuses, the status runs
    # here, is slow, and finds the server's lock held: it starts no second one.
    other = status(made, runtime, None, extra={"STARTED": str(started), "PYTHONHASHSEED": "7"})
    assert other.returncode == 0, other.stderr
    log = runtime / "paperprov" / "serve.log"
    assert "not served" in log.read_text()
    assert servers(started) == 1


@pytest.mark.parametrize("mode", ["manual", "off"])
def test_no_server_is_started_unless_auto(made: Repo, runtime: Path, mode: str, tmp_path: Path) -> None:
    started = tmp_path / "started"
    assert status(made, runtime, mode, extra={"STARTED": str(started)}).returncode == 0
    assert started.exists() and servers(started) == 0  # git ran; no server was started
    assert not (runtime / "paperprov").exists()


def test_an_unknown_mode_is_one_line(made: Repo, runtime: Path) -> None:
    bad = status(made, runtime, "sometimes")
    assert bad.returncode == 1 and bad.stdout == "", bad.stderr
    assert bad.stderr.count("\n") == 1 and "PAPERPROV_SERVER='sometimes'" in bad.stderr
    assert "auto, manual or off" in bad.stderr


def test_on_a_terminal_it_says_it_started_one(made: Repo, runtime: Path) -> None:
    main, terminal = pty.openpty()
    try:
        assert status(made, runtime, None, stderr=terminal).returncode == 0
        said = os.read(main, 4096).decode()
    finally:
        os.close(terminal)
        os.close(main)
    assert said.count("\n") == 1 and "started a server" in said and "PAPERPROV_SERVER=manual" in said
    assert wait_for((runtime / "paperprov" / "serve.sock").exists, 30)


def test_no_server_is_started_where_it_could_not_listen(made: Repo, runtime: Path, tmp_path: Path) -> None:
    folder = runtime / "paperprov"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # open to others: a server would refuse it (serve.socket_dir)
    started = tmp_path / "started"
    proc = status(made, runtime, None, extra={"STARTED": str(started)})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert started.exists() and servers(started) == 0
    folder.chmod(0o700)
    assert status(made, runtime, None, extra={"STARTED": str(started)}).returncode == 0
    assert servers(started) == 1
    assert wait_for((folder / "serve.sock").exists, 30)
