"""Scan sources, gather git evidence, attribute, write build/record.json.  (stub)"""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .fsutil import write_bytes_atomic
from .gitstate import head_commit
from .model import Record, record_to_json


def write_record(cfg: Config, out: Path) -> Record:
    record = Record(commit=head_commit(cfg.root), dirty=False, units=())
    write_bytes_atomic(out, record_to_json(record))
    return record
