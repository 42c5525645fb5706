"""How provenance.yaml's path globs match (submission.anonymize, submission.exclude)."""

from __future__ import annotations

import fnmatch


def matches(path: str, globs: tuple[str, ...]) -> bool:
    """Does a glob match repository path `path` or one of the folders it is in? As in
    `annotations`, `*` also matches `/`."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(p, g.rstrip("/")) for g in globs for p in prefixes)
