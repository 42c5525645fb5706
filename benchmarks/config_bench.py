"""Bad provenance.yaml inputs are refused quickly: each case timed as a whole process
(`paperprov status`, which loads the config first) against the same process on the
example's good provenance.yaml, in one run. Target (issue 13): every case one line within 2 s.

Usage: python benchmarks/config_bench.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = "paper: {name: demo, main: main.tex}\n"
BOMB = "l0: &l0 [lol]\n" + "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
CASES = {
    "alias bomb in venue": BOMB + HEAD + "venue: *l9\n",
    "file just over 1 MiB": HEAD + "# " + "x" * (1 << 20) + "\n",
    "1 MiB of list items": HEAD + "venue: [" + "a, " * 340_000 + "a]\n",
    "5,000-character paper.main": "paper: {name: demo, main: " + "a" * 5000 + "}\n",
    "duplicate keys": HEAD + "venue: acl\nvenue: iclr\n",
}


def timed(cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "provenance", "status"], cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "(ok)"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        (base / "main.tex").write_text("\\documentclass{article}\n\\begin{document}x\\end{document}\n")
        (base / "provenance.yaml").write_text(HEAD)
        baseline, _ = timed(base)
        print(f"baseline (good provenance.yaml, not a git repository): {baseline:.2f} s")
        for name, text in CASES.items():
            case = Path(tmp) / "case"
            shutil.rmtree(case, ignore_errors=True)
            shutil.copytree(base, case)
            (case / "provenance.yaml").write_text(text)
            took, line = timed(case)
            print(f"{name}: {took:.2f} s ({took / baseline:.1f}x): {line[:110]}")
        case = Path(tmp) / "fifo"
        shutil.copytree(base, case)
        (case / "provenance.yaml").unlink()
        os.mkfifo(case / "provenance.yaml")
        took, line = timed(case)
        print(f"FIFO: {took:.2f} s ({took / baseline:.1f}x): {line[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
