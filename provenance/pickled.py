"""Caches pickled under .git/paperprov/ (the remembered walk, the record's pieces): a
header, then the body, which is unpickled only when the caller accepts the header, so a
stale cache costs reading its header, not its tens of thousands of objects.

A pickle is safe only where nothing but paperprov writes: these files live under .git/,
which no clone, bundle or build output ever writes (scan/tex/remembered.py says more).
Anything wrong with a file (missing, damaged, another version's classes) reads as no
cache; a failed write leaves none, and the caller only loses time.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provenance.fsutil import write_bytes_atomic

_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, IndexError,
               TypeError, ValueError)


def load(path: str | Path, accept: Callable[[Any], bool]) -> tuple[Any, Any] | None:
    """(header, body) of `path` if `accept(header)`, else None (also for any unreadable file)."""
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if not accept(header):
                return None
            return header, pickle.load(fh)
    except _UNREADABLE:
        return None


def save(path: str | Path, header: Any, body: Any) -> bool:
    """Write `header` then `body`, atomically; False if the file could not be written."""
    try:
        write_bytes_atomic(path, (pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL),
                                  pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)), durable=False)
    except OSError:
        return False
    return True
