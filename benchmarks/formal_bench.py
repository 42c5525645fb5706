"""Formal-proof check benchmark (issue 19), run in one process tree on the example.

1. Cold: paperprov's formal check of the example (scan the paper, copy and compile
   formal/ under build/, one Print Assumptions query), as one Python process, against
   doing the same by hand: `coqc -Q formal Paper formal/Pythagorean.v`, then coqc on a
   file with `Require Import` + `Print Assumptions`.
2. Warm: the same paperprov process with nothing changed (no coqc run at all).

Usage: python benchmarks/formal_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_bench import example_repo, timed  # noqa: E402

CHECK = ("from pathlib import Path; from provenance.config import load; "
         "from provenance.record.formal import update_formal; from provenance.scan.sources import scan_units; "
         "cfg = load('.'); r = update_formal(cfg, scan_units(cfg)[0], Path('build/checks.json')); "
         "assert [x.status for x in r.values()] == ['proved'], r")
QUERY = "Require Import Paper.Pythagorean.\nPrint Assumptions pythagorean_improvement.\n"


def by_hand(repo: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(repo / "formal", Path(tmp) / "formal")
        (Path(tmp) / "q.v").write_text(QUERY, encoding="utf-8")
        return (timed(["coqc", "-q", "-Q", "formal", "Paper", "formal/Pythagorean.v"], Path(tmp))
                + timed(["coqc", "-q", "-Q", "formal", "Paper", "q.v"], Path(tmp)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        repo = example_repo(Path(tmp) / "example")
        hand, cold, warm = [], [], []
        for _ in range(runs):
            hand.append(by_hand(repo))
            shutil.rmtree(repo / "build" / "formal", ignore_errors=True)
            cold.append(timed([sys.executable, "-c", CHECK], repo))
            warm.append(timed([sys.executable, "-c", CHECK], repo))
    h, c, w = (statistics.median(x) for x in (hand, cold, warm))
    print(f"coqc by hand (compile + query): median {h:.3f} s  (min {min(hand):.3f}, max {max(hand):.3f})")
    print(f"paperprov cold:                 median {c:.3f} s  (min {min(cold):.3f}, max {max(cold):.3f}) = {c / h:.2f}x")
    print(f"paperprov warm (no change):     median {w:.3f} s  (min {min(warm):.3f}, max {max(warm):.3f})")


if __name__ == "__main__":
    main()
