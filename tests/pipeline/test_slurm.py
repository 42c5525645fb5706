"""Experiments through real Slurm, on the one-node cluster of the `cluster` fixture
(tests/pipeline/conftest.py): success, failure, cancellation, timeout, a sweep, a failing
task and Ctrl-C cancelling what is in flight, and a local and a Slurm build of one commit
giving the same bytes."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.attest import signing
from provenance.attest.runs import RUNS_PREDICATE
from tests.helpers import ROOT, Repo, copy_example, git, run_doit

SLURM = {"PAPERPROV_EXECUTOR": "slurm"}
WRITE = ("import argparse, pathlib, sys, time\n"
         "p = argparse.ArgumentParser(); p.add_argument('--out'); p.add_argument('--seed', type=int)\n"
         "p.add_argument('--task', type=int, default=-1); p.add_argument('--sleep', type=float, default=0)\n"
         "a = p.parse_args()\n"
         "print('started', file=sys.stderr, flush=True)\n"
         "time.sleep(a.sleep)\n"
         "pathlib.Path(a.out, 'out.txt').write_text(f'seed={a.seed} task={a.task} square={(a.task + 3) ** 2}\\n')\n")
BAD = "import sys\nprint('step 1 ok', file=sys.stderr)\nraise SystemExit('matrix is singular at step 2')\n"


@pytest.fixture
def tiny(cluster: None, repo: Repo) -> Iterator[Repo]:
    repo.commit("tiny", {
        "provenance.yaml": ("paper: {name: tiny, main: main.tex}\n"
                            "executor: {kind: slurm, time_min: 5}\n"
                            "experiments:\n"
                            "  - {name: quick, script: write.py, outputs: [out.txt], seed: 7}\n"
                            "  - {name: bad, script: bad.py, outputs: [out.txt]}\n"
                            "  - {name: slow, script: write.py, outputs: [out.txt], args: [--sleep, 300]}\n"
                            "  - {name: long, script: write.py, outputs: [out.txt], args: [--sleep, 300]}\n"
                            "  - {name: late, script: write.py, outputs: [out.txt], args: [--sleep, 300],\n"
                            "     executor: {time_min: 1}}\n"
                            "  - {name: sweep, script: write.py, outputs: [out.txt], executor: {array: 3}}\n"),
        "write.py": WRITE, "bad.py": BAD, "dodo.py": (ROOT / "dodo.py").read_text(),
        "main.tex": "\\documentclass{article}\\begin{document}x\\end{document}\n",
        ".gitignore": "build/\n.doit.db*\n",
    })
    yield repo
    # Nothing of this test stays queued for the next one.
    out = subprocess.run(["squeue", "-h", "-o", "%i %Z"], capture_output=True, text=True).stdout
    ids = [i for i, _, wd in (ln.partition(" ") for ln in out.splitlines()) if wd.startswith(str(repo.path))]
    if ids:
        subprocess.run(["scancel", *ids], capture_output=True)


def _line(proc: subprocess.CompletedProcess[str]) -> str:
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    return next(ln for ln in out.splitlines() if ln.startswith("paperprov: "))


def _job_of(repo: Repo, name: str, timeout: float = 60) -> str:
    """The id of experiment `name`'s job once Slurm runs it and the script has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["squeue", "-h", "-t", "RUNNING", "-n", f"paperprov-{name}", "-o", "%i %Z"],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            job, _, workdir = line.partition(" ")
            log = repo.path / f"build/logs/{name}.log"
            if workdir == str(repo.path) and log.is_file() and "started" in log.read_text():
                return job
        time.sleep(0.2)
    raise AssertionError(f"no running job for {name}")


