"""Anonymous-submission benchmark for issue 15, whole processes in one process tree.

On the example paper made ready for double-blind review (its author line in a file of
its own, listed under submission.anonymize), built once:

1. `doit submission` (named; the build up to date) against `PAPERPROV_ANONYMOUS=1 doit
   submission` (anonymous; the build up to date): the anonymous bundle adds the identity
   scan of history, the anonymous source archive, the leak check of every member
   (pdftotext on the PDFs, every stream inflated) and the reveal file.
2. Switching to anonymous: the first anonymous `doit build` after a named one (record,
   disclosure, PDF, page and attestation again, with the leak check before signing),
   against a named `doit build` after touching the record's inputs the same way
   (`doit forget record` then build).
3. `paperprov verify` of the named bundle (--trusted-keys keys/) against the anonymous one,
   and the camera-ready `verify --reveal ... --repo .` (the record rebuilt from the history).

Usage: python benchmarks/anonymous_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.anonymous_example import (  # noqa: E402
    BUNDLE,
    REVEAL,
    make_double_blind,  # noqa: E402
)
from tests.helpers import IDENTITY, Repo, copy_example  # noqa: E402

ANON = {"PAPERPROV_ANONYMOUS": "1"}


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def show(label: str, xs: list[float]) -> float:
    med = statistics.median(xs)
    print(f"  {label:<48} median {med:7.3f} s  (min {min(xs):.3f}, max {max(xs):.3f}, n={len(xs)})")
    return med


def doit(*args: str) -> list[str]:
    return [sys.executable, "-m", "doit", *args]


def paperprov(*args: str) -> list[str]:
    return [sys.executable, "-m", "provenance", *args]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="paperprov-anon-bench-") as tmp:
        home = Path(tmp, "home")
        os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1", **IDENTITY)
        repo = Repo(copy_example(Path(tmp, "example")))
        repo.commit("Example paper", date="2026-01-02T03:04:05Z")
        timed(doit("build"), repo.path)  # the signing key appears: commit it with the double-blind change
        make_double_blind(repo)
        timed(doit("build"), repo.path)
        print(f"example paper, {runs} runs each")
        named = show("doit submission (named, build up to date)", [timed(doit("submission"), repo.path)
                                                                   for _ in range(runs)])
        verify_named = show("paperprov verify, named bundle", [timed(paperprov("verify", BUNDLE, "--trusted-keys",
                                                                             "keys/"), repo.path) for _ in range(runs)])
        switch, back = [], []
        for _ in range(runs):
            switch.append(timed(doit("build"), repo.path, ANON))
            back.append(timed(doit("build"), repo.path, {"PAPERPROV_ANONYMOUS": "0"}))
        show("doit build, named -> anonymous", switch)
        show("doit build, anonymous -> named", back)
        timed(doit("build"), repo.path, ANON)
        anon = show("doit submission (anonymous, build up to date)", [timed(doit("submission"), repo.path, ANON)
                                                                      for _ in range(runs)])
        verify_anon = show("paperprov verify, anonymous bundle", [timed(paperprov("verify", BUNDLE), repo.path)
                                                                  for _ in range(runs)])
        reveal = show("paperprov verify --reveal --repo . (camera-ready)",
                      [timed(paperprov("verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", "keys/", "--repo", "."),
                             repo.path) for _ in range(runs)])
        print(f"  anonymous/named submission: {anon / named:.2f}x; verify anonymous/named: "
              f"{verify_anon / verify_named:.2f}x; reveal with --repo/named verify: {reveal / verify_named:.2f}x")


if __name__ == "__main__":
    main()
