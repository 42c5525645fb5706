"""Which commit last touched every line: `git blame --incremental`, parsed.

Blame is the expensive part of the record, so it runs one process per file on a small
thread pool, and `--incremental` rather than `--porcelain`: it prints no line contents,
so there is less to parse. Before blaming, a commit-graph with changed-path Bloom
filters is written (git's own cache, see write_commit_graph): it halves blame's time.
Results are kept between runs by blamecache.py.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from provenance.errors import GitError
from provenance.evidence.gitrun import RepoInfo, git

_HEX = frozenset(b"0123456789abcdef")
# Myers with the indent heuristic, git's defaults, pinned: blame pairs lines the same way
# whatever the user's config says, and as worktree.py's `git diff` does.
DIFF_CONFIG = ("-c", "diff.algorithm=myers", "-c", "diff.indentHeuristic=true")


class BlameSpan(NamedTuple):
    """Lines start..start+count-1 of the current file came from `commit` (None:
    not committed yet), where they were lines orig_start.. of `orig_path`.
    (A NamedTuple: tens of thousands are loaded from the cache on every run. The
    field is `length`, not `count`, which would shadow tuple.count().)"""

    start: int
    length: int
    commit: str | None
    orig_path: str
    orig_start: int


def _unquote(raw: bytes) -> str:
    """git C-quotes a path with special characters: "a\\tb\\"c"."""
    if not raw.startswith(b'"'):
        return raw.decode("utf-8", "replace")
    return raw[1:-1].decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def parse_incremental(out: bytes) -> tuple[BlameSpan, ...]:
    spans: list[BlameSpan] = []
    sha = ""
    orig = final = count = 0
    for line in out.split(b"\n"):
        sp = line.find(b" ")
        if sp in (40, 64) and _HEX.issuperset(line[:sp]):
            parts = line.split()
            sha, orig, final, count = parts[0].decode(), int(parts[1]), int(parts[2]), int(parts[3])
        elif line.startswith(b"filename "):
            commit = None if sha.strip("0") == "" else sha
            spans.append(BlameSpan(final, count, commit, _unquote(line[9:]), orig))
    spans.sort(key=lambda s: s.start)
    return tuple(spans)


def blame_print(spans: Sequence[BlameSpan]) -> str:
    """A digest of a blame: equal blames, equal prints (kept with each cache entry, so
    what is made from a file's blame can be known unchanged without reading it)."""
    import hashlib  # here: the commit hooks import this module and never print a blame

    return hashlib.sha256(repr([tuple(s) for s in spans]).encode()).hexdigest()  # a NamedTuple's repr is Python


def line_count(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def blame_one(root: Path, info: RepoInfo, rel: str, data: bytes, tracked: bool,
              at_head: bool = False) -> tuple[BlameSpan, ...]:
    """The blame of `rel` as the working tree holds it (`data`), or as HEAD holds it."""
    top_path = info.prefix + rel
    if not tracked or info.head is None:
        n = line_count(data)
        return (BlameSpan(1, n, None, top_path, 1),) if n else ()
    proc = git(root, *DIFF_CONFIG, "blame", "--incremental", *(["HEAD"] if at_head else []), "--", rel, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{rel}: git blame failed ({err[-1] if err else 'no message'}); check the file and the repository")
    return parse_incremental(proc.stdout)


def write_commit_graph(root: Path, head: str) -> str | None:
    """Blame walks the history of each file; a commit-graph with changed-path Bloom
    filters lets it skip commits that did not touch the path, which halves blame's time
    on long histories. It is git's own cache (what `git maintenance` writes); `--split`
    adds a small layer for new commits instead of rewriting it. Best effort."""
    proc = git(root, "commit-graph", "write", "--reachable", "--changed-paths", "--split", "--no-progress", check=False)
    return head if proc.returncode == 0 else None


def workers() -> int:
    return max(2, min(os.cpu_count() or 2, 8))
