"""The blame and commit cache, `<git-dir>/paperprov/blame-cache.json`, and when to trust it.

Blaming every source file on every build is what makes a record slow, so results are
kept between runs. An entry is valid for HEAD when the file's working-tree bytes are
unchanged and either it was computed at HEAD itself, or at an ancestor of HEAD and no
commit between the two touched the path (a change and its revert count: git blame gives
the restored lines to the revert); then blame at HEAD passes every line through to that
ancestor's result. An entry also keeps its file's base: HEAD's blame of the blob HEAD
holds (`blob`: the entry's own spans are it; `base`: a separate copy, when the working
tree differs), valid by the same rule. Editing a file then costs one `git diff` over its
base (worktree.py); committing the edit as it was costs nothing (`committed`: its
uncommitted lines become HEAD's); any other new commit re-blames only the paths it
touched. The whole cache is dropped when the shallow boundary or the paper's place in
the repository changes (the epoch). Commits are immutable, so their classification is
cached too: `git log` only reads commits the cache has not seen. Deleting the file changes nothing but time; a damaged or
unreadable one counts as empty, and a read-only repository simply goes uncached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from provenance.evidence.blame import BlameSpan, blame_print
from provenance.evidence.gitrun import RepoInfo, git
from provenance.evidence.trailers import CommitInfo
from provenance.fsutil import write_cache
from provenance.model import Agent, Evidence

CACHE_NAME = "paperprov/blame-cache.json"
CACHE_VERSION = 3  # 3: model names normalised (agents.normalize_model); bases are optional


def epoch(prefix: str, boundary: frozenset[str]) -> str:
    """Entries from another epoch are never reused: shallow-boundary lines change meaning."""
    return hashlib.sha256(f"{prefix}\n{sorted(boundary)}".encode()).hexdigest()


def empty() -> dict[str, Any]:
    return {"files": {}, "commits": {}}


def load(path: Path, epoch: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty()
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("epoch") != epoch:
        return empty()
    shas, files = data.get("shas", []), data.get("files", {})
    if not isinstance(shas, list) or not all(isinstance(c, str) for c in shas) or not isinstance(files, dict):
        return empty()  # damaged: what entries name by index could not be trusted
    return data


def _changed_since(root: Path, old: str, head: str) -> set[str] | None:
    """Paths some commit between an ancestor `old` and `head` changed (merges against each
    parent), or None if `old` is not one. Not the diff of the two trees: a change and its
    revert leave the tree as it was, yet git blame gives the restored lines to the revert."""
    if git(root, "merge-base", "--is-ancestor", old, head, check=False).returncode != 0:
        return None
    out = git(root, "log", "--format=", "--name-only", "-z", "-m", "--no-renames", f"{old}..{head}", check=False)
    if out.returncode != 0:
        return None
    return {p.strip(b"\n").decode("utf-8", "surrogateescape") for p in out.stdout.split(b"\0") if p.strip(b"\n")}


class Base(NamedTuple):
    """HEAD's blame of a file as the blob `blob` HEAD holds."""

    blob: str
    spans: tuple[BlameSpan, ...]


class AtHead:
    """Is an entry computed at `old` still valid at HEAD for a path (the module's rule)?"""

    def __init__(self, root: Path, info: RepoInfo) -> None:
        self.root, self.info = root, info
        self.changed: dict[str, set[str] | None] = {}

    def __call__(self, old: str | None, top_path: str) -> bool:
        head = self.info.head
        if old == head:
            return True
        if not old or not head:
            return False
        if old not in self.changed:
            if len(self.changed) >= 4:  # many different old heads: blaming is cheaper
                return False
            self.changed[old] = _changed_since(self.root, old, head)
        changed = self.changed[old]
        return changed is not None and top_path not in changed


