"""Running git as a subprocess, and where the repository is.

The git-evidence modules (gitlog, blame, blamecache) share this one runner so that
every call gets the same config overrides and the same one-line errors: quotePath off,
so non-ASCII paths come back as UTF-8 rather than C-quoted; showSignature off, so a
user's config cannot splice GPG output into `git log` fields. List form, never a shell.
(gitstate.py reads .git without a process; this is for queries that need git itself.)
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import GitError, ToolMissing
from provenance.evidence.gitstate import resolve_ref
from provenance.paths import ZIP_EPOCH

# Before a subcommand whose pathspecs are file names: `a[1].tex` then names that file
# alone, not also `a1.tex` (no globbing, no pathspec magic).
LITERAL = "--literal-pathspecs"


def git(root: Path, *args: str, input: bytes | None = None, check: bool = True,
        ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes]:
    """Run git; with `check`, an exit status outside `ok` is a one-line GitError."""
    cmd = ["git", "-c", "core.quotePath=false", "-c", "log.showSignature=false", *args]
    try:
        proc = subprocess.run(cmd, cwd=root, input=input, capture_output=True)
    except FileNotFoundError:
        raise ToolMissing("git not found on PATH; install git (Debian/Ubuntu: sudo apt-get install git)") from None
    except OSError as exc:  # e.g. an argument list longer than the system allows
        raise GitError(f"git {_subcommand(args)} could not start in {root} ({exc.strerror}); "
                       "try with fewer files, or report it") from None
    if check and proc.returncode not in ok:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {_subcommand(args)} failed in {root}: {err[-1] if err else 'no message'}")
    return proc


def _subcommand(args: tuple[str, ...]) -> str:
    """The subcommand among git's own options (`-c KEY=VALUE`, LITERAL)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] == "-c" else 1
    return args[i] if i < len(args) else "(no subcommand)"


def git_text(root: Path, *args: str, input: str | None = None, ok: tuple[int, ...] = (0,)) -> str:
    """git's standard output as text (UTF-8, undecodable bytes replaced)."""
    data = None if input is None else input.encode("utf-8")
    return git(root, *args, input=data, ok=ok).stdout.decode("utf-8", "replace")


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


def notes(root: Path, ref: str, common: Path | None = None) -> dict[str, str]:
    """Annotated commit -> note text for every note under `ref`: one `notes list` and one
    `cat-file --batch`, not a `git notes show` per commit. {} when there are none.
    `common`: the repository's common git directory, where they are remembered under the
    commit the ref points to (a record after an edit starts no git for them; none at all
    when the ref does not exist)."""
    if common is None:
        return _notes(root, ref)
    import json  # here: the commit hooks import this module and never remember notes

    from provenance.fsutil import write_cache

    at = resolve_ref(common, ref)
    if at is None:
        return {}
    keep = common / "paperprov" / f"notes.{ref.rsplit('/', 1)[-1]}.json"
    try:
        kept = json.loads(keep.read_bytes())
        if kept["ref"] == ref and kept["at"] == at:
            return {str(k): str(v) for k, v in kept["notes"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    out = _notes(root, ref)
    write_cache(keep, json.dumps({"ref": ref, "at": at, "notes": out}))
    return out


def _notes(root: Path, ref: str) -> dict[str, str]:
    listed = git(root, "notes", f"--ref={ref}", "list", check=False)
    pairs = [ln.split() for ln in listed.stdout.decode().splitlines() if len(ln.split()) == 2]
    if listed.returncode != 0 or not pairs:
        return {}
    batch = git(root, "cat-file", "--batch", input=("\n".join(p[0] for p in pairs) + "\n").encode()).stdout
    out: dict[str, str] = {}
    pos = 0
    for _blob, target in pairs:
        header_end = batch.index(b"\n", pos)
        header = batch[pos:header_end].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = header_end + 1
            continue
        size = int(header[2])
        out[target] = batch[header_end + 1:header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
    return out


def source_date_epoch(root: Path) -> int:
    """HEAD's commit time, so a build of one commit is the same wherever it runs.
    An explicit SOURCE_DATE_EPOCH in the environment wins; without a commit (or without
    git) it is ZIP's epoch, 1980-01-01."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    try:
        out = git(root, "log", "-1", "--format=%ct", "HEAD", check=False)
    except ToolMissing:
        return ZIP_EPOCH
    stamp = out.stdout.decode().strip()
    return int(stamp) if out.returncode == 0 and stamp.isdigit() else ZIP_EPOCH
