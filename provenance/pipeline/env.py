"""The environment every build step runs in: what makes two builds of one commit agree."""

from __future__ import annotations

import os
from pathlib import Path

from provenance.evidence.gitrun import source_date_epoch


def reproducible_overrides(root: Path, epoch: int | None = None) -> dict[str, str]:
    """What the build sets on top of the environment a step starts in (on a Slurm node:
    the job's own environment, so that the scheduler's settings, e.g. which GPU, stay).
    `epoch` (an experiment's own, evidence/epochs.py) or HEAD's commit time is its
    SOURCE_DATE_EPOCH."""
    return {
        "SOURCE_DATE_EPOCH": str(source_date_epoch(root) if epoch is None else epoch),
        "FORCE_SOURCE_DATE": "1",
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
    }


def reproducible_env(root: Path, epoch: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(reproducible_overrides(root, epoch))
    return env
