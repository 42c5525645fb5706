"""Running one experiment: its command, its declared outputs, its failure in one line."""

from __future__ import annotations

import subprocess
import sys

from provenance.config import Config, Experiment
from provenance.errors import BuildError
from provenance.pipeline.env import reproducible_env


def _tail(text: str, lines: int = 8) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output on stderr)"


def run_experiment(cfg: Config, exp: Experiment) -> None:
    outdir = cfg.root / exp.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
    cmd = [sys.executable, exp.script, "--out", exp.outdir, "--seed", str(exp.seed), *exp.args]
    proc = subprocess.run(cmd, cwd=cfg.root, env=reproducible_env(cfg.root), capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"experiment {exp.name} ({exp.script}) failed with exit code {proc.returncode}: {_tail(proc.stderr)}")
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        raise BuildError(
            f"experiment {exp.name} ({exp.script}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml ({_tail(proc.stderr, 3)})"
        )
