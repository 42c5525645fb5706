"""Caches pickled under .git/paperprov/ (the remembered walk, the record's pieces): a
header, then the body, which is unpickled only when the caller accepts the header, so a
stale cache costs reading its header, not its tens of thousands of objects.

A pickle is safe only where nothing but paperprov writes: these files live under .git/,
which no clone, bundle or build output ever writes (scan/tex/remembered.py says more).
Anything wrong with a file (missing, damaged, another version's classes) reads as no
cache; a failed write leaves none, and the caller only loses time.

A server that forks a process per request (cli/serve.py) unpickles the files a request
will read while it waits for one (`preload`); the process it forks finds them in memory.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from provenance.fsutil import write_cache

_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, IndexError,
               TypeError, ValueError)
Stamp = tuple[int, int, int]
# path -> (the file's inode, mtime and size when it was read, header, body).
_PRELOADED: dict[str, tuple[Stamp, Any, Any]] = {}


def load(path: str | Path, accept: Callable[[Any], bool]) -> tuple[Any, Any] | None:
    """(header, body) of `path` if `accept(header)`, else None (also for any unreadable file)."""
    if _PRELOADED:
        found = _preloaded(str(path), accept)
        if found is not None:
            return found
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if not accept(header):
                return None
            return header, pickle.load(fh)
    except _UNREADABLE:
        return None


def _preloaded(path: str, accept: Callable[[Any], bool]) -> tuple[Any, Any] | None:
    """The preloaded header and body of `path` while the file is as it was read; handed
    out once (what a caller gets it may change, as a body it unpickled itself)."""
    hit = _PRELOADED.pop(path, None)
    if hit is None or hit[0] != _stamp(path) or not accept(hit[1]):
        return None
    return hit[1], hit[2]


def preload(paths: Iterable[str | Path], under: str | Path, budget: int,
            enough: Callable[[], bool] = lambda: False) -> None:
    """Unpickle these files now, up to `budget` bytes of them, each unless it is already
    in memory as it is on disk; forget what was preloaded from other files under `under`.
    `enough()`, asked before each file, ends it early (a request is waiting)."""
    wanted: set[str] = set()
    for p in map(str, paths):
        if enough():
            return  # nothing forgotten: what is preloaded is still checked when taken
        stamp = _stamp(p)
        if stamp is None or stamp[2] > budget:
            continue
        wanted.add(p)
        budget -= stamp[2]
        hit = _PRELOADED.get(p)
        if hit is not None and hit[0] == stamp:
            continue
        _PRELOADED.pop(p, None)
        try:
            with open(p, "rb") as fh:
                seen = os.fstat(fh.fileno())
                _PRELOADED[p] = ((seen.st_ino, seen.st_mtime_ns, seen.st_size), pickle.load(fh), pickle.load(fh))
        except _UNREADABLE:
            continue
    top = os.path.join(str(under), "")
    for p in [p for p in _PRELOADED if p.startswith(top) and p not in wanted]:
        del _PRELOADED[p]


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def save(path: str | Path, header: Any, body: Any) -> bool:
    """Write `header` then `body`, atomically; False if the file could not be written."""
    return write_cache(path, (pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL),
                              pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)))
