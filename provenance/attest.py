"""Build and sign the in-toto statements: build/attestation.intoto.jsonl.  (stub)"""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .fsutil import write_text_atomic


def write_attestation(cfg: Config, out: Path) -> None:
    write_text_atomic(out, "")