def _accounted_state(job: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        out = subprocess.run(["sacct", "-n", "-X", "-P", "-j", job, "-o", "State"], capture_output=True, text=True)
        state = out.stdout.strip().split(" ")[0]
        if state and state not in ("RUNNING", "PENDING", "COMPLETING"):
            return state
        time.sleep(0.5)
    return state


def test_a_job_runs_and_its_run_facts_name_the_job_and_the_node(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:quick")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tiny.path / "build/experiments/quick/out.txt").read_text() == "seed=7 task=-1 square=4\n"
    facts = json.loads((tiny.path / "build/runs/quick.json").read_text())
    assert facts["executor"]["kind"] == "slurm" and facts["executor"]["time_min"] == 5
    (task,) = facts["tasks"]
    assert re.fullmatch(r"\d+", task["job"]) and task["node"] == socket.gethostname()
    assert task["state"] == "COMPLETED" and _accounted_state(task["job"]) == "COMPLETED"
    assert task["command"] == [sys.executable, "write.py", "--out", "build/experiments/quick", "--seed", "7"]
    assert (tiny.path / task["packages"]["name"]).is_file()


def test_a_failing_job_fails_the_build_with_its_id_state_and_log(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:bad")
    assert proc.returncode != 0
    line = _line(proc)
    found = re.fullmatch(r"paperprov: experiment bad \(bad.py\) failed: Slurm job (\d+) FAILED \(exit code 1\); "
                         r"its last 2 lines \(full log: build/logs/bad.log\):", line)
    assert "\n    step 1 ok\n    matrix is singular at step 2\n" in proc.stdout + proc.stderr
    assert found, line
    assert _accounted_state(found.group(1)) == "FAILED"


def test_a_cancelled_job_fails_the_build(tiny: Repo) -> None:
    build = subprocess.Popen([sys.executable, "-m", "doit", "experiments:slow"], cwd=tiny.path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    job = _job_of(tiny, "slow")
    subprocess.run(["scancel", job], check=True)
    out, err = build.communicate(timeout=120)
    assert build.returncode != 0
    line = _line(subprocess.CompletedProcess([], build.returncode, out, err))
    assert line == (f"paperprov: experiment slow (write.py) failed: Slurm job {job} CANCELLED; "
                    "its last 1 lines (full log: build/logs/slow.log):")


def test_a_job_over_its_time_limit_fails_as_timeout(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:late")  # time_min: 1; it sleeps for 5
    assert proc.returncode != 0
    line = _line(proc)
    assert re.fullmatch(r"paperprov: experiment late \(write.py\) failed: Slurm job \d+ TIMEOUT; "
                        r"its last 1 lines \(full log: build/logs/late.log\):", line), line


def test_a_sweep_is_one_array_job_and_gives_the_bytes_of_a_local_run(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:sweep")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = [tiny.path / f"build/experiments/sweep/{i}/out.txt" for i in range(3)]
    on_slurm = [f.read_bytes() for f in files]
    assert on_slurm == [f"seed=0 task={i} square={(i + 3) ** 2}\n".encode() for i in range(3)]
    jobs = [t["job"] for t in json.loads((tiny.path / "build/runs/sweep.json").read_text())["tasks"]]
    array = jobs[0].split("_")[0]
    assert jobs == [f"{array}_{i}" for i in range(3)]
    local = run_doit(tiny.path, "-a", "experiments:sweep", env={"PAPERPROV_EXECUTOR": "local"})
    assert local.returncode == 0, local.stdout + local.stderr
    assert [f.read_bytes() for f in files] == on_slurm
    assert json.loads((tiny.path / "build/runs/sweep.json").read_text())["executor"]["kind"] == "local"


def test_a_failing_task_cancels_the_jobs_still_running(tiny: Repo) -> None:
    started = time.monotonic()
    proc = run_doit(tiny.path, "experiments:bad", "experiments:slow")  # doit runs them side by side
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "experiment bad (bad.py) failed: Slurm job" in out
    found = re.search(r"experiment slow \(write.py\) failed: Slurm job (\d+) CANCELLED because another task", out)
    assert found, out
    assert _accounted_state(found.group(1)) == "CANCELLED"
    assert time.monotonic() - started < 250  # slow.py sleeps 300 s: it did not run to its end


def test_ctrl_c_cancels_what_the_build_submitted(tiny: Repo) -> None:
    # Two jobs well inside their time limit (5 min) however long the node keeps them queued.
    build = subprocess.Popen([sys.executable, "-m", "doit", "experiments:slow", "experiments:long"], cwd=tiny.path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    jobs = [_job_of(tiny, "slow"), _job_of(tiny, "long")]
    build.send_signal(signal.SIGINT)
    build.communicate(timeout=120)
    assert build.returncode != 0
    assert [_accounted_state(j) for j in jobs] == ["CANCELLED", "CANCELLED"]


@pytest.mark.tex
def test_one_commit_built_locally_and_on_slurm_gives_identical_bytes(cluster: None, needs_tex: None,
                                                                    tmp_path: Path) -> None:
    """The example paper, whole: outputs, record, PDF and the commit-determined statements
    agree byte for byte; only the runs statement tells the builds apart."""
    first = Repo(copy_example(tmp_path / "local"))
    first.commit("Example paper", date="2026-01-02T03:04:05Z")
    second = tmp_path / "slurm"
    git(tmp_path, "clone", "-q", str(first.path), str(second))
    for path, env in ((first.path, {"PAPERPROV_EXECUTOR": "local"}), (second, SLURM)):
        proc = run_doit(path, "build", env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = sorted(str(p.relative_to(first.path)) for p in (first.path / "build/experiments").rglob("*") if p.is_file())
    for name in outputs + ["build/record.json", "build/paper.pdf", "build/disclosure.tex"]:
        assert (first.path / name).read_bytes() == (second / name).read_bytes(), f"{name} differs"

    def payloads(root: Path) -> dict[str, bytes]:
        lines = (root / "build/attestation.intoto.jsonl").read_text().splitlines()
        found = [signing.parse_envelope(ln, "t").payload for ln in lines]
        return {json.loads(p)["predicateType"]: p for p in found}

    local, on_slurm = payloads(first.path), payloads(second)
    runs_a, runs_b = local.pop(RUNS_PREDICATE), on_slurm.pop(RUNS_PREDICATE)
    assert local == on_slurm and len(local) >= 2  # SLSA, record (and the checks' test results)
    kinds = [{r["executor"]["kind"] for r in json.loads(p)["predicate"]["runs"]} for p in (runs_a, runs_b)]
    assert kinds == [{"local"}, {"slurm"}]
    verify = subprocess.run([sys.executable, "-m", "provenance", "verify", "."], cwd=second, capture_output=True,
                            text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert re.search(r"ok   runs statement: .* ran on chain \(Slurm job \d+\), dags \(Slurm job \d+\)", verify.stdout)
