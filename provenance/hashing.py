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


# path -> ((inode, mtime, size) when it was hashed, its sha256): a source keeps its digest
# within one process while it keeps these. A record's key, its remembered walk and the
# blame cache each hash every source (42 MB on a book); once is enough.
_KNOWN: dict[str, tuple[tuple[int, int, int], str]] = {}


def read_digested(path: str | Path) -> tuple[bytes, str]:
    """A file's bytes and their sha256 (raises OSError)."""
    with open(path, "rb") as fh:
        seen = _seen(fh)
        data = fh.read()
    return data, _remember(path, seen, data)


def source_digest(path: str | Path) -> str | None:
    """The sha256 of a source's bytes, None if it cannot be read (see _KNOWN)."""
    try:
        with open(path, "rb") as fh:
            seen = _seen(fh)
            hit = _KNOWN.get(str(path))
            return hit[1] if hit is not None and hit[0] == seen else _remember(path, seen, fh.read())
    except OSError:
        return None


def _seen(fh: IO[bytes]) -> tuple[int, int, int]:
    st = os.fstat(fh.fileno())
    return st.st_ino, st.st_mtime_ns, st.st_size


def _remember(path: str | Path, seen: tuple[int, int, int], data: bytes) -> str:
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
