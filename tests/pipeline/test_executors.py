"""Executors without a cluster: `executor:` in provenance.yaml, the local executor's run
facts and sweeps, the runs statement in the attestation and its check in verify."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from provenance import __version__
from provenance.attest import signing
from provenance.attest.runs import RUNS_PREDICATE
from provenance.attest.sign import write_attestation
from provenance.config import load
from provenance.errors import BuildError, ConfigError
from provenance.verify.checks import verify_path
from tests.helpers import ROOT, Repo, fake_build, run_doit

ROOT_DODO = (ROOT / "dodo.py").read_text()
SCRIPT = (
    "import argparse, pathlib\n"
    "p = argparse.ArgumentParser(); p.add_argument('--out'); p.add_argument('--seed', type=int)\n"
    "p.add_argument('--task', type=int, default=-1); p.add_argument('--scale', type=int, default=1)\n"
    "a = p.parse_args()\n"
    "pathlib.Path(a.out, 'out.txt').write_text(f'seed={a.seed} task={a.task} value={a.scale * (a.task + 2)}\\n')\n"
)
CONFIG = """\
paper: {name: tiny, main: main.tex}
executor: {kind: local, partition: short, time_min: 5}
experiments:
  - {name: one, script: exp.py, outputs: [out.txt], seed: 4}
  - name: sweep
    script: exp.py
    outputs: [out.txt]
    args: [--scale, 10]
    executor: {array: 3, cpus: 2}