class Blames(Mapping[str, tuple[BlameSpan, ...]]):
    """Blames by root-relative file, those from the cache decoded when first asked for:
    after an edit, only the edited files' blames are read (a book's 100,000 cached spans
    were decoded, and printed, on every run). `print(rel)` is blame_print of a file's
    blame, kept in its entry."""

    def __init__(self, entries: Mapping[str, dict[str, Any]], shas: Sequence[str]) -> None:
        self._entries = dict(entries)  # each with its "print" (reuse sees to it)
        self._shas = shas
        self._spans: dict[str, tuple[BlameSpan, ...]] = {}
        self._prints: dict[str, str] = {}
        self.printed = False  # prints were added to entries (the cache is to be saved)

    def __getitem__(self, rel: str) -> tuple[BlameSpan, ...]:
        if rel not in self._spans:
            self._spans[rel] = _spans_from_json(self._entries[rel], self._shas)  # KeyError: not here
        return self._spans[rel]

    def __contains__(self, rel: object) -> bool:  # without decoding (Mapping's would)
        return rel in self._spans or rel in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans.keys() | self._entries.keys())

    def __len__(self) -> int:
        return len(self._spans.keys() | self._entries.keys())

    def put(self, rel: str, spans: tuple[BlameSpan, ...]) -> None:
        """A blame made this run (it replaces any cached one)."""
        self._spans[rel] = spans
        self._entries.pop(rel, None)
        self._prints.pop(rel, None)

    def print(self, rel: str) -> str:
        if rel not in self._prints:
            entry = self._entries.get(rel)
            self._prints[rel] = str(entry["print"]) if entry is not None else blame_print(self.get(rel, ()))
        return self._prints[rel]

    def commits(self) -> set[str]:
        """The commit ids behind every file's lines."""
        out = {s.commit for spans in self._spans.values() for s in spans if s.commit}
        for rel, entry in self._entries.items():
            if rel not in self._spans:
                out.update(self._shas[i] for i in set(entry["spans"][2::5]) if i >= 0)
        return out

    def base(self, rel: str) -> Base | None:
        """The base kept in the entry a cached blame came from (HEAD's blame of its blob)."""
        entry = self._entries.get(rel)
        return None if entry is None else _base(entry, self._spans.get(rel), self._shas)


def reuse(digests: Mapping[str, str], cache: dict[str, Any], at_head: AtHead) -> Blames:
    """The cached blames still valid at HEAD (see the module docstring); an entry that
    does not hold together is left out (blamed afresh). `at_head` is shared with
    reuse_bases, so each old HEAD's changed paths are asked of git once."""
    prefix = at_head.info.prefix
    entries: dict[str, dict[str, Any]] = {}
    old_files, shas = cache.get("files", {}), cache.get("shas", [])
    for rel, digest in digests.items():
        entry = old_files.get(rel)
        if not entry or entry.get("hash") != digest or not at_head(entry.get("head"), prefix + rel):
            continue
        if _sound(entry, len(shas)) and ("base" not in entry or _sound(entry["base"], len(shas))):
            entries[rel] = entry
    out = Blames(entries, shas)
    for rel, entry in entries.items():
        if not isinstance(entry.get("print"), str):  # an entry written before prints were kept
            entry["print"] = blame_print(out[rel])
            out.printed = True
    return out


def _sound(entry: Any, n_shas: int) -> bool:
    """Whether an entry's spans decode (its indices in range), without decoding them."""
    try:
        paths, flat = entry["paths"], entry["spans"]
        if not isinstance(paths, list) or not isinstance(flat, list) or len(flat) % 5:
            return False
        return not flat or (-1 <= min(flat[2::5]) and max(flat[2::5]) < n_shas
                            and 0 <= min(flat[3::5]) and max(flat[3::5]) < len(paths)
                            and isinstance(flat[0], int))
    except (KeyError, TypeError, ValueError):
        return False


def reuse_bases(blobs: Mapping[str, str], cache: dict[str, Any], at_head: AtHead) -> dict[str, Base]:
    """For files whose entry no longer matches the working tree: the cached base of the
    blob HEAD holds (`blobs`, by root-relative file), where still valid at HEAD."""
    prefix = at_head.info.prefix
    out: dict[str, Base] = {}
    old_files, shas = cache.get("files", {}), cache.get("shas", [])
    for rel, blob in blobs.items():
        entry = old_files.get(rel)
        if not entry:
            continue
        try:
            base = _base(entry, None, shas)
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        # A base is written with its entry, so it is valid where the entry's HEAD is.
        if base is not None and base.blob == blob and at_head(entry.get("head"), prefix + rel):
            out[rel] = base
    return out


