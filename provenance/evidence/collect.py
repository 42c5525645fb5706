"""Git evidence: which commits are AI work, and which commit last touched every line.

This module gathers one GitEvidence per record (`collect`); the parts live beside it:
gitrun.py runs git and finds the repository, trailers.py classifies a commit from its
message and names, blame.py runs and parses `git blame --incremental`, and
blamecache.py keeps blames and classifications between runs under .git/paperprov.
Everything reads git through plain `git` subprocesses (list form, never a shell;
faster than GitPython for this): one `git log` for the commits' messages, one
`git ls-tree` for what HEAD tracks, one `git notes list` + `git cat-file --batch` for
`paperprov tag` notes, and one blame per file not answered by the cache (one
`git diff` instead for a file edited since HEAD whose blame at HEAD the cache holds,
worktree.py; none for a file HEAD committed as the cache last saw it). Line-level evidence from other tools (git-ai notes, Agent Trace records:
`line_facts`, by the commit their line numbers refer to) is read by gitai.py and
agenttrace.py, only where the configured ref or directory exists.

Paths: `files` and the keys of `blame` are relative to the directory given (the paper
root); `orig_path` and note paths are relative to the repository's top level, as git
prints them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from provenance.config.evidence import EvidenceSources
from provenance.errors import GitError
from provenance.evidence import agenttrace, blamecache, gitai, gitstate, worktree
from provenance.evidence.agents import parse_assisted_by
from provenance.evidence.blame import (
    BlameSpan,
    blame_one,
    workers,
    write_commit_graph,
)
from provenance.evidence.blamecache import CACHE_NAME
from provenance.evidence.gitrun import LITERAL, RepoInfo, git, notes, repo_info
from provenance.evidence.linefacts import LineFact, by_commit
from provenance.evidence.notes import NOTES_REF, parse_note
from provenance.evidence.trailers import CommitInfo, classify_commit
from provenance.fsutil import keep
from provenance.hashing import read_digested, source_digest
from provenance.model import Agent

Spans = tuple[BlameSpan, ...]


@dataclass(frozen=True)
class NoteTag:
    """A `paperprov tag` range: lines start..end of `path` as committed in the noted commit."""

    path: str
    start: int
    end: int
    agent: Agent


@dataclass(frozen=True)
class GitEvidence:
    available: bool  # False: not a git repository (declarations only)
    head: str | None = None
    shallow: bool = False
    boundary: frozenset[str] = frozenset()  # shallow-clone grafts: their lines are unknown
    commits: Mapping[str, CommitInfo] = field(default_factory=dict)
    notes: Mapping[str, tuple[NoteTag, ...]] = field(default_factory=dict)
    blame: Mapping[str, tuple[BlameSpan, ...]] = field(default_factory=dict)  # by root-relative file
    warnings: tuple[str, ...] = ()
    line_facts: Mapping[str, tuple[LineFact, ...]] = field(default_factory=dict)  # git-ai, Agent Trace
    prefix: str = ""  # the root's place in the repository (RepoInfo.prefix)


# -- commits ---------------------------------------------------------------------------

def read_commits(root: Path, shas: Iterable[str]) -> dict[str, CommitInfo]:
    """Classify the given commits with ONE `git log --no-walk --stdin` call."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    proc = git(root, "log", "--no-walk=unsorted", "--stdin", "-z", "--format=%H%x00%an%x00%cn%x00%B",
               input=("\n".join(wanted) + "\n").encode())
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    out: dict[str, CommitInfo] = {}
    for i in range(0, len(fields) - 3, 4):
        sha, author, committer, body = fields[i:i + 4]
        sha = sha.strip()
        out[sha] = classify_commit(sha, author, committer, body)
    return out


# -- notes written by `paperprov tag` --------------------------------------------------

def read_notes(root: Path, info: RepoInfo, warnings: list[str]) -> dict[str, tuple[NoteTag, ...]]:
    out: dict[str, tuple[NoteTag, ...]] = {}  # nobody has tagged anything: no ref, no git call (notes)
    for target, body in notes(root, NOTES_REF, info.git_dir).items():
        tags = _parse_note(body, target, warnings)
        if tags:
            out[target] = tags
    return out


