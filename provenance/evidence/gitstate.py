"""Cheap reads of git state straight from .git/, for up-to-date checks.

`doit build` asks these on every run, so they must not start git or import GitPython:
a no-op build reads a handful of small files and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote  # pathlib imports it: nothing more for the hooks

from provenance.errors import GitError

NOTES_REF = "refs/notes/paperprov"  # `paperprov tag` ranges
REVIEW_REF = "refs/notes/paperprov-review"  # `paperprov review` records
SESSION_FILE = "paperprov/session.json"
WALK_STORE = "paperprov/scan.pickle"  # the paper's walk remembered (scan/tex/remembered.py)
LINT_WALKS = "paperprov/lint"  # the lint hook's long walks, by document (lint_walk_store)


def git_dir(root: Path) -> Path | None:
    """The repository's git directory, following a `.git` file (worktrees, submodules)."""
    dot = root / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            path = Path(text[len("gitdir:"):].strip())
            return path if path.is_absolute() else (root / path).resolve()
    return None


def _common_dir(gd: Path) -> Path:
    common = gd / "commondir"
    if common.is_file():
        return (gd / common.read_text().strip()).resolve()
    return gd


def common_dir(root: Path) -> Path | None:
    """Where state shared by all worktrees lives (session, pending tags, notes)."""
    gd = git_dir(root)
    return None if gd is None else _common_dir(gd)


def walk_store(root: Path) -> Path | None:
    """Where the paper's walk is remembered across runs: beside the blame cache, under
    .git/, which no clone, bundle or build output writes (scan/tex/remembered.py)."""
    common = common_dir(root)
    return None if common is None else common / WALK_STORE


def lint_walk_store(root: Path, main: str) -> Path | None:
    """Where the lint hook keeps a long walk of the document `main` for the next commit:
    apart from status's (which walks with the experiments' outputs too), one directory per
    document, since a store keeps only its own files' texts (scan/tex/stored.py)."""
    common = common_dir(root)
    return None if common is None else common / LINT_WALKS / quote(main, safe="") / "scan.pickle"


def resolve_ref(gd: Path, ref: str) -> str | None:
    for base in (gd, _common_dir(gd)):
        f = base / ref
        if f.is_file():
            return f.read_text(encoding="ascii", errors="replace").strip()
    packed = _common_dir(gd) / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="ascii", errors="replace").splitlines():
            parts = line.split(" ", 1)
            if len(parts) == 2 and parts[1] == ref:
                return parts[0]
    return None


def head_commit(root: Path) -> str | None:
    """HEAD's commit id, or None outside git or before the first commit."""
    gd = git_dir(root)
    if gd is None:
        return None
    head = (gd / "HEAD").read_text(encoding="ascii", errors="replace").strip()
    if head.startswith("ref:"):
        return resolve_ref(gd, head[4:].strip())
    return head or None


def state_token(root: Path, extra_refs: tuple[str, ...] = ()) -> str:
    """Changes whenever anything the record reads from git outside the work tree
    changes: HEAD, the paperprov notes refs and `extra_refs` (git-ai's, Agent Trace's),
    the shallow boundary, an open session."""
    import hashlib  # here: the commit hooks import this module and never need it

    gd = git_dir(root)
    if gd is None:
        return "no-git"
    h = hashlib.sha256()
    h.update(f"head={head_commit(root)}\n".encode())
    for ref in (NOTES_REF, REVIEW_REF, *extra_refs):
        h.update(f"{ref}={resolve_ref(gd, ref)}\n".encode())
    for extra in ("shallow", SESSION_FILE):
        f = _common_dir(gd) / extra
        h.update(f"{extra}=".encode() + (f.read_bytes() if f.is_file() else b"-") + b"\n")
    return h.hexdigest()


def merging(root: Path) -> bool:
    """A merge is in progress (git blame then also looks at MERGE_HEAD)."""
    gd = git_dir(root)
    return gd is not None and (gd / "MERGE_HEAD").exists()


def find_root(start: Path | None = None) -> Path:
    """The work tree's top directory: the nearest parent holding `.git` (dir or file).
    Read from the file system, not `git rev-parse`, because hooks call it on every commit."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    raise GitError(f"{here}: not inside a git repository; run this in your paper's repository")
