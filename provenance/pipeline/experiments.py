"""Running one experiment: its command, its declared outputs, its failure in one line."""

from __future__ import annotations

import subprocess

from provenance.config import Config, Experiment
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.paths import experiment_epoch
from provenance.pipeline.command import experiment_command
from provenance.pipeline.env import reproducible_env


def _tail(text: str, lines: int = 8) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output on stderr)"


def run_experiment(cfg: Config, exp: Experiment, epoch: int | None = None) -> None:
    """Run `exp` with SOURCE_DATE_EPOCH `epoch` (its own, evidence/epochs.py; None: HEAD's)."""
    (cfg.root / exp.outdir).mkdir(parents=True, exist_ok=True)
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
        (cfg.root / target).parent.mkdir(parents=True, exist_ok=True)
    (cfg.root / experiment_epoch(exp.name)).unlink(missing_ok=True)
    cmd = experiment_command(cfg.root, exp)
    env = reproducible_env(cfg.root, epoch)
    proc = subprocess.run(list(cmd.argv), cwd=cmd.cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"experiment {exp.name} ({exp.label}) failed with exit code {proc.returncode}: {_tail(proc.stderr)}")
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        raise BuildError(
            f"experiment {exp.name} ({exp.label}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml ({_tail(proc.stderr, 3)})"
        )
    write_text_atomic(cfg.root / experiment_epoch(exp.name), env["SOURCE_DATE_EPOCH"] + "\n")
