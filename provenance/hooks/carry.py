"""AI trailers survive history edits: a commit that replaces others keeps their AI evidence.

`git commit --amend -m "..."` writes a new message; so does a reword, and a squash
(`git rebase -i`) keeps only the last message's trailer block as trailers, while a
fixup drops its message altogether. Each would lose the `Assisted-by:`, agent
`Co-authored-by:` and `Paperprov-Session:` trailers of the commits it replaces, and the
record would call AI work untagged. So the commit hooks add those trailers back (a
squash carries the union), unless the author writes `Assisted-by: none` for the new
commit. A `none` the new message only inherited from a replaced commit is no such
declaration: when AI trailers are carried next to it, it is dropped.

Which commits a commit replaces, from what git leaves for its hooks:
- `git commit --amend` (prepare-commit-msg's SOURCE `commit` with SHA `HEAD`, or, with
  `-m`/`-F`, which hide the amend from the hook's arguments, a `git commit --amend`
  among the hook's parent processes): HEAD; and when HEAD's last reflog entry is a
  `git reset` back from a descendant (`git reset --soft HEAD~2 && git commit --amend`),
  the commits that reset left behind too.
- an interactive rebase (`.git/rebase-merge/`): the commit being applied (the last line
  of `done`) and those already folded into it (`rewritten-pending`, for squash/fixup).
- a cherry-pick: CHERRY_PICK_HEAD.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from provenance.errors import GitError
from provenance.evidence import gitstate
from provenance.evidence.agents import ASSISTED_BY, SESSION_TRAILER, co_author_agent, name_agent, parse_assisted_by
from provenance.evidence.gitrun import git, git_text
from provenance.evidence.trailers import trailer_lines

_SHA = re.compile(r"\b[0-9a-f]{7,64}\b")
MAX_PARENTS = 12  # hook -> pre-commit -> hook script -> git: a few levels; never the whole tree


@dataclass(frozen=True)
class Carried:
    trailers: tuple[tuple[str, str], ...] = ()  # (key, value) AI trailers of the replaced commits
    said_none: bool = False  # some replaced commit said `Assisted-by: none`
    commits: tuple[str, ...] = field(default=(), compare=False)


def _parent_commands(max_depth: int = MAX_PARENTS) -> list[list[str]]:
    """The command lines of this process's ancestors, nearest first (Linux /proc, else ps)."""
    out: list[list[str]] = []
    pid = os.getppid()
    for _ in range(max_depth):
        if pid <= 1:
            break
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
            ppid = int(stat.rpartition(")")[2].split()[1])  # the name may hold spaces and ')'
            out.append([a.decode("utf-8", "replace") for a in argv if a])
        except (OSError, ValueError, IndexError):
            try:
                proc = subprocess.run(["ps", "-o", "ppid=", "-o", "args=", "-p", str(pid)],
                                      capture_output=True, text=True, check=False)
                ppid_text, _, args = proc.stdout.strip().partition(" ")
                ppid = int(ppid_text)
                out.append(args.split())
            except (OSError, ValueError):
                break
        pid = ppid
    return out


def _is_git_commit(argv: Sequence[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) in ("git", "git.exe") and "commit" in argv[1:]


def amending(source: str | None, sha: str | None) -> bool:
    """This commit replaces HEAD (`git commit --amend`, with or without -m)."""
    if source == "commit" and sha == "HEAD":
        return True
    if source not in (None, "", "message", "template"):
        return False
    for argv in _parent_commands():
        if _is_git_commit(argv):
            return "--amend" in argv
    return False


def _reset_away(root: Path) -> list[str]:
    """Commits a `git reset` to an ancestor just left behind, if HEAD's last move was one."""
    proc = git(root, "log", "-g", "-n", "2", "--format=%H%x00%gs", "HEAD", check=False)
    entries = [ln.split("\0", 1) for ln in proc.stdout.decode("utf-8", "replace").splitlines() if "\0" in ln]
    if proc.returncode != 0 or len(entries) < 2 or not entries[0][1].startswith("reset: moving to"):
        return []
    head, before = entries[0][0], entries[1][0]
    if git(root, "merge-base", "--is-ancestor", head, before, check=False).returncode != 0:
        return []
    return git_text(root, "rev-list", f"{head}..{before}").split()


def _rebase_commits(gd: Path) -> list[str]:
    rm = gd / "rebase-merge"
    out: list[str] = []
    try:
        out += (rm / "rewritten-pending").read_text(encoding="utf-8").split()
    except OSError:
        pass
    try:
        done = [ln for ln in (rm / "done").read_text(encoding="utf-8").splitlines() if ln.strip()]
    except OSError:
        done = []
    if done and not done[-1].lstrip().startswith(("#", "exec", "x ", "break", "b ", "label", "reset", "update-ref")):
        m = _SHA.search(done[-1])
        if m:
            out.append(m.group(0))
    return out


def replaced_commits(root: Path, source: str | None, sha: str | None) -> list[str]:
    """The commits the commit being made replaces (full ids, oldest first as found)."""
    gd = gitstate.git_dir(root)
    if gd is None:
        return []
    found: list[str] = []
    if (gd / "rebase-merge").is_dir():
        found += _rebase_commits(gd)
    pick = gd / "CHERRY_PICK_HEAD"
    if pick.is_file():
        found += pick.read_text(encoding="ascii", errors="replace").split()[:1]
    if amending(source, sha):
        found += ["HEAD"] + _reset_away(root)
    if not found:
        return []
    # One process resolves them all; names that are not commits are left out.
    proc = git(root, "cat-file", "--batch-check=%(objectname) %(objecttype)", check=False,
               input="".join(f"{name}^{{commit}}\n" for name in dict.fromkeys(found)).encode())
    shas = [ln.split()[0] for ln in proc.stdout.decode("ascii", "replace").splitlines() if ln.endswith(" commit")]
    return list(dict.fromkeys(shas))


def ai_trailers(root: Path, commits: Sequence[str]) -> Carried:
    """The AI trailers of `commits` (an `(aider)` author name becomes `Assisted-by: aider:unknown`)."""
    if not commits:
        return Carried()
    try:
        out = git_text(root, "log", "--no-walk=unsorted", "--stdin", "-z", "--format=%H%x00%an%x00%B",
                       input="\n".join(commits) + "\n")
    except GitError:
        return Carried()
    fields = out.split("\0")
    kept: list[tuple[str, str]] = []
    said_none = False
    for i in range(0, len(fields) - 2, 3):
        _, author, body = fields[i:i + 3]
        for key, value in trailer_lines(body):
            k = key.lower()
            if k == ASSISTED_BY.lower():
                try:
                    agent = parse_assisted_by(value)
                except ValueError:
                    continue
                if agent is None:
                    said_none = True
                    continue
                kept.append((ASSISTED_BY, value))
            elif (k == "co-authored-by" and co_author_agent(value) is not None) or k == SESSION_TRAILER.lower():
                kept.append((key, value))
        if name_agent(author) is not None:
            kept.append((ASSISTED_BY, "aider:unknown"))
    return Carried(tuple(dict.fromkeys(kept)), said_none, tuple(commits))


def carried(root: Path, source: str | None, sha: str | None) -> Carried:
    return ai_trailers(root, replaced_commits(root, source, sha))
