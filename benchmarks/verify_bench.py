"""Verify-speed benchmark for issue 5: checking a submission bundle against hashing its
files with `sha256sum`.

A bundle is made as `doit submission` makes it (write_attestation + write_submission)
from a small paper repository whose build holds a PDF of --pdf-mb MiB of incompressible
bytes (a real PDF's streams are compressed already) and a few small outputs. Then:

  sha256sum  : `sha256sum` over the bundle's files, extracted to disk (page cache warm);
  verify     : provenance.verify.checks.verify_path(bundle) in this process — every check:
               zip safety, signatures, subject digests, record binding, git tree of
               source.tar and its input digests (not --rebuild);
  CLI        : `python -m provenance verify bundle`, for the start-up cost on top.

Target (issue 5): verify <= 1.3 x sha256sum + 5 ms. Usage:
    python benchmarks/verify_bench.py [--runs N] [--pdf-mb 1 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.attest import sign as attest  # noqa: E402
from provenance.attest.submission import write_submission  # noqa: E402
from provenance.config import load  # noqa: E402
from provenance.verify.checks import verify_path  # noqa: E402

CONFIG = """paper: {name: bench, main: paper/main.tex}
experiments:
  - {name: sq, script: experiments/sq.py, outputs: [table.tex, results.json, figure.pdf]}
signing: {name: bench}
"""
ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.org", "GIT_COMMITTER_NAME": "Bench",
       "GIT_COMMITTER_EMAIL": "b@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, **ENV))


def make_bundle(base: Path, pdf_mb: float) -> Path:
    repo = base / "repo"
    (repo / "paper/sections").mkdir(parents=True)
    (repo / "experiments").mkdir()
    (repo / "provenance.yaml").write_text(CONFIG)
    sections = "".join(f"\\input{{sections/s{i}}}\n" for i in range(20))
    (repo / "paper/main.tex").write_text(f"\\documentclass{{article}}\n\\begin{{document}}\n{sections}\\end{{document}}\n")
    for i in range(20):
        (repo / f"paper/sections/s{i}.tex").write_text(f"\\section{{S{i}}}\n" + "Some text. " * 2000 + "\n")
    (repo / "experiments/sq.py").write_text("print('squares')\n" * 200)
    (repo / ".gitignore").write_text("build/\ndist/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "paper")
    out = repo / "build"
    (out / "experiments/sq").mkdir(parents=True)
    (out / "paper.pdf").write_bytes(b"%PDF-1.5\n" + os.urandom(int(pdf_mb * (1 << 20))))
    (out / "experiments/sq/figure.pdf").write_bytes(b"%PDF-1.5\n" + os.urandom(200_000))
    (out / "experiments/sq/table.tex").write_text("\\begin{tabular}{c}1\\end{tabular}\n" * 50)
    (out / "experiments/sq/results.json").write_text(json.dumps({"x": list(range(5000))}))
    (out / "disclosure.tex").write_text("\\section{Disclosure}\n" * 100)
    (out / "disclosure.md").write_text("# Disclosure\n" * 100)

    def record() -> None:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
        (out / "record.json").write_text(json.dumps({"schema": "paperprov/record/v1", "commit": head, "dirty": False,
                                                     "units": [], "summary": {}}))

    record()
    attest.write_attestation(load(repo), out / "attestation.intoto.jsonl")
    git(repo, "add", "keys")
    git(repo, "commit", "-q", "-m", "key")
    record()
    attest.write_attestation(load(repo), out / "attestation.intoto.jsonl")
    return write_submission(load(repo))


def best(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--pdf-mb", type=float, nargs="+", default=[1.0, 50.0])
    args = parser.parse_args()
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="paperprov-bench-config-")
    failed = False
    for mb in args.pdf_mb:
        with tempfile.TemporaryDirectory(prefix="paperprov-verify-bench-") as tmp:
            bundle = make_bundle(Path(tmp), mb)
            files = Path(tmp) / "files"
            with zipfile.ZipFile(bundle) as zf:
                zf.extractall(files)
                names = [str(files / n) for n in zf.namelist()]
            total = sum(os.path.getsize(n) for n in names)

            def report_ok() -> None:
                if not verify_path(bundle).ok:
                    raise SystemExit("the benchmark bundle does not verify")

            sha = best(args.runs, lambda: subprocess.run(["sha256sum", *names], check=True, capture_output=True))
            ours = best(args.runs, report_ok)
            cli = best(max(3, args.runs // 3), lambda: subprocess.run(
                [sys.executable, "-m", "provenance", "verify", str(bundle)], check=True, capture_output=True))
        budget = 1.3 * sha + 0.005
        failed |= ours > budget
        print(f"bundle with a {mb:g} MiB PDF: {len(names)} files, {total / (1 << 20):.1f} MiB")
        print(f"  sha256sum over its files : {sha * 1000:8.1f} ms (median of {args.runs})")
        print(f"  verify_path (in-process) : {ours * 1000:8.1f} ms  = {ours / sha:.2f}x; "
              f"budget 1.3x + 5 ms = {budget * 1000:.1f} ms -> {'ok' if ours <= budget else 'OVER'}")
        print(f"  paperprov verify (CLI)   : {cli * 1000:8.1f} ms (includes Python start-up)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
