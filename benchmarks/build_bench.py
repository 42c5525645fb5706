"""Build-speed benchmark for issue 2, run in one process tree.

1. No-op: `doit build` on the built example (everything up to date) against a no-op
   `doit` on a one-task dodo.py in the same environment. Target: <= 1.5x.
2. Clean: `doit build` from nothing against doing the same work by hand, one step after
   another: the experiment scripts, one pytest run of the linked claim checks, coqc on
   the formal development and one `Print Assumptions` query, and latexmk (with the same
   disclosure appendix in place). Target: <= 1.05x.

Usage: python benchmarks/build_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.config import load  # noqa: E402
from tests.helpers import copy_example  # noqa: E402

ONE_TASK = '''
def task_hello():
    """One up-to-date task."""
    return {"actions": ["touch out.txt"], "file_dep": ["in.txt"], "targets": ["out.txt"]}

DOIT_CONFIG = {"default_tasks": ["hello"], "backend": "sqlite3", "dep_file": ".doit.db"}
'''


def formal_names(root: Path) -> list[str]:
    """The Coq names the paper's statements link to (`formal=coq:NAME`), as the build asks."""
    found = re.findall(r"formal=coq:([\w.']+)", "".join(p.read_text() for p in (root / "paper").rglob("*.tex")))
    return sorted(set(found))


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def example_repo(dest: Path) -> Path:
    copy_example(dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false",
        "commit", "-q", "-m", "example")
    return dest


def by_hand(hand: Path, env: dict[str, str]) -> float:
    """The same work without doit or paperprov: experiments, claim checks, latexmk."""
    cfg = load(hand)
    shutil.rmtree(hand / "build" / "latex", ignore_errors=True)
    start = time.perf_counter()
    for exp in cfg.experiments:
        subprocess.run([sys.executable, exp.script, "--out", exp.outdir, "--seed", str(exp.seed)],
                       cwd=hand, env=env, check=True, capture_output=True)
    nodeids = sorted({n for _, ids in cfg.checks for n in ids})  # the checks the build runs
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *nodeids],
                   cwd=hand, env=env, check=True, capture_output=True)
    if cfg.formal.coq is not None:  # the formal development, compiled, then one query
        coq = cfg.formal.coq
        for v in sorted((hand / coq.root).glob("*.v")):
            subprocess.run(["coqc", "-q", "-Q", ".", coq.logical, v.name], cwd=hand / coq.root, env=env,
                           check=True, capture_output=True)
        query = hand / coq.root / "Query.v"
        query.write_text("".join(f"Require Import {coq.logical}.{v.stem}.\n" for v in sorted((hand / coq.root).glob("*.v"))
                                 if v.name != "Query.v") + "".join(f"Print Assumptions {name}.\n" for name in formal_names(hand)))
        subprocess.run(["coqc", "-q", "-Q", ".", coq.logical, "Query.v"], cwd=hand / coq.root, env=env,
                       check=True, capture_output=True)
        query.unlink()
    main_tex = hand / cfg.paper.main
    subprocess.run(["latexmk", "-pdf", "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode",
                    "-outdir=../build/latex", main_tex.name], cwd=main_tex.parent, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def clean_build(ours: Path, env: dict[str, str]) -> float:
    shutil.rmtree(ours / "build", ignore_errors=True)
    for db in ours.glob(".doit.db*"):
        db.unlink()
    return timed([sys.executable, "-m", "doit", "build"], ours, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="no-op runs of each (interleaved)")
    parser.add_argument("--clean-runs", type=int, default=3, help="clean builds of each (interleaved)")
    args = parser.parse_args()
    doit = [sys.executable, "-m", "doit"]
    env = dict(os.environ, XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="paperprov-config-"))
    with tempfile.TemporaryDirectory(prefix="paperprov-bench-") as tmp:
        base = Path(tmp)
        hello = base / "hello"
        hello.mkdir()
        (hello / "dodo.py").write_text(ONE_TASK)
        (hello / "in.txt").write_text("x")
        ours = example_repo(base / "example")
        hand = example_repo(base / "byhand")

        clean_build(ours, env)  # also generates the signing key, once
        (hand / "build").mkdir()
        shutil.copy(ours / "build" / "disclosure.tex", hand / "build" / "disclosure.tex")
        hand_env = dict(env, SOURCE_DATE_EPOCH="1700000000", FORCE_SOURCE_DATE="1", MPLBACKEND="Agg")

        # Interleaved, so that drift in the machine's load hits both sides alike.
        timed(doit, hello, env), timed(doit + ["build"], ours, env)
        base_times, noop_times = [], []
        for _ in range(args.runs):
            base_times.append(timed(doit, hello, env))
            noop_times.append(timed(doit + ["build"], ours, env))
        hand_times, clean_times = [], []
        for _ in range(args.clean_runs):
            hand_times.append(by_hand(hand, hand_env))
            clean_times.append(clean_build(ours, env))

    baseline, noop = statistics.median(base_times), statistics.median(noop_times)
    hand_s, clean = statistics.median(hand_times), statistics.median(clean_times)
    print(f"no-op doit, one-task dodo.py    : {baseline * 1000:6.0f} ms (median of {args.runs})")
    print(f"no-op doit build, example       : {noop * 1000:6.0f} ms (median of {args.runs})")
    print(f"  ratio                         : {noop / baseline:6.2f}x  (target <= 1.5x)")
    print(f"experiments, checks, coqc, latexmk: {hand_s:6.2f} s  (by hand, median of {args.clean_runs})")
    print(f"clean doit build                : {clean:6.2f} s  (median of {args.clean_runs})")
    print(f"  ratio                         : {clean / hand_s:6.2f}x  (target <= 1.05x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
