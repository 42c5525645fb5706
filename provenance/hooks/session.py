"""`paperprov session`: declared AI work that leaves no trace in the environment.

Text pasted from a chat window comes with no CLAUDECODE variable and no co-author
trailer, so the author opens a session (`paperprov session start --agent chatgpt
--model gpt-5`) and every commit until `session stop` is tagged. The state is one small
JSON file under the git directory (shared by all worktrees, never committed):
`{"agent": ..., "model": ..., "started": <unix time>}`. gitstate.state_token hashes it,
so opening or closing a session re-runs the record.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from provenance.basics import Agent
from provenance.errors import GitError, SourceError, UsageError
from provenance.evidence import gitstate
from provenance.evidence.agents import NONE_VALUES
from provenance.fsutil import write_text_atomic

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/@-]*$")  # as in an Assisted-by value
STALE_AFTER = 24 * 3600  # seconds: a session open longer than a day was probably forgotten


@dataclass(frozen=True)
class Session:
    agent: str
    model: str
    started: float  # unix time

    @property
    def as_agent(self) -> Agent:
        return Agent(tool=self.agent, model=self.model)

    @property
    def started_iso(self) -> str:
        """The value of the Paperprov-Session trailer: the start time, UTC, to the second."""
        from datetime import datetime, timezone  # here: the tag hook rarely needs it

        return datetime.fromtimestamp(int(self.started), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state_dir(root: Path) -> Path:
    common = gitstate.common_dir(root)
    if common is None:
        raise GitError(f"{root}: not a git repository; run this in your paper's repository")
    return common


def session_path(root: Path) -> Path:
    return _state_dir(root) / gitstate.SESSION_FILE


def open_session(root: Path) -> Session | None:
    """The open session, or None. A damaged file is an error that says how to clear it."""
    path = session_path(root)
    if not path.exists():
        return None  # the common case, on every commit: nothing more to import or read
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        session = Session(agent=str(data["agent"]), model=str(data["model"]), started=float(data["started"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{path}: damaged session file ({exc}); run `paperprov session stop` to remove it") from None
    return session


def start(root: Path, agent: str, model: str | None = None, now: float | None = None) -> Session:
    for flag, value in (("--agent", agent), ("--model", model)):
        if value is not None and not _NAME.match(value):
            raise UsageError(f"{flag}: {value!r} is not a name; use letters, digits and . _ + / @ - (e.g. --agent chatgpt --model gpt-5)")
    if agent.lower() in NONE_VALUES:
        raise UsageError("--agent: a session needs an agent name (e.g. --agent chatgpt), not 'none'")
    parsed = Agent(tool=agent.lower(), model=model or "unknown")
    current = open_session(root)
    if current is not None:
        raise SourceError(
            f"a session with {current.as_agent} is already open since {current.started_iso}; "
            "run `paperprov session stop` first"
        )
    session = Session(agent=parsed.tool, model=parsed.model, started=float(int(now if now is not None else time.time())))
    import json

    payload = {"agent": session.agent, "model": session.model, "started": int(session.started)}
    write_text_atomic(session_path(root), json.dumps(payload, sort_keys=True) + "\n")
    return session


def stop(root: Path) -> Session | None:
    """Close the session; returns what was open (None if nothing was). Also clears a
    damaged session file, which is the way out `open_session`'s error names."""
    path = session_path(root)
    try:
        session = open_session(root)
    except SourceError:
        session = None
    path.unlink(missing_ok=True)
    return session


def stale_warning(root: Path, now: float | None = None) -> str | None:
    """For `paperprov status` and `session show`: a session open for more than a day."""
    try:
        session = open_session(root)
    except SourceError as err:
        return str(err)
    if session is None:
        return None
    age = (now if now is not None else time.time()) - session.started
    if age <= STALE_AFTER:
        return None
    days = age / 86400
    return (
        f"session with {session.as_agent} open for {days:.1f} days (since {session.started_iso}); "
        "every commit since is tagged as AI-assisted; run `paperprov session stop` if it is over"
    )