def _parse_note(body: str, commit: str, warnings: list[str]) -> tuple[NoteTag, ...]:
    tags = []
    for t in parse_note(body):
        try:
            agent = parse_assisted_by(t.agent) or Agent(tool="unknown")
        except ValueError:
            agent = Agent(tool="unknown")
        tags.append(NoteTag(path=t.path, start=t.start, end=t.end, agent=agent))
    if not tags and body.strip():
        warnings.append(f"note {NOTES_REF} on commit {commit[:12]} holds no paperprov tags; ignored")
    return tuple(tags)


# -- everything together ---------------------------------------------------------------

def read_line_facts(root: Path, info: RepoInfo, sources: EvidenceSources,
                    warnings: list[str]) -> dict[str, tuple[LineFact, ...]]:
    """git-ai notes and Agent Trace records, by the commit their line numbers refer to."""
    pairs = gitai.read_notes(root, info, sources.git_ai_ref, warnings) if sources.git_ai_ref else []
    pairs += agenttrace.read_records(root, info, sources.agent_trace_dir, sources.agent_trace_ref, warnings)
    return by_commit(pairs)


def collect(root: Path, files: Sequence[str], use_cache: bool = True,
            sources: EvidenceSources | None = None) -> GitEvidence:
    """Git evidence for the root-relative `files` (which must exist in the work tree)."""
    root = Path(root)
    info = repo_info(root)
    if info is None:
        return GitEvidence(available=False, warnings=("not a git repository: declarations only",))
    warnings: list[str] = []
    boundary: frozenset[str] = frozenset()
    shallow_file = info.git_dir / "shallow"
    if info.shallow and shallow_file.is_file():
        boundary = frozenset(shallow_file.read_text(encoding="ascii", errors="replace").split())
    epoch = blamecache.epoch(info.prefix, boundary)
    cache_path = info.git_dir / CACHE_NAME
    cache = blamecache.load(cache_path, epoch) if use_cache else blamecache.empty()

    digests: dict[str, str] = {}
    contents, top = _Contents(root, digests), str(root)
    for rel in files:
        digests[rel] = source_digest(os.path.join(top, rel)) or contents.read(rel)[1]
    blame, bases, left, fresh = _blame(root, info, files, contents, digests, cache)
    graph_head = cache.get("graph_head")
    if left.blobs and info.head and not info.shallow and graph_head != info.head:
        graph_head = write_commit_graph(root, info.head)
    _blame_in_full(root, info, left, contents, blame, bases)

    shas = blame.commits()
    known = blamecache.cached_commits(cache, shas)
    commits = blamecache.Commits(known, read_commits(root, shas - known.keys()))
    notes = read_notes(root, info, warnings)
    line_facts = read_line_facts(root, info, sources or EvidenceSources(), warnings)

    stale = bool(fresh) or blame.printed or len(known) < len(commits) or blamecache.is_stale(cache, info.head, files)
    if use_cache and stale:
        keep(partial(blamecache.save, cache_path, epoch, graph_head, info.head, digests, blame, bases, commits, cache,
                     fresh))
    if info.shallow:
        warnings.append("shallow clone: attribution is partial (lines from before the clone's depth count as unknown)")
    return GitEvidence(available=True, head=info.head, shallow=info.shallow, boundary=boundary,
                       commits=commits, notes=notes, blame=blame, warnings=tuple(warnings),
                       line_facts=line_facts, prefix=info.prefix)


class _Contents(dict[str, bytes]):
    """The files' bytes, read when first asked for (a status whose blames the cache
    answers reads none, only their digests, remembered by stat), each checked against
    the digest the cache was asked with."""

    def __init__(self, root: Path, digests: Mapping[str, str]) -> None:
        super().__init__()
        self.root, self.digests = root, digests

    def read(self, rel: str) -> tuple[bytes, str]:
        try:
            return read_digested(self.root / rel)
        except OSError as exc:
            raise GitError(f"{rel}: cannot read ({exc.strerror}); check the file") from None

    def __missing__(self, rel: str) -> bytes:
        data, digest = self.read(rel)
        if digest != self.digests[rel]:
            raise GitError(f"{rel}: changed while paperprov read it; run the command again")
        self[rel] = data
        return data


class _Left(NamedTuple):
    """What the cache left to blame in full: each file with the blob HEAD holds for it
    (None: untracked), those whose bytes are that blob, and whether a merge is under way
    (git blame then also looks at MERGE_HEAD)."""

    blobs: dict[str, str | None]
    as_head: frozenset[str]
    merging: bool