def committed(info: RepoInfo, parent: str, clean: Mapping[str, str], digests: Mapping[str, str],
              cache: dict[str, Any]) -> dict[str, Base]:
    """Files HEAD committed just as the cache last saw them in the working tree, at HEAD's
    only parent: their blame at HEAD is that working-tree blame with its uncommitted lines
    given to HEAD, since git blame pairs the same lines either way (the parent's blob
    against the same bytes). `clean` maps each file that is as HEAD holds it to that blob;
    only entries with a base count (the file was tracked at the parent: no rename for
    blame to follow)."""
    out: dict[str, Base] = {}
    old_files, shas = cache.get("files", {}), cache.get("shas", [])
    for rel, blob in clean.items():
        entry = old_files.get(rel)
        if not entry or entry.get("head") != parent or entry.get("hash") != digests[rel]:
            continue
        if "blob" not in entry and "base" not in entry:
            continue
        try:
            spans = _spans_from_json(entry, shas)
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        out[rel] = Base(blob, tuple(s if s.commit is not None else s._replace(commit=info.head) for s in spans))
    return out


def _base(entry: dict[str, Any], spans: tuple[BlameSpan, ...] | None, shas: Sequence[str]) -> Base | None:
    if "blob" in entry:
        return Base(str(entry["blob"]), spans if spans is not None else _spans_from_json(entry, shas))
    if "base" in entry:
        return Base(str(entry["base"]["blob"]), _spans_from_json(entry["base"], shas))
    return None


class Commits(Mapping[str, CommitInfo]):
    """Commits' classifications: those the cache holds (`rows`, its JSON rows), decoded
    when first asked for (an edit's record asks for the few behind the lines it
    attributes again, not a history's every commit), and those read from git this run
    (`fresh`). `row(sha)` is a commit's JSON row, as the cache held it when it did."""

    def __init__(self, rows: Mapping[str, Any], fresh: Mapping[str, CommitInfo]) -> None:
        self.rows, self.fresh = rows, fresh
        self._decoded: dict[str, CommitInfo] = {}

    def __getitem__(self, sha: str) -> CommitInfo:
        found = self.fresh.get(sha) or self._decoded.get(sha)
        if found is None:
            found = self._decoded[sha] = _commit_from_json(sha, self.rows[sha])  # KeyError: neither
        return found

    def __contains__(self, sha: object) -> bool:
        return sha in self.fresh or sha in self.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows.keys() | self.fresh.keys())

    def __len__(self) -> int:
        return len(self.rows.keys() | self.fresh.keys())

    def row(self, sha: str) -> list[object]:
        kept = self.rows.get(sha) if sha not in self.fresh else None
        return kept if kept is not None else _commit_to_json(self[sha])


def cached_commits(cache: dict[str, Any], shas: Iterable[str]) -> dict[str, Any]:
    """The JSON rows the cache holds for `shas` (Commits decodes them), each of the shape
    _commit_from_json reads; none at all if one is not (damaged: read them from git)."""
    wanted, rows = set(shas), cache.get("commits", {})
    found = {sha: row for sha, row in rows.items() if sha in wanted} if isinstance(rows, dict) else {}
    sound = all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], list) and isinstance(r[1], list)
                and all(isinstance(a, list) and len(a) == 2 for a in r[0])
                and all(isinstance(e, list) and len(e) == 2 for e in r[1]) for r in found.values())
    return found if sound else {}


def is_stale(cache: dict[str, Any], head: str | None, files: Iterable[str]) -> bool:
    """True when some file's entry is missing or was computed at another HEAD: rewriting
    it at HEAD keeps the next run's validity check to a dictionary lookup."""
    old_files = cache.get("files", {})
    return any(old_files.get(rel, {}).get("head") != head for rel in files)


