"""One build at a time in a tree; a read-only or full build/ and a corrupt doit database
are one line each (pipeline/guard.py), with real doit processes, real bwrap and a real
full filesystem."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest

from provenance.pipeline.guard import doit_command
from tests.helpers import IN_CI, ROOT, Repo, run_doit

SLOW = """import argparse, pathlib, time
p = argparse.ArgumentParser(); p.add_argument("--out"); p.add_argument("--seed")
a = p.parse_args()
time.sleep(%s)
pathlib.Path(a.out, "table.tex").write_text("x\\n")
"""


def paper(repo: Repo, sleep: float = 0) -> Repo:
    repo.commit("Paper", {
        "provenance.yaml": "paper: {name: tiny, main: paper/main.tex}\n"
                           "experiments:\n  - {name: sq, script: experiments/sq.py, outputs: [table.tex]}\n",
        "paper/main.tex": "\\documentclass{article}\n\\begin{document}\nx\n\\end{document}\n",
        "experiments/sq.py": SLOW % sleep,
        "dodo.py": (ROOT / "dodo.py").read_text(),
        ".gitignore": "build/\n.doit.db*\n",
    })
    return repo


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        if IN_CI:
            pytest.fail(f"{tool} missing in CI: install.sh must install it")
        pytest.skip(f"{tool} not installed")


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc.stderr


def test_a_second_build_waits_for_the_first_and_says_so(repo: Repo) -> None:
    paper(repo, sleep=3)
    first = subprocess.Popen([sys.executable, "-m", "doit", "experiments"], cwd=repo.path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = repo.path / "build" / ".lock"
    for _ in range(200):  # until the first build holds the lock and has said who it is
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.05)
    second = run_doit(repo.path, "experiments")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "Traceback" not in out + err
    assert second.returncode == 0, second.stderr
    assert one_line(second) == (f"paperprov: another build is running in this tree (pid {first.pid}); "
                                "waiting for it to finish\n")
    assert "-- experiments:sq" in second.stdout  # the first build's result is up to date


def test_listing_tasks_does_not_wait_for_a_build(repo: Repo) -> None:
    paper(repo, sleep=5)
    first = subprocess.Popen([sys.executable, "-m", "doit", "experiments"], cwd=repo.path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        listed = run_doit(repo.path, "list")
        assert listed.returncode == 0 and "waiting" not in listed.stderr and "experiments" in listed.stdout
    finally:
        first.wait(timeout=60)


@pytest.mark.parametrize(("args", "command"), [
    ([], "run"), (["build"], "run"), (["-n", "2", "build"], "run"), (["list"], "list"),
    (["-f", "dodo.py", "list", "--all"], "list"), (["clean"], "clean"), (["info", "paper"], "info"),
])
def test_the_doit_command_is_read_as_doit_reads_it(args: list[str], command: str) -> None:
    assert doit_command(args) == command


def test_a_read_only_build_directory_is_one_line(repo: Repo) -> None:
    needs("bwrap")
    paper(repo)
    (repo.path / "build").mkdir()
    build = str(repo.path / "build")
    proc = subprocess.run(["bwrap", "--dev-bind", "/", "/", "--ro-bind", build, build, "--",
                           sys.executable, "-m", "doit", "experiments"], cwd=repo.path, capture_output=True, text=True)
    assert proc.returncode == 1
    assert one_line(proc) == ("paperprov: build/.lock: cannot create it (Read-only file system); make build/ "
                              "writable (or free space on its disk) and run doit again\n")


def test_a_full_build_directory_is_one_line_naming_the_file(repo: Repo) -> None:
    needs("unshare")
    paper(repo)
    (repo.path / "build").mkdir()
    script = ("mount -t tmpfs -o size=64k tmpfs build && head -c 200000 /dev/zero > build/fill 2>/dev/null; "
              f"exec {sys.executable} -m doit checks")
    proc = subprocess.run(["unshare", "-Urm", "sh", "-c", script], cwd=repo.path, capture_output=True, text=True)
    if "unshare failed" in proc.stderr or "Operation not permitted" in proc.stderr:
        pytest.fail(f"unshare cannot make a mount namespace here: {proc.stderr}")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (f"paperprov: {repo.path / 'build' / 'checks.json'}: No space left on device; check that build/ is "
            "writable and its disk has space, then run doit again") in proc.stdout + proc.stderr


@pytest.mark.parametrize("content", [b"\x00garbage" * 50, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupt_doit_database_is_moved_aside_and_rebuilt(repo: Repo, content: bytes) -> None:
    paper(repo)
    (repo.path / ".doit.db").write_bytes(content)
    proc = run_doit(repo.path, "experiments")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = one_line(proc)
    assert line.startswith("paperprov: .doit.db was corrupt (") and line.endswith(
        "); moved it to .doit.db.corrupt, so every task runs once\n")
    assert (repo.path / ".doit.db.corrupt").read_bytes() == content
    assert (repo.path / "build/experiments/sq/table.tex").is_file()
    again = run_doit(repo.path, "experiments")
    assert again.stderr == "" and "-- experiments:sq" in again.stdout