def _blame(root: Path, info: RepoInfo, files: Sequence[str], contents: Mapping[str, bytes],
           digests: Mapping[str, str], cache: dict[str, Any],
           ) -> tuple[blamecache.Blames, dict[str, blamecache.Base], _Left, set[str]]:
    """What the cache answers: blames still valid, and blames of working-tree edits made
    from a file's base (worktree.py); what is left to blame in full; and the files whose
    entries are new."""
    at_head = blamecache.AtHead(root, info)
    blame = blamecache.reuse(digests, cache, at_head)
    bases: dict[str, blamecache.Base] = {}
    todo = [rel for rel in files if rel not in blame]
    if not todo:
        return blame, bases, _Left({}, frozenset(), False), set()
    tree = worktree.tracked_blobs(root, info)
    blobs = {rel: tree.get(info.prefix + rel) for rel in todo}
    merging = gitstate.merging(root)
    if not merging:
        found = blamecache.reuse_bases({r: b for r, b in blobs.items() if b}, cache, at_head)
        for rel, base in found.items():
            same = worktree.blob_id(contents[rel], base.blob) == base.blob
            spans = base.spans if same else worktree.edited_blame(root, info, rel, base.spans)
            if spans is not None:
                blame.put(rel, spans)
                bases[rel] = base
    left = {rel: b for rel, b in blobs.items() if rel not in blame and b}
    clean = {rel: b for rel, b in left.items() if worktree.blob_id(contents[rel], b) == b}
    parent = worktree.only_parent(root) if clean else None
    if parent is not None:  # files just committed as they were: their blame needs no walk
        for rel, base in blamecache.committed(info, parent, clean, digests, cache).items():
            blame.put(rel, base.spans)
            bases[rel] = base
    rest = {rel: b for rel, b in blobs.items() if rel not in blame}
    return blame, bases, _Left(rest, frozenset(clean).intersection(rest), merging), set(todo)


def _blame_in_full(root: Path, info: RepoInfo, left: _Left, contents: Mapping[str, bytes],
                   blame: blamecache.Blames, bases: dict[str, blamecache.Base]) -> None:
    """Blame what is `left` on a thread pool, each file with its base where HEAD tracks it."""

    def one(rel: str) -> tuple[Spans, blamecache.Base | None]:
        blob = left.blobs[rel]
        if blob is None:
            return blame_one(root, info, rel, contents[rel], False), None
        if rel in left.as_head:
            spans = blame_one(root, info, rel, contents[rel], True)
            return spans, blamecache.Base(blob, spans)
        if not left.merging:
            # An edited file: blame HEAD's blob, which every later edit starts from
            # (worktree.py), then this edit; the same cost as blaming the edit itself.
            base = blame_one(root, info, rel, contents[rel], True, at_head=True)
            edited = worktree.edited_blame(root, info, rel, base)
            if edited is not None:
                return edited, blamecache.Base(blob, base)
        return blame_one(root, info, rel, contents[rel], True), None

    # Biggest files first, so the pool does not end waiting on one long blame.
    todo = sorted(left.blobs, key=lambda r: (-len(contents[r]), r))
    if len(todo) == 1:  # after an edit: one blame needs no pool (nor its imports: logging, threads)
        _put(blame, bases, todo, map(one, todo))
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers()) as pool:
        _put(blame, bases, todo, pool.map(one, todo))


def _put(blame: blamecache.Blames, bases: dict[str, blamecache.Base], todo: list[str],
         found: Iterable[tuple[Spans, blamecache.Base | None]]) -> None:
    for rel, (spans, base) in zip(todo, found, strict=True):
        blame.put(rel, spans)
        if base is not None:
            bases[rel] = base


def dirty_files(root: Path, files: Sequence[str], prefix: str | None = None) -> list[str]:
    """The given files that differ from HEAD (modified, staged, untracked or ignored);
    `prefix`: the root's RepoInfo.prefix, when the caller has it (one git process less)."""
    if not files:
        return []
    if prefix is None:
        info = repo_info(root)
        if info is None:
            return sorted(files)
        prefix = info.prefix
    proc = git(root, LITERAL, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching",
               "--no-renames", "--", *files, check=False)
    if proc.returncode != 0:
        return sorted(files)
    out = []
    for entry in proc.stdout.split(b"\0"):
        if len(entry) > 3:
            path = entry[3:].decode("utf-8", "replace")
            out.append(path[len(prefix):] if path.startswith(prefix) else path)
    return sorted(set(out))