def save(path: Path, epoch: str, graph_head: str | None, head: str | None, digests: Mapping[str, str],
         blame: Mapping[str, tuple[BlameSpan, ...]], bases: Mapping[str, Base],
         commits: Commits, old: Mapping[str, Any] | None = None,
         blamed: Collection[str] = ()) -> None:
    """Write the cache. `old`, the cache as loaded this run: an entry it holds for the same
    HEAD and the same bytes is what this run would write again, and is kept as it was (an
    edit rewrites one file's entry, not a book's every span); not for the files `blamed`
    this run (their old entries did not answer: damaged, or made for other bytes)."""
    kept, shas = _reusable(old or {}, head, {rel: d for rel, d in digests.items() if rel not in blamed})
    sha_ids = {sha: i for i, sha in enumerate(shas)}

    def base(rel: str) -> Base | None:
        return bases.get(rel) or (blame.base(rel) if isinstance(blame, Blames) else None)

    files = {rel: kept.get(rel) or _entry(head, digests[rel], blame[rel], base(rel), sha_ids) for rel in sorted(blame)}
    new_cache = {
        "version": CACHE_VERSION,
        "epoch": epoch,
        "graph_head": graph_head,
        "files": files,
        "shas": list(sha_ids),
        "commits": {sha: commits.row(sha) for sha in sorted(commits)},
    }
    write_cache(path, json.dumps(new_cache, separators=(",", ":")))


def _reusable(old: Mapping[str, Any], head: str | None, digests: Mapping[str, str]
              ) -> tuple[dict[str, Any], list[str]]:
    """The entries of `old` (as `load` gave it: this version and epoch, its commit ids
    checked) made at `head` for the bytes each file has now, and the interned commit ids
    they refer to."""
    files, shas = old.get("files", {}), old.get("shas", [])
    same = {rel: e for rel, e in files.items()
            if rel in digests and isinstance(e, dict) and e.get("head") == head and e.get("hash") == digests[rel]}
    return same, shas if same else []


def _entry(head: str | None, digest: str, spans: tuple[BlameSpan, ...], base: Base | None,
           sha_ids: dict[str, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {"head": head, "hash": digest, **_spans_to_json(spans, sha_ids), "print": blame_print(spans)}
    if base is not None and base.spans == spans:
        entry["blob"] = base.blob
    elif base is not None:
        entry["base"] = {"blob": base.blob, **_spans_to_json(base.spans, sha_ids)}
    return entry


# -- the compact JSON form -------------------------------------------------------------

def _spans_to_json(spans: Sequence[BlameSpan], shas: dict[str, int]) -> dict[str, list[str] | list[int]]:
    """Compact: commit ids and paths are interned, the spans are one flat list of ints
    (the cache is read on every run, so its size is parse time)."""
    paths: dict[str, int] = {}
    flat: list[int] = []
    for s in spans:
        commit = -1 if s.commit is None else shas.setdefault(s.commit, len(shas))
        flat += (s.start, s.length, commit, paths.setdefault(s.orig_path, len(paths)), s.orig_start)
    return {"paths": list(paths), "spans": flat}


def _spans_from_json(entry: dict[str, Any], shas: Sequence[str]) -> tuple[BlameSpan, ...]:
    paths, flat = entry["paths"], entry["spans"]
    return tuple(BlameSpan(flat[i], flat[i + 1], shas[flat[i + 2]] if flat[i + 2] >= 0 else None,
                           paths[flat[i + 3]], flat[i + 4]) for i in range(0, len(flat), 5))


def _commit_to_json(c: CommitInfo) -> list[object]:
    return [[[a.tool, a.model] for a in c.agents],
            [[e.source, e.detail] for e in c.evidence], c.declared_none]


def _commit_from_json(sha: str, row: list[Any]) -> CommitInfo:
    agents, evidence, none = row
    if not agents and not evidence:
        return CommitInfo(sha, (), (), bool(none))  # most commits: untagged
    return CommitInfo(id=sha, agents=tuple(Agent(t, m) for t, m in agents),
                      evidence=tuple(Evidence(s, d, commit=sha) for s, d in evidence), declared_none=bool(none))
