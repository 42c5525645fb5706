"""Slurm executor overhead (issue 18), run in one process tree.

A clean `doit experiments` of the example (both experiments, side by side as dodo.py's
thread runner runs them) with the local executor, against the same through the local
one-node cluster (PAPERPROV_EXECUTOR=slurm): submitting, scheduling, starting the job's
Python, collecting. The two alternate, run after run, in fresh copies of one commit;
medians are compared. Target: at most +3 s.

Needs the cluster: `sudo scripts/local-slurm.sh start` (and submitit installed).

Usage: python benchmarks/slurm_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import copy_example  # noqa: E402


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def clean_build(repo: Path, kind: str) -> float:
    shutil.rmtree(repo / "build", ignore_errors=True)
    for db in repo.glob(".doit.db*"):
        db.unlink()
    env = dict(os.environ, PAPERPROV_EXECUTOR=kind)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "doit", "experiments"], cwd=repo, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{kind} build failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if subprocess.run(["sinfo", "-h"], capture_output=True).returncode != 0:
        raise SystemExit("no Slurm cluster answers; start one: sudo scripts/local-slurm.sh start")
    with tempfile.TemporaryDirectory(prefix="paperprov-slurm-bench-") as tmp:
        repo = copy_example(Path(tmp) / "example")
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false",
            "commit", "-q", "-m", "example")
        clean_build(repo, "local")  # warm-up: caches, .pyc files
        clean_build(repo, "slurm")
        times: dict[str, list[float]] = {"local": [], "slurm": []}
        for _ in range(args.runs):
            for kind in times:
                times[kind].append(clean_build(repo, kind))
    med = {k: statistics.median(v) for k, v in times.items()}
    for kind, values in times.items():
        print(f"{kind:6} clean `doit experiments`: median {med[kind]:.2f} s "
              f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)")
    diffs = [s - lo for s, lo in zip(times["slurm"], times["local"])]
    print(f"slurm - local: median {statistics.median(diffs):+.2f} s per pair "
          f"(range {min(diffs):+.2f} .. {max(diffs):+.2f}); medians differ by {med['slurm'] - med['local']:+.2f} s; "
          "target <= +3 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
