"""Remember derived dependency lists across doit runs.

doit calls the task creators on every run, so the files a paper reaches (through
\\input, \\includegraphics, ...) and the modules an experiment imports are worked out
once and then reused while every file they were read from keeps its size and mtime.
The cache lives in build/.paperprov/ (never in sources) and is only a speed-up:
deleting it changes nothing but time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from provenance.fsutil import keep, write_cache

CACHE = "build/.paperprov/deps.json"


def stamp(path: str | Path) -> list[int] | None:
    """A file's mtime and size (None: absent): what says it is unchanged without reading it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def cached(root: Path, key: str, compute: Callable[[], tuple[Any, list[str]]]) -> Any:
    """`compute()` returns (value, files it read, repo-relative); reuse a stored value
    while those files are unchanged."""
    cache_path = root / CACHE
    try:
        store = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        store = {}
    entry, top = store.get(key), str(root)
    if entry and all(stamp(os.path.join(top, f)) == s for f, s in entry["stamps"]):
        return entry["value"]
    value, read = compute()
    store[key] = {"value": value, "stamps": [[f, stamp(os.path.join(top, f))] for f in sorted(set(read))]}
    keep(partial(write_cache, cache_path, json.dumps(store, sort_keys=True)))  # encoded now: the caller gets `value`
    return value