signing: {name: ada}
"""


def tiny(repo: Repo, config: str = CONFIG) -> Repo:
    repo.commit("tiny", {"provenance.yaml": config, "exp.py": SCRIPT, "dodo.py": ROOT_DODO,
                         "main.tex": "\\documentclass{article}\\begin{document}x\\end{document}\n",
                         ".gitignore": "build/\n.doit.db*\n"})
    return repo


def test_top_level_executor_is_every_experiments_default_and_keys_override_one_by_one(tmp_path: Path) -> None:
    (tmp_path / "exp.py").write_text(SCRIPT)
    (tmp_path / "main.tex").write_text("x")
    (tmp_path / "provenance.yaml").write_text(CONFIG.replace("kind: local", "kind: slurm, sbatch: [--qos=high]"))
    cfg = load(tmp_path)
    one, sweep = cfg.experiments
    assert (one.executor.kind, one.executor.partition, one.executor.time_min, one.executor.sbatch) == (
        "slurm", "short", 5, ("--qos=high",))
    assert (sweep.executor.kind, sweep.executor.cpus, sweep.executor.array, sweep.executor.partition) == (
        "slurm", 2, 3, "short")
    assert sweep.targets == tuple(f"build/experiments/sweep/{i}/out.txt" for i in range(3))
    assert "executor" not in repr(one)  # where it runs does not make it out of date


@pytest.mark.parametrize(("executor", "message"), [
    ("{kind: pbs}", "executor.kind: unknown executor 'pbs'; use one of local, slurm"),
    ("{kind: slurm, qos: high}", "executor.qos: unknown key; expected one of kind, partition, time_min"),
    ("{array: 4}", "executor.array: a sweep belongs to one experiment"),
    ("{cpus: 0}", "executor.cpus: 0 is not between 1 and 4096"),
    ("{time_min: soon}", "executor.time_min: expected int"),
    ("{mem_gb: -2}", "executor.mem_gb: -2.0 is not between"),
    ("{sbatch: [--time=10]}", "executor.sbatch: '--time=10': use `executor.time_min` instead"),
    ("{sbatch: [--output=x.log]}", "executor.sbatch: '--output=x.log': paperprov sets it itself"),
    ("{sbatch: [qos=high]}", "executor.sbatch: 'qos=high' is not a long sbatch flag"),
    ("[slurm]", "executor: expected a mapping"),
])
def test_bad_executor_is_one_line_naming_the_key(tmp_path: Path, executor: str, message: str) -> None:
    (tmp_path / "main.tex").write_text("x")
    (tmp_path / "provenance.yaml").write_text(f"paper: {{name: t, main: main.tex}}\nexecutor: {executor}\n")
    with pytest.raises(ConfigError) as err:
        load(tmp_path)
    assert str(err.value).startswith("provenance.yaml: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_an_experiments_own_executor_errors_name_its_index(tmp_path: Path) -> None:
    (tmp_path / "exp.py").write_text(SCRIPT)
    (tmp_path / "main.tex").write_text("x")
    (tmp_path / "provenance.yaml").write_text(CONFIG.replace("{array: 3, cpus: 2}", "{array: 0}"))
    with pytest.raises(ConfigError, match=r"experiments\[1\]\.executor\.array: 0 is not between 1 and 1000"):
        load(tmp_path)


def test_local_run_writes_its_facts_and_the_package_list(repo: Repo) -> None:
    tiny(repo)
    proc = run_doit(repo.path, "experiments:one")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (repo.path / "build/experiments/one/out.txt").read_text() == "seed=4 task=-1 value=1\n"
    facts = json.loads((repo.path / "build/runs/one.json").read_text())
    assert facts["schema"] == "paperprov/run/v1" and facts["executor"] == {"kind": "local"}
    (task,) = facts["tasks"]
    assert task["command"] == [sys.executable, "exp.py", "--out", "build/experiments/one", "--seed", "4"]
    assert task["job"] is None and task["node"] == socket.gethostname() and task["state"] == "COMPLETED"
    assert task["start"] <= task["end"] and task["end"].endswith("Z")
    assert task["python"].split()[-1] == ".".join(map(str, sys.version_info[:3]))
    listing = (repo.path / task["packages"]["name"]).read_bytes()
    assert hashlib.sha256(listing).hexdigest() == task["packages"]["digest"]["sha256"]
    lines = listing.splitlines(keepends=True)
    assert f"paperprov=={__version__}\n".encode() in lines and lines == sorted(lines, key=lambda ln: ln.split(b"==")[0].lower())
    out = (repo.path / "build/experiments/one/out.txt").read_bytes()
    assert facts["outputs"] == [{"name": "build/experiments/one/out.txt",
                                 "digest": {"sha256": hashlib.sha256(out).hexdigest()}}]


def test_a_sweep_runs_every_task_into_its_own_directory(repo: Repo) -> None:
    tiny(repo)
    proc = run_doit(repo.path, "experiments:sweep")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for i in range(3):
        assert (repo.path / f"build/experiments/sweep/{i}/out.txt").read_text() == f"seed=0 task={i} value={10 * (i + 2)}\n"
    facts = json.loads((repo.path / "build/runs/sweep.json").read_text())
    assert facts["executor"] == {"kind": "local", "array": 3}
    assert [t["command"][3:] for t in facts["tasks"]] == [
        [f"build/experiments/sweep/{i}", "--seed", "0", "--task", str(i), "--scale", "10"] for i in range(3)]


def test_a_failing_sweep_task_is_named(repo: Repo) -> None:
    tiny(repo)
    repo.write("exp.py", "import sys\nif '--task' in sys.argv and sys.argv[sys.argv.index('--task') + 1] == '1':\n"
                         "    sys.exit('no convergence for task 1')\n" + SCRIPT)
    proc = run_doit(repo.path, "experiments:sweep")
    assert proc.returncode != 0
    assert ("paperprov: experiment sweep (exp.py) task 1 failed with exit code 1; its last 1 lines "
            "(full log: build/logs/sweep.1.log):\n    no convergence for task 1\n") in proc.stdout
    assert not (repo.path / "build/runs/sweep.json").exists()


def test_unknown_executor_in_the_environment_is_one_line(repo: Repo) -> None:
    tiny(repo)
    proc = run_doit(repo.path, "experiments:one", env={"PAPERPROV_EXECUTOR": "pbs"})
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    assert "paperprov: PAPERPROV_EXECUTOR=pbs: unknown executor; use one of local, slurm or unset it" in proc.stdout


def test_slurm_without_slurm_commands_says_what_to_do(repo: Repo, tmp_path: Path) -> None:
    tiny(repo)
    bare = tmp_path / "bin"  # a PATH with git and nothing of Slurm
    bare.mkdir()
    (bare / "git").symlink_to(next(Path(d) / "git" for d in os.environ["PATH"].split(os.pathsep)
                                   if (Path(d) / "git").is_file()))
    proc = run_doit(repo.path, "experiments:one", env={"PAPERPROV_EXECUTOR": "slurm", "PATH": str(bare)})
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("paperprov: "))
    assert ("sbatch, sacct, scancel, srun not on PATH" in line or "pip install 'paperprov[slurm]'" in line), line
    assert "PAPERPROV_EXECUTOR=local" in line


def _statements(path: Path) -> list[dict]:
    return [json.loads(signing.parse_envelope(ln, "t").payload) for ln in path.read_text().splitlines()]


def _attested(repo: Repo) -> Path:
    """Experiments run by the local executor, the rest of the build faked, then attested."""
    tiny(repo)
    assert run_doit(repo.path, "experiments").returncode == 0
    fake_build(repo)  # the rest of the build's files (its sq experiment is not this paper's)
    att = repo.path / "build/attestation.intoto.jsonl"
    write_attestation(load(repo.path), att)
    return att


def test_attestation_gets_a_runs_statement_and_verify_binds_it_to_the_outputs(repo: Repo) -> None:
    att = _attested(repo)
    slsa, rec, runs = _statements(att)
    outputs = {s["name"]: s["digest"] for s in slsa["subject"] if s["name"].startswith("build/experiments/")}
    assert runs["predicateType"] == RUNS_PREDICATE
    assert {s["name"]: s["digest"] for s in runs["subject"]} == outputs and len(outputs) == 4
    assert [r["experiment"] for r in runs["predicate"]["runs"]] == ["one", "sweep"]
    report = verify_path(repo.path)
    assert report.ok, [c.what for c in report.failed]
    assert any(c.what == "runs statement: bound to the attested experiment outputs; ran on one (local), sweep (local)"
               for c in report.checks)
    # An output changed after its run: the run facts no longer describe it.
    repo.write("build/experiments/one/out.txt", "edited by hand\n")
    with pytest.raises(BuildError, match=r"build/experiments/one/out.txt is not the file the last run of "
                                         r"experiment one wrote \(build/runs/one.json\); run `doit forget"):
        write_attestation(load(repo.path), att)


def test_verify_fails_a_runs_statement_that_leaves_out_an_output(repo: Repo) -> None:
    att = _attested(repo)
    signer = signing.load_signer(Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada")
    lines = att.read_text().splitlines()
    runs = json.loads(signing.parse_envelope(lines[2], "t").payload)
    runs["subject"] = runs["subject"][1:]  # signed, digests right, but one output short
    lines[2] = signing.Envelope(json.dumps(runs).encode(), signing.PAYLOAD_TYPE, ()).signed_by(signer).to_line()
    att.write_text("\n".join(lines) + "\n")
    report = verify_path(repo.path)
    assert [c.what for c in report.failed] == [
        "runs statement: its subjects are not the attested outputs of the experiments it names "
        "(build/experiments/one/out.txt)"]
