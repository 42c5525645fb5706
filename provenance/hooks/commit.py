"""Commit-time hooks: the work behind `paperprov hook tag|policy|attach-tags` (lint.py and
nokeys.py hold the other two).

pre-commit (the framework) calls them; each returns what it found and the command
module turns that into output and an exit code. They run on every commit, so they
start git at most a few times and import nothing heavy.

Decisions (the README repeats them):
- A commit is tagged when an agent makes it: its environment (agents.env_agent), an
  author/committer name ending in "(aider)", a Co-authored-by trailer of an agent in the
  message, or an open `paperprov session`. The trailer is `Assisted-by: TOOL:MODEL`,
  added only if no Assisted-by line names that tool yet (so amend, and a message the
  agent tagged itself, stay as they are).
- `Assisted-by: none` written in the message loses against an agent detected from the
  environment or a session: the commit was made by the agent, and a disclosure must not
  understate that. The hook replaces it and says so; `SKIP=paperprov-tag` is the way out.
- Merges are tagged like other commits: blame attributes to a merge only the lines
  written while resolving its conflicts, and whoever made the merge wrote those.
- Commits replayed by rebase or cherry-pick are not tagged for the agent replaying
  them: it did not write them. An amend made by an agent is tagged: it may change the
  content.
- A commit that replaces others (amend, reword, squash, fixup, cherry-pick) keeps their
  AI trailers (carry.py), unless its author writes `Assisted-by: none`.
- The model is taken from the agent's own co-author line in the message, else from its
  environment, else from its settings files (models.py), else `unknown`.
- The policy checks a commit's own changes: merges and replayed commits are not
  asked to declare again what the commits they carry declared.
- An empty message (the editor is about to open) is left alone; the commit-msg hook
  tags it after editing, so `git commit` without -m is tagged too.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from provenance.basics import Agent
from provenance.errors import GitError
from provenance.evidence import gitstate
from provenance.evidence.agents import (
    ASSISTED_BY,
    SESSION_TRAILER,
    co_author_agent,
    env_agent,
    name_agent,
    normalize_model,
    parse_assisted_by,
)
from provenance.evidence.gitrun import git_text
from provenance.paths import CONFIG_NAME

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~5 ms of each hook)
if TYPE_CHECKING:
    from provenance.evidence.notes import Tag

_SCISSORS = "------------------------ >8 ------------------------"


def trailers(root: Path, msgfile: Path) -> list[tuple[str, str]]:
    """(key, value) of the message's trailer block, as git itself reads it."""
    out = git_text(root, "interpret-trailers", "--parse", str(msgfile))
    pairs = []
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key.strip(), value.strip()))
    return pairs


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        if line.strip() == f"# {_SCISSORS}":
            break
        if line.strip() and not line.startswith("#"):
            return True
    return False


def _replaying(root: Path) -> bool:
    gd = gitstate.git_dir(root)
    return gd is not None and any(
        (gd / name).exists() for name in ("rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD")
    )


def detect_agents(root: Path, env: Mapping[str, str], pairs: Sequence[tuple[str, str]]) -> tuple[list[Agent], str | None, bool]:
    """The agents making this commit, the session trailer value (if a session is open),
    and whether any of them was seen outside the message (environment or session)."""
    in_message = [a for k, v in pairs if k.lower() == "co-authored-by" and (a := co_author_agent(v)) is not None]
    outside_found: list[Agent] = []
    a = env_agent(env)
    if a is not None:
        outside_found.append(a)
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        if name_agent(env.get(var, "")) is not None:
            outside_found.append(Agent(tool="aider", model=normalize_model(env.get("AIDER_MODEL", "")) if
                                       env.get("AIDER_MODEL", "").strip() else "unknown"))
    from provenance.hooks.session import (
        open_session,  # imported here: the pre-commit hooks never need it
    )

    session = open_session(root)
    session_value = None
    if session is not None:
        outside_found.append(session.as_agent)
        session_value = session.started_iso
    # One agent per tool; the first that knows the model wins: the message (an agent's
    # own co-author line names the model that ran), then environment, name, session;
    # then the agent's settings files.
    merged: dict[str, Agent] = {}
    for a in in_message + outside_found:
        prev = merged.get(a.tool)
        if prev is None or (prev.model == "unknown" and a.model != "unknown"):
            merged[a.tool] = a
    for tool, a in merged.items():
        if a.model == "unknown":
            from provenance.hooks.models import configured_model  # reads files: only when needed

            merged[tool] = Agent(tool, configured_model(tool, root, env))
    return list(merged.values()), session_value, bool(outside_found)


