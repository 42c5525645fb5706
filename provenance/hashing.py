"""SHA-256 of files and bytes, streamed so a large output never sits in memory whole.

doit's own change tracking (MD5, timestamps) is not evidence; everything the attestation
says about a file comes from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from provenance.errors import BuildError

CHUNK = 1 << 20


def sha256_stream(fh: IO[bytes], limit: int | None = None) -> tuple[str, int]:
    """(hex digest, bytes read) of a readable stream. With `limit`, stop with ValueError
    as soon as more than `limit` bytes arrive (hostile archives lie about sizes)."""
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
