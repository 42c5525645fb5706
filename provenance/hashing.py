"""SHA-256 of files and bytes, streamed so a large output never sits in memory whole.

doit's own change tracking (MD5, timestamps) is not evidence; everything the attestation
says about a file comes from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from provenance.errors import BuildError

CHUNK = 1 << 20


def sha256_stream(fh: IO[bytes], limit: int | None = None) -> tuple[str, int]:
    """(hex digest, bytes read) of a readable stream. With `limit`, stop with ValueError
    as soon as more than `limit` bytes arrive (hostile archives lie about sizes)."""
    import hashlib  # here: the lint hook imports this module (the walker does) but never hashes (2.5 ms)

    h = hashlib.sha256()
    total = 0
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return h.hexdigest(), total
        total += len(chunk)
        if limit is not None and total > limit:
            raise ValueError(f"more than {limit} bytes")
        h.update(chunk)


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return sha256_stream(fh)[0]


# path -> ((inode, mtime, size, ctime) when it was hashed, its sha256): a source keeps its
# digest while it keeps these. A record's key, its remembered walk and the blame cache
# each ask for every source's (42 MB on a book); once is enough. Across processes
# (`load_known`, `keep_known`) as git's index does: a status after an edit hashes the
# file edited, not the paper's every file again.
Seen = tuple[int, int, int, int]
_KNOWN: dict[str, tuple[Seen, str]] = {}
_LOADED: dict[str, tuple[Seen, str]] = {}
# A file changed within this long of being hashed could change again with the same
# stat (file systems' timestamps are coarse): kept across processes only when older.
_RACY_NS = 2_000_000_000


def read_digested(path: str | Path) -> tuple[bytes, str]:
    """A file's bytes and their sha256 (raises OSError)."""
    with open(path, "rb") as fh:
        seen = _seen(fh)
        data = fh.read()
    return data, _remember(path, seen, data)


def source_digest(path: str | Path) -> str | None:
    """The sha256 of a source's bytes, None if it cannot be read (see _KNOWN)."""
    try:
        hit = _KNOWN.get(str(path))
        if hit is not None and hit[0] == _seen_stat(os.stat(path)):
            return hit[1]
        with open(path, "rb") as fh:
            seen = _seen(fh)
            return _remember(path, seen, fh.read())
    except OSError:
        return None


def load_known(path: Path) -> None:
    """Take the digests `keep_known` wrote to `path` (a JSON file; anything wrong with
    it reads as none)."""
    import json

    try:
        found = json.loads(path.read_bytes())
        kept = {str(k): ((int(a), int(b), int(c), int(d)), str(h)) for k, (a, b, c, d, h) in found.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return
    _LOADED.update(kept)
    for k, v in kept.items():
        _KNOWN.setdefault(k, v)


def keep_known(path: Path, under: Path) -> None:
    """Write the digests of files under `under` that are safe to trust by their stat
    alone (see _RACY_NS: judged now, when the write may come later, fsutil.keep) to
    `path`, when they differ from what was loaded."""
    import time
    from functools import partial

    from provenance.fsutil import keep

    top, now = f"{under}{os.sep}", time.time_ns()
    safe = {k: v for k, v in _KNOWN.items() if k.startswith(top) and v[0][1] < now - _RACY_NS}
    if safe != {k: v for k, v in _LOADED.items() if k.startswith(top)}:
        keep(partial(_write_known, path, safe))


def _write_known(path: Path, safe: dict[str, tuple[Seen, str]]) -> None:
    import json

    from provenance.fsutil import write_cache

    if write_cache(path, json.dumps({k: [*s, h] for k, (s, h) in safe.items()}, separators=(",", ":"))):
        _LOADED.update(safe)  # else a read-only repository hashes its sources again next time


def _seen(fh: IO[bytes]) -> Seen:
    return _seen_stat(os.fstat(fh.fileno()))


def _seen_stat(st: os.stat_result) -> Seen:
    return st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns


def _remember(path: str | Path, seen: Seen, data: bytes) -> str:
    hit = _KNOWN.get(str(path))
    if hit is not None and hit[0] == seen:
        return hit[1]
    import hashlib

    found = hashlib.sha256(data).hexdigest()
    _KNOWN[str(path)] = (seen, found)
    return found


def digest_files(root: Path, rels: Iterable[str]) -> dict[str, str]:
    """{repo-relative path: sha256} for files the build must have produced or read."""
    out: dict[str, str] = {}
    for rel in rels:
        try:
            out[rel] = sha256_file(root / rel)
        except FileNotFoundError:
            raise BuildError(f"{rel}: missing, cannot hash it for the attestation; run `doit build`") from None
        except OSError as exc:
            raise BuildError(f"{rel}: cannot read it ({exc.strerror}); check its permissions") from None
    return out
