"""dist/<name>-submission.zip.  (stub)"""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .errors import ProvenanceError


def write_submission(cfg: Config, allow_dirty: bool = False) -> Path:
    raise ProvenanceError("doit submission is not implemented yet")
