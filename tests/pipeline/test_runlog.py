"""An experiment's output: kept in build/logs/<name>.log, shown live with `doit -v 2`, a
failure summarised as the last 20 lines with the log's path, elapsed time on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.helpers import ROOT, Repo, run_doit

CONFIG = """paper: {name: t, main: main.tex}
experiments:
  - {name: talk, command: ["{python}", talk.py, "{out}"], outputs: [done.txt]}
  - {name: noisy, command: ["{python}", noisy.py], outputs: [never.txt]}
  - {name: slow, command: ["{python}", slow.py, "{out}"], outputs: [done.txt]}
"""
TALK = ("import pathlib, sys\nprint('result line 1')\nprint('a warning', file=sys.stderr, flush=True)\n"
        "print('result line 2')\npathlib.Path(sys.argv[1], 'done.txt').write_text('ok')\n")
NOISY = "import sys\nfor i in range(50):\n    print(f'progress {i}')\nsys.exit(3)\n"
SLOW = "import pathlib, sys, time\ntime.sleep(12)\npathlib.Path(sys.argv[1], 'done.txt').write_text('ok')\n"


def paper(repo: Repo) -> Repo:
    repo.commit("paper", {"provenance.yaml": CONFIG, "dodo.py": (ROOT / "dodo.py").read_text(),
                          "main.tex": "\\documentclass{article}\\begin{document}x\\end{document}\n",
                          "talk.py": TALK, "noisy.py": NOISY, "slow.py": SLOW})
    return repo


def test_output_goes_to_the_log_and_is_shown_live_with_verbosity_2(repo: Repo) -> None:
    paper(repo)
    quiet = run_doit(repo.path, "experiments:talk")
    assert quiet.returncode == 0, quiet.stderr
    assert "result line" not in quiet.stdout + quiet.stderr  # kept, not shown, at the default verbosity
    log = (repo.path / "build/logs/talk.log").read_text()
    assert log == "result line 1\na warning\nresult line 2\n"  # stdout and stderr as they came
    (repo.path / "talk.py").write_text(TALK + "# changed\n")
    loud = run_doit(repo.path, "-v", "2", "experiments:talk")
    assert loud.returncode == 0 and "result line 1\na warning\nresult line 2\n" in loud.stdout


def test_a_failure_shows_the_last_20_lines_one_per_line_and_the_log(repo: Repo) -> None:
    paper(repo)
    proc = run_doit(repo.path, "experiments:noisy")
    out = proc.stdout + proc.stderr
    expected = ("paperprov: experiment noisy ({python} noisy.py) failed with exit code 3; its last 20 lines "
                "(full log: build/logs/noisy.log):" + "".join(f"\n    progress {i}" for i in range(30, 50)) + "\n")
    assert proc.returncode != 0 and expected in out, out
    assert out.count("progress 29") == 0


def test_a_long_run_shows_its_elapsed_time_on_a_terminal(repo: Repo) -> None:
    paper(repo)
    pid, fd = pty.fork()
    if pid == 0:  # the child: doit on a terminal
        os.chdir(repo.path)
        os.execv(sys.executable, [sys.executable, "-m", "doit", "experiments:slow"])
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert "\rexperiments:slow: running for 0:00:1" in screen  # redrawn in place after 10 s
    assert "(log: build/logs/slow.log)" in screen
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo.path, capture_output=True).returncode == 0
