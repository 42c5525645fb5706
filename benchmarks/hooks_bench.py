"""Commit-hook benchmark (issues 4 and 14): each hook on a typical commit.

The typical commit: the example paper (provenance.yaml with policy.declare_paths set),
built before (build/ exists), one section edited and staged, an agent in the environment
(CLAUDECODE=1), one pending `paperprov tag`. For every hook it reports
  - in-process: the hook function alone (what paperprov adds to a commit), and
  - process: `python -m provenance hook KIND ...` as pre-commit starts it (min and median),
and both minus the bare interpreter start (`python -c pass`), which no hook can avoid;
`paperprov --help` as a process too. Targets: each hook's own work < 100 ms (issue 4);
each hook as a process within 60 ms of `python -c pass`, --help within 100 ms (issue 14).

Usage: python benchmarks/hooks_bench.py [--runs N]
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.evidence import gitstate
from provenance.evidence import notes as tagnotes  # noqa: E402
from provenance.hooks import commit as hooks
from provenance.hooks.lint import lint  # noqa: E402
from provenance.hooks.nokeys import private_keys

ENV = {"CLAUDECODE": "1", "ANTHROPIC_MODEL": "claude-opus-4-1"}
MESSAGE = "Tighten the excess-risk lemma\n\n# Please enter the commit message\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_repo(base: Path) -> tuple[Path, list[str]]:
    repo = base / "paper-repo"
    repo.mkdir()
    for name in ("paper", "experiments", "formal"):  # what provenance.yaml names
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    cfg = (ROOT / "provenance.yaml").read_text(encoding="utf-8")
    if "declare_paths:" not in cfg:  # the example declares them already (a key given twice is an error)
        cfg += "\npolicy:\n  declare_paths: [paper/, experiments/]\n"
    (repo / "provenance.yaml").write_text(cfg)
    git(repo, "init", "-q", "-b", "main")
    for k, v in (("user.name", "Bench"), ("user.email", "b@example.org"), ("commit.gpgsign", "false")):
        git(repo, "config", k, v)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "Example paper")
    (repo / "build").mkdir()  # as after a first `doit build` (not committed): config/parsed.py keeps the parse there
    section = repo / "paper" / "sections" / "lemmas.tex"
    section.write_text(section.read_text(encoding="utf-8") + "% a new remark\n", encoding="utf-8")
    (repo / "experiments" / "chain.py").write_text(
        (repo / "experiments" / "chain.py").read_text(encoding="utf-8") + "# tweak\n", encoding="utf-8")
    git(repo, "add", "-A")
    staged = [f for f in git(repo, "diff", "--cached", "--name-only").splitlines() if f]
    return repo, staged


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: first-call imports are not per-commit work in a long process, but see "process"
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def process_ms(cmd: list[str], cwd: Path, runs: int, env: dict[str, str],
               before: Callable[[], object]) -> tuple[float, float]:
    """(min, median) wall time: the minimum is the least disturbed by other load."""
    full = {**os.environ, **env}
    times = []
    for _ in range(runs):
        before()
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return min(times) * 1000, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        repo, staged = make_repo(Path(tmp))
        os.chdir(repo)
        msg = repo / ".git" / "COMMIT_EDITMSG"
        common = gitstate.common_dir(repo)
        assert common is not None
        tag = tagnotes.Tag("paper/sections/lemmas.tex", 1, 5, "claude-code:claude-opus-4-1")

        def fresh_message() -> None:
            msg.write_text(MESSAGE, encoding="utf-8")

        def pending() -> None:
            tagnotes.write_pending(common, [tag])

        def tag_hook() -> None:
            fresh_message()
            hooks.tag_message(repo, msg, ENV)

        def policy_hook() -> None:
            fresh_message()
            hooks.tag_message(repo, msg, {})
            hooks.check_policy(repo, msg)

        def attach_hook() -> None:
            pending()
            hooks.attach_tags(repo)

        py = sys.executable
        cases = [
            ("tag (prepare-commit-msg)", tag_hook, ["tag", str(msg)], fresh_message, ENV),
            ("policy (commit-msg)", policy_hook, ["policy", str(msg)], fresh_message, {}),
            ("lint (pre-commit)", lambda: lint(repo, staged), ["lint", *staged], lambda: None, {}),
            ("no-private-keys (pre-commit)", lambda: private_keys(repo, staged),
             ["no-private-keys", *staged], lambda: None, {}),
            ("attach-tags (post-commit)", attach_hook, ["attach-tags"], pending, {}),
        ]
        bare, bare_med = process_ms([py, "-c", "pass"], repo, runs, {}, lambda: None)
        print(f"typical commit: {len(staged)} staged files ({', '.join(staged)}); median of {runs} runs")
        print(f"python -c pass: min {bare:.0f} ms (median {bare_med:.0f})")
        print(f"{'hook':32} {'in-process':>11} {'process min/median':>19} {'minus python':>15}")
        for name, fn, args, before, env in cases:
            inproc = median_ms(fn, runs)
            lo, med = process_ms([py, "-m", "provenance", "hook", *args], repo, runs, env, before)
            flag = "" if inproc < 100 else "  <-- own work over 100 ms"
            flag += "" if lo - bare <= 60 else "  <-- process over python + 60 ms"
            print(f"{name:32} {inproc:8.1f} ms {lo:9.0f} /{med:4.0f} ms {lo - bare:7.0f} /{med - bare_med:4.0f} ms{flag}")
        lo, med = process_ms([py, "-m", "provenance", "--help"], repo, runs, {}, lambda: None)
        flag = "" if lo - bare <= 100 else "  <-- over python + 100 ms"
        print(f"{'paperprov --help':32} {'':11} {lo:9.0f} /{med:4.0f} ms {lo - bare:7.0f} /{med - bare_med:4.0f} ms{flag}")


if __name__ == "__main__":
    main()
