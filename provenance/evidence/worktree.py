"""Blame of a working-tree edit without blaming the file again.

`git blame FILE` treats the working tree as one more commit on top of HEAD: the lines
`git diff HEAD -- FILE` leaves alone keep HEAD's blame, the lines it adds are not
committed yet. So once HEAD's blame of a file is known (the blame cache keeps it as the
file's base, see blamecache.py), an edit costs one `git diff`, not a walk through the
file's whole history: on a book-length history that is milliseconds against seconds.

Both sides run with the same diff options (DIFF_CONFIG): blame and diff then pair lines
alike whatever the user's git config says, and the record is the same with or without
the cache. While a merge is in progress blame also looks at MERGE_HEAD, so there the
file is blamed in full.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

from provenance.evidence.blame import DIFF_CONFIG, BlameSpan
from provenance.evidence.gitrun import LITERAL, RepoInfo, git

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def tracked_blobs(root: Path, info: RepoInfo) -> dict[str, str]:
    """What HEAD tracks: top-level-relative path -> blob id (one `git ls-tree`)."""
    if info.head is None:
        return {}
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", "HEAD").stdout
    blobs = {}
    for entry in out.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob":
            blobs[path.decode("utf-8", "surrogateescape")] = fields[2].decode("ascii")
    return blobs


def blob_id(data: bytes, like: str) -> str:
    """The id git gives `data` as a blob, in the hash of the id `like` (SHA-1 or SHA-256).
    Files that git's filters (CRLF, clean) would change get another id than git's, so
    they only ever miss the shortcut."""
    h = hashlib.sha1() if len(like) == 40 else hashlib.sha256()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def only_parent(root: Path) -> str | None:
    """HEAD's parent when it has exactly one (not a merge, not a shallow clone's edge)."""
    proc = git(root, "rev-list", "--parents", "-n", "1", "HEAD", check=False)
    ids = proc.stdout.split()
    return ids[1].decode("ascii") if proc.returncode == 0 and len(ids) == 2 else None


def edited_blame(root: Path, info: RepoInfo, rel: str, base: Sequence[BlameSpan]) -> tuple[BlameSpan, ...] | None:
    """The blame of the working-tree `rel` from `base`, HEAD's blame of it; None when git
    cannot say (a binary diff, an error): then blame it in full."""
    proc = git(root, LITERAL, *DIFF_CONFIG, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
               "--diff-algorithm=myers", "--indent-heuristic", "-U0", "HEAD", "--", rel, check=False)
    if proc.returncode != 0 or b"\nBinary files " in proc.stdout:
        return None
    hunks = [(int(a), int(b or 1), int(c), int(d or 1))
             for a, b, c, d in _HUNK.findall(proc.stdout)]
    return compose(base, hunks, info.prefix + rel)


def compose(base: Sequence[BlameSpan], hunks: Sequence[tuple[int, int, int, int]], top_path: str,
            ) -> tuple[BlameSpan, ...]:
    """Apply `-U0` hunks (old start, old count, new start, new count) to a blame: the
    new lines of a hunk are uncommitted, the lines between hunks keep their blame."""
    out: list[BlameSpan] = []
    starts = [s.start for s in base]
    old = new = 1  # the next line of each side not yet placed
    for a, b, c, d in hunks:
        old_start = a if b else a + 1  # a hunk that adds or removes nothing names the line before
        new_start = c if d else c + 1
        out += _shifted(base, starts, old, old_start, new - old)
        if d:
            out.append(BlameSpan(new_start, d, None, top_path, new_start))
        old, new = old_start + b, new_start + d
    out += _shifted(base, starts, old, None, new - old)
    return tuple(out)


def _shifted(base: Sequence[BlameSpan], starts: Sequence[int], lo: int, hi: int | None,
             delta: int) -> list[BlameSpan]:
    """The base's blame of old lines lo..hi-1 (hi None: to the end), moved by delta."""
    out = []
    for s in base[max(bisect_right(starts, lo) - 1, 0):]:
        if hi is not None and s.start >= hi:
            break
        start, end = max(s.start, lo), s.start + s.length if hi is None else min(s.start + s.length, hi)
        if start < end:
            out.append(BlameSpan(start + delta, end - start, s.commit, s.orig_path, s.orig_start + start - s.start))
    return out
