"""Git evidence: which commits are AI work, and which commit last touched every line.

Everything here reads git through plain `git` subprocesses (list form, never a shell;
faster than GitPython for this): one `git log` for the commits' messages, one
`git ls-tree` for what HEAD tracks, one `git notes list` + `git cat-file --batch` for
`paperprov tag` notes, and one `git blame --incremental` per file on a small thread
pool (blame is the expensive part, and `--incremental` prints no line contents, so
there is less to parse than with `--porcelain`).

Blame results are cached in `<git-dir>/paperprov/blame-cache.json`. An entry is valid
for HEAD when the file's working-tree bytes are unchanged and either it was computed at
HEAD itself, or at an ancestor of HEAD and the path did not change between the two (then
blame at HEAD passes every line through to that ancestor's result). So editing one file
re-blames that file only, and a new commit re-blames only the paths it touched. The cache
is dropped when the shallow boundary changes. Deleting it changes nothing but time.
Commits are immutable, so their classification is cached too: `git log` only reads
commits the cache has not seen. Before blaming, a commit-graph with changed-path Bloom
filters is written (git's own cache, see _write_commit_graph): it halves blame's time.

Paths: `files` and the keys of `blame` are relative to the directory given (the paper
root); `orig_path` and note paths are relative to the repository's top level, as git
prints them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .agents import ASSISTED_BY, SESSION_TRAILER, co_author_agent, name_agent, parse_assisted_by
from .errors import GitError, ToolMissing
from .fsutil import write_text_atomic
from .gitstate import resolve_ref
from .model import Agent, Evidence

NOTES_REF = "refs/notes/paperprov"
CACHE_NAME = "paperprov/blame-cache.json"
CACHE_VERSION = 2
UNCOMMITTED = "0" * 40
_GIT_GENERATED = ("signed-off-by", "(cherry picked from commit ")
_HEX = frozenset(b"0123456789abcdef")


@dataclass(frozen=True)
class CommitInfo:
    """What one commit says about AI involvement. `agents` empty and `declared_none`
    false means untagged (counted as `attribution.untagged`)."""

    id: str
    agents: tuple[Agent, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    declared_none: bool = False

    @property
    def is_ai(self) -> bool:
        return bool(self.agents)


class BlameSpan(NamedTuple):
    """Lines start..start+count-1 of the current file came from `commit` (None:
    not committed yet), where they were lines orig_start.. of `orig_path`.
    (A NamedTuple: tens of thousands are loaded from the cache on every run.)"""

    start: int
    count: int
    commit: str | None
    orig_path: str
    orig_start: int


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


# -- running git -----------------------------------------------------------------------

def git(root: Path, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    cmd = ["git", "-c", "core.quotePath=false", "-c", "log.showSignature=false", *args]
    try:
        proc = subprocess.run(cmd, cwd=root, input=input, capture_output=True)
    except FileNotFoundError:
        raise ToolMissing("git not found on PATH; install git (Debian/Ubuntu: sudo apt-get install git)") from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed in {root}: {err[-1] if err else 'no message'}")
    return proc


@dataclass(frozen=True)
class RepoInfo:
    top: Path
    git_dir: Path
    prefix: str  # root relative to top, "" or "sub/dir/"
    head: str | None
    shallow: bool


def repo_info(root: Path) -> RepoInfo | None:
    """None when `root` is not inside a git work tree. One `git rev-parse` call when
    HEAD exists; a second one before the first commit."""
    base = ("rev-parse", "--show-toplevel", "--git-common-dir", "--show-prefix", "--is-shallow-repository")
    proc = git(root, *base, "HEAD", check=False)
    head: str | None = None
    if proc.returncode == 0:
        head = proc.stdout.decode().split("\n")[4].strip() or None
    else:
        proc = git(root, *base, check=False)  # no commits yet (or not a repository)
        if proc.returncode != 0:
            return None
    lines = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 4:
        return None
    top, common, prefix, shallow = lines[:4]
    return RepoInfo(top=Path(top), git_dir=(root / common).resolve(), prefix=prefix,
                    head=head, shallow=shallow.strip() == "true")


# -- commits and trailers --------------------------------------------------------------

def _trailer_lines(message: str) -> list[tuple[str, str]]:
    """(token, value) pairs of the message's trailer block, as git interpret-trailers
    finds it: the last paragraph, never the title paragraph, all of whose lines are
    trailers (or continuation lines), or at least a quarter of them when one is a
    git-generated trailer such as Signed-off-by."""
    lines = [ln for ln in message.replace("\r\n", "\n").split("\n") if not ln.startswith("#")]
    while lines and not lines[-1].strip():
        lines.pop()
    # The title paragraph ends at the first blank line; trailers can only follow it.
    try:
        title_end = next(i for i, ln in enumerate(lines) if not ln.strip())
    except StopIteration:
        return []
    start = len(lines)
    while start > title_end + 1 and lines[start - 1].strip():
        start -= 1
    block = lines[start:]
    if not block:
        return []
    out: list[tuple[str, str]] = []
    trailers = non_trailers = 0
    recognized = False
    for ln in block:
        if ln[:1] in (" ", "\t") and out:
            token, value = out[-1]
            out[-1] = (token, f"{value} {ln.strip()}")
            continue
        token, sep, value = ln.partition(":")
        token = token.rstrip()
        if sep and token and all(c.isalnum() or c == "-" for c in token):
            out.append((token, value.strip()))
            trailers += 1
            recognized |= token.lower() == "signed-off-by"
        else:
            non_trailers += 1
            recognized |= ln.lower().startswith(_GIT_GENERATED)
    if trailers and (not non_trailers or (recognized and trailers * 3 >= non_trailers)):
        return out
    return []


def classify_commit(sha: str, author: str, committer: str, message: str) -> CommitInfo:
    agents: list[Agent] = []
    evidence: list[Evidence] = []
    declared_none = False
    session = False
    for token, value in _trailer_lines(message):
        key = token.lower()
        if key == ASSISTED_BY.lower():
            try:
                agent = parse_assisted_by(value)
            except ValueError:
                agent = Agent(tool="unknown")  # someone meant to declare AI help; keep it
            if agent is None:
                declared_none = True
                evidence.append(Evidence("trailer", f"{ASSISTED_BY}: {value}", commit=sha))
            else:
                agents.append(agent)
                evidence.append(Evidence("trailer", f"{ASSISTED_BY}: {value}", commit=sha))
        elif key == "co-authored-by":
            agent = co_author_agent(value)
            if agent is not None:
                agents.append(agent)
                evidence.append(Evidence("trailer", f"Co-authored-by: {value}", commit=sha))
        elif key == SESSION_TRAILER.lower():
            session = True
            evidence.append(Evidence("session", f"{SESSION_TRAILER}: {value}", commit=sha))
    for role, name in (("author", author), ("committer", committer)):
        agent = name_agent(name)
        if agent is not None:
            agents.append(agent)
            evidence.append(Evidence("author-name", f"{role} {name}", commit=sha))
    if session and not agents:
        agents.append(Agent(tool="unknown"))
    # An agent's own evidence outweighs a human's "Assisted-by: none" in the same commit.
    return CommitInfo(id=sha, agents=tuple(sorted(set(agents), key=str)),
                      evidence=tuple(dict.fromkeys(evidence)), declared_none=declared_none and not agents)


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
    if resolve_ref(info.git_dir, NOTES_REF) is None:
        return {}  # nobody has tagged anything: no git call needed
    listed = git(root, "notes", "--ref", NOTES_REF, "list", check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        return {}
    pairs = [ln.split() for ln in listed.stdout.decode().splitlines() if len(ln.split()) == 2]
    batch = git(root, "cat-file", "--batch", input=("\n".join(p[0] for p in pairs) + "\n").encode()).stdout
    out: dict[str, tuple[NoteTag, ...]] = {}
    pos = 0
    for blob, target in pairs:
        header_end = batch.index(b"\n", pos)
        header = batch[pos:header_end].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = header_end + 1
            continue
        size = int(header[2])
        body = batch[header_end + 1:header_end + 1 + size]
        pos = header_end + 1 + size + 1
        tags = _parse_note(body, target, warnings)
        if tags:
            out[target] = tags
    return out


def _parse_note(body: bytes, commit: str, warnings: list[str]) -> tuple[NoteTag, ...]:
    from .tagnotes import parse_note  # one JSON object per line; rewrites concatenate them

    tags = []
    for t in parse_note(body.decode("utf-8", "replace")):
        try:
            agent = parse_assisted_by(t.agent) or Agent(tool="unknown")
        except ValueError:
            agent = Agent(tool="unknown")
        tags.append(NoteTag(path=t.path, start=t.start, end=t.end, agent=agent))
    if not tags and body.strip():
        warnings.append(f"note {NOTES_REF} on commit {commit[:12]} holds no paperprov tags; ignored")
    return tuple(tags)


# -- blame -----------------------------------------------------------------------------

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


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _blame_one(root: Path, info: RepoInfo, rel: str, data: bytes, tracked: bool) -> tuple[BlameSpan, ...]:
    top_path = info.prefix + rel
    if not tracked or info.head is None:
        n = _line_count(data)
        return (BlameSpan(1, n, None, top_path, 1),) if n else ()
    proc = git(root, "blame", "--incremental", "--", rel, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{rel}: git blame failed ({err[-1] if err else 'no message'}); check the file and the repository")
    return parse_incremental(proc.stdout)


def _tracked(root: Path, info: RepoInfo) -> set[str]:
    if info.head is None:
        return set()
    out = git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD").stdout
    return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}


def _changed_since(root: Path, old: str, head: str) -> set[str] | None:
    """Paths changed between an ancestor `old` and `head`, or None if `old` is not one."""
    if git(root, "merge-base", "--is-ancestor", old, head, check=False).returncode != 0:
        return None
    out = git(root, "diff", "--name-only", "-z", "--no-renames", old, head, check=False)
    if out.returncode != 0:
        return None
    return {p.decode("utf-8", "surrogateescape") for p in out.stdout.split(b"\0") if p}


def _load_cache(path: Path, epoch: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}, "commits": {}}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("epoch") != epoch:
        return {"files": {}, "commits": {}}
    return data


def _spans_to_json(spans: Sequence[BlameSpan], shas: dict[str, int]) -> dict[str, list]:  # type: ignore[type-arg]
    """Compact: commit ids and paths are interned, the spans are one flat list of ints
    (the cache is read on every run, so its size is parse time)."""
    paths: dict[str, int] = {}
    flat: list[int] = []
    for s in spans:
        commit = -1 if s.commit is None else shas.setdefault(s.commit, len(shas))
        flat += (s.start, s.count, commit, paths.setdefault(s.orig_path, len(paths)), s.orig_start)
    return {"paths": list(paths), "spans": flat}


def _spans_from_json(entry: dict, shas: list[str]) -> tuple[BlameSpan, ...]:  # type: ignore[type-arg]
    paths, flat = entry["paths"], entry["spans"]
    return tuple(BlameSpan(flat[i], flat[i + 1], shas[flat[i + 2]] if flat[i + 2] >= 0 else None,
                           paths[flat[i + 3]], flat[i + 4]) for i in range(0, len(flat), 5))


def _commit_to_json(c: CommitInfo) -> list[object]:
    return [[[a.tool, a.model] for a in c.agents],
            [[e.source, e.detail] for e in c.evidence], c.declared_none]


def _commit_from_json(sha: str, row: list) -> CommitInfo:  # type: ignore[type-arg]
    agents, evidence, none = row
    if not agents and not evidence:
        return CommitInfo(sha, (), (), bool(none))  # most commits: untagged
    return CommitInfo(id=sha, agents=tuple(Agent(t, m) for t, m in agents),
                      evidence=tuple(Evidence(s, d, commit=sha) for s, d in evidence), declared_none=bool(none))


def _write_commit_graph(root: Path, head: str) -> str | None:
    """Blame walks the history of each file; a commit-graph with changed-path Bloom
    filters lets it skip commits that did not touch the path, which halves blame's time
    on long histories. It is git's own cache (what `git maintenance` writes); `--split`
    adds a small layer for new commits instead of rewriting it. Best effort."""
    proc = git(root, "commit-graph", "write", "--reachable", "--changed-paths", "--split", "--no-progress", check=False)
    return head if proc.returncode == 0 else None


def _reuse_cached(root: Path, info: RepoInfo, digests: Mapping[str, str], cache: dict,  # type: ignore[type-arg]
                  ) -> dict[str, tuple[BlameSpan, ...]]:
    """The cached blames still valid at HEAD (see the module docstring)."""
    changed_by_head: dict[str, set[str] | None] = {}
    out: dict[str, tuple[BlameSpan, ...]] = {}
    old_files, shas = cache.get("files", {}), cache.get("shas", [])
    for rel, digest in digests.items():
        entry = old_files.get(rel)
        if not entry or entry.get("hash") != digest:
            continue
        old_head = entry.get("head")
        if old_head != info.head:
            if not old_head or not info.head:
                continue
            if old_head not in changed_by_head:
                if len(changed_by_head) >= 4:  # many different old heads: blaming is cheaper
                    continue
                changed_by_head[old_head] = _changed_since(root, old_head, info.head)
            changed = changed_by_head[old_head]
            if changed is None or info.prefix + rel in changed:
                continue
        try:
            out[rel] = _spans_from_json(entry, shas)
        except (KeyError, TypeError, ValueError, IndexError):
            continue  # a damaged entry is blamed afresh
    return out


def workers() -> int:
    return max(2, min(os.cpu_count() or 2, 8))


def collect(root: Path, files: Sequence[str], use_cache: bool = True) -> GitEvidence:
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
    epoch = hashlib.sha256(f"{info.prefix}\n{sorted(boundary)}".encode()).hexdigest()
    cache_path = info.git_dir / CACHE_NAME
    cache = _load_cache(cache_path, epoch) if use_cache else {"files": {}, "commits": {}}
    old_files: dict = cache.get("files", {})

    contents: dict[str, bytes] = {}
    for rel in files:
        try:
            contents[rel] = (root / rel).read_bytes()
        except OSError as exc:
            raise GitError(f"{rel}: cannot read ({exc.strerror}); check the file") from None
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in contents.items()}
    blame = _reuse_cached(root, info, digests, cache)
    todo = [rel for rel in files if rel not in blame]
    tracked = _tracked(root, info) if todo else set()

    graph_head = cache.get("graph_head")
    if todo and info.head and not info.shallow and graph_head != info.head:
        graph_head = _write_commit_graph(root, info.head)
    # Biggest files first, so the pool does not end waiting on one long blame.
    todo.sort(key=lambda r: (-len(contents[r]), r))
    with ThreadPoolExecutor(max_workers=workers()) as pool:
        results = pool.map(lambda r: _blame_one(root, info, r, contents[r], info.prefix + r in tracked), todo)
        for rel, spans in zip(todo, results):
            blame[rel] = spans

    shas = {s.commit for spans in blame.values() for s in spans if s.commit}
    try:
        known = {sha: _commit_from_json(sha, row) for sha, row in cache.get("commits", {}).items() if sha in shas}
    except (TypeError, ValueError):
        known = {}  # damaged: read them from git again
    commits = dict(known)
    commits.update(read_commits(root, shas - set(known)))
    notes = read_notes(root, info, warnings)

    stale = bool(todo) or len(known) < len(commits) or any(
        old_files.get(rel, {}).get("head") != info.head for rel in files)
    if use_cache and stale:
        sha_ids: dict[str, int] = {}
        new_cache = {
            "version": CACHE_VERSION,
            "epoch": epoch,
            "graph_head": graph_head,
            "files": {rel: {"head": info.head, "hash": digests[rel], **_spans_to_json(blame[rel], sha_ids)}
                      for rel in sorted(blame)},
            "shas": list(sha_ids),
            "commits": {sha: _commit_to_json(commits[sha]) for sha in sorted(commits)},
        }
        try:
            write_text_atomic(cache_path, json.dumps(new_cache, separators=(",", ":")))
        except OSError:
            pass  # a read-only repository still gets its record, only slower next time
    if info.shallow:
        warnings.append("shallow clone: attribution is partial (lines from before the clone's depth count as unknown)")
    return GitEvidence(available=True, head=info.head, shallow=info.shallow, boundary=boundary,
                       commits=commits, notes=notes, blame={k: blame[k] for k in files}, warnings=tuple(warnings))


def dirty_files(root: Path, files: Sequence[str]) -> list[str]:
    """The given files that differ from HEAD (modified, staged, untracked or ignored)."""
    if not files:
        return []
    info = repo_info(root)
    if info is None:
        return sorted(files)
    prefix = info.prefix
    proc = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching",
               "--no-renames", "--", *files, check=False)
    if proc.returncode != 0:
        return sorted(files)
    out = []
    for entry in proc.stdout.split(b"\0"):
        if len(entry) > 3:
            path = entry[3:].decode("utf-8", "replace")
            out.append(path[len(prefix):] if path.startswith(prefix) else path)
    return sorted(set(out))