def _clean(name: str) -> str:
    """A model name as the environment spells it ("claude-sonnet-4-5[1m]") made into an
    Assisted-by token, so the trailer we write always passes our own policy check."""
    return re.sub(r"[^A-Za-z0-9._+/@-]+", "-", name).strip("-.") or "unknown"


_NONE_LINE = re.compile(rf"^[ \t]*{ASSISTED_BY}[ \t]*:[ \t]*(?:none|no|nobody)[ \t]*(?:\n|\Z)", re.I | re.M)


def _declared_tools(pairs: Sequence[tuple[str, str]]) -> tuple[set[str], bool]:
    """The tools the message's Assisted-by trailers name, and whether one says `none`."""
    present: set[str] = set()
    says_none = False
    for key, value in pairs:
        if key.lower() == ASSISTED_BY.lower():
            try:
                declared = parse_assisted_by(value)
            except ValueError:
                present.add("?")  # malformed: the policy hook names it; don't pile on
                continue
            if declared is None:
                says_none = True
            else:
                present.add(declared.tool)
    return present, says_none


def _carry(root: Path, pairs: Sequence[tuple[str, str]], present: set[str], says_none: bool,
           source: str | None, sha: str | None) -> list[str]:
    """Trailer lines of the commits this one replaces that its message lacks (carry.py)."""
    from provenance.hooks.carry import carried

    kept = carried(root, source, sha)
    if not kept.trailers or (says_none and not kept.said_none):
        return []  # nothing to carry, or the author declared this commit `none` themselves
    have = {(k.lower(), v.strip()) for k, v in pairs}
    agents = {str(a) for k, v in pairs if k.lower() == ASSISTED_BY.lower() and (a := _agent(v)) is not None}
    out = []
    for key, value in kept.trailers:
        if (key.lower(), value.strip()) in have:
            continue
        if key == ASSISTED_BY:
            a = _agent(value)
            if a is None or str(a) in agents or (a.model == "unknown" and a.tool in present):
                continue  # the message names this agent already
        out.append(f"{key}: {value}")
    return out


def _agent(value: str) -> Agent | None:
    try:
        return parse_assisted_by(value)
    except ValueError:
        return None


def tag_message(root: Path, msgfile: Path, env: Mapping[str, str], source: str | None = None,
                sha: str | None = None) -> list[str]:
    """Add Assisted-by (and Paperprov-Session) trailers to the message if an agent makes
    this commit, and the AI trailers of the commits it replaces. `source`/`sha` are
    prepare-commit-msg's arguments, when known. Returns the trailer lines added."""
    text = msgfile.read_text(encoding="utf-8", errors="replace")
    if not _has_content(text):
        return []
    pairs = trailers(root, msgfile)
    agents, session_value, outside = ([], None, False) if _replaying(root) else detect_agents(root, env, pairs)
    present, says_none = _declared_tools(pairs)
    add = [f"{ASSISTED_BY}: {_clean(a.tool)}:{_clean(a.model)}" for a in agents if a.tool not in present]
    if session_value is not None and (SESSION_TRAILER.lower(), session_value) not in {(k.lower(), v) for k, v in pairs}:
        add.append(f"{SESSION_TRAILER}: {session_value}")
    carry = [line for line in _carry(root, pairs, present, says_none, source, sha) if line not in add]
    if carry and says_none:
        # The `none` came with a replaced commit, and the AI work of another one is now in
        # this commit too: the declaration no longer holds.
        msgfile.write_text(_NONE_LINE.sub("", text), encoding="utf-8")
        says_none = False
    if not add and not carry:
        return []
    args = ["interpret-trailers", "--in-place", "--where", "end"]
    if says_none and not present and outside and add and add[0].startswith(ASSISTED_BY):
        args += ["--if-exists", "replace", "--trailer", add[0]]
        rest = add[1:]
    elif says_none and not present:
        return []  # only the message's own co-author line disagrees with it: leave both to the record
    else:
        rest = add
    args += ["--if-exists", "addIfDifferent"]
    for line in rest + carry:
        args += ["--trailer", line]
    git_text(root, *args, str(msgfile))
    return add + carry


