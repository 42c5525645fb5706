"""The environment every build step runs in: what makes two builds of one commit agree."""

from __future__ import annotations

import os
from pathlib import Path

from provenance.evidence.gitrun import source_date_epoch


def reproducible_env(root: Path, epoch: int | None = None) -> dict[str, str]:
    """The environment of a build step; `epoch` (an experiment's own, evidence/epochs.py)
    or HEAD's commit time is its SOURCE_DATE_EPOCH."""
    env = dict(os.environ)
    env.update(
        SOURCE_DATE_EPOCH=str(source_date_epoch(root) if epoch is None else epoch),
        FORCE_SOURCE_DATE="1",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
    )
    return env