def _touches(path: str, pattern: str) -> bool:
    pattern = pattern.strip()
    if pattern.endswith("/"):
        return path.startswith(pattern)
    return path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatchcase(path, pattern)


def check_policy(root: Path, msgfile: Path) -> list[str]:
    """Problems with the message under provenance.yaml's policy; empty means accept."""
    pairs = trailers(root, msgfile)
    declared = [v for k, v in pairs if k.lower() == ASSISTED_BY.lower()]
    for value in declared:
        try:
            parse_assisted_by(value)
        except ValueError as exc:
            return [f"commit message: {exc}"]
    if declared or _replaying(root) or gitstate.merging(root):
        return []  # replayed and merged changes were declared by the commits that made them
    from provenance.config.hookview import hook_settings

    settings = hook_settings(root)
    if settings is None or not settings.declare_paths:
        return []
    staged = git_text(root, "diff", "--cached", "--name-only", "-z").split("\0")
    touched = [p for p in staged if p and any(_touches(p, pat) for pat in settings.declare_paths)]
    if not touched:
        return []
    more = f" and {len(touched) - 1} more" if len(touched) > 1 else ""
    return [
        f"this commit touches {touched[0]}{more} (policy.declare_paths in {CONFIG_NAME}) but does not "
        f"declare AI use; add the line `{ASSISTED_BY}: none` to the end of the message "
        f"(or `{ASSISTED_BY}: AGENT:MODEL`, e.g. `{ASSISTED_BY}: claude-code:claude-opus-4-1`, if an AI helped)"
    ]


def _line_count(data: str) -> int:
    return len(data.splitlines())


def attach_tags(root: Path) -> tuple[list[Tag], list[str]]:
    """Move pending `paperprov tag` tags onto HEAD as a note. Returns (attached, warnings)."""
    from provenance.evidence import notes as tagnotes

    common = gitstate.common_dir(root)
    if common is None:
        raise GitError(f"{root}: not a git repository")
    pending = tagnotes.read_pending(common)
    if not pending or _replaying(root):
        return [], []  # a rebase's replayed commits are not the work that was tagged
    head = git_text(root, "rev-parse", "--verify", "-q", "HEAD").strip()
    attached: list[Tag] = []
    warnings: list[str] = []
    counts: dict[str, int | None] = {}
    for t in pending:
        if t.path not in counts:
            try:
                counts[t.path] = _line_count(git_text(root, "show", f"{head}:{t.path}"))
            except GitError:
                counts[t.path] = None
        n = counts[t.path]
        if n is None or t.start > n:
            warnings.append(f"tag {t.path}:{t.start}-{t.end} ({t.agent}) not in commit {head[:12]}; dropped")
            continue
        attached.append(tagnotes.Tag(t.path, t.start, min(t.end, n), t.agent))
    if attached:
        try:
            old = tagnotes.parse_note(git_text(root, "notes", f"--ref={tagnotes.NOTES_REF}", "show", head))
        except GitError:
            old = []
        merged = old + [t for t in attached if t not in old]
        git_text(root, "notes", f"--ref={tagnotes.NOTES_REF}", "add", "-f", "-F", "-", head,
            input=tagnotes.note_text(merged))
    tagnotes.write_pending(common, [])
    return attached, warnings
