"""What one commit says about AI involvement, from its message and its names alone.

Pure functions of text (no git here), so the rules can be tested without a repository
and a commit's classification can be cached forever: commits are immutable. The trailer
block is found as `git interpret-trailers` finds it, because a prose mention of
"Assisted-by:" in a message body must not count as a declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.basics import Agent, Evidence
from provenance.evidence.agents import (
    ASSISTED_BY,
    SESSION_TRAILER,
    co_author_agent,
    name_agent,
    parse_assisted_by,
)

_GIT_GENERATED = ("signed-off-by", "(cherry picked from commit ")


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


def trailer_lines(message: str) -> list[tuple[str, str]]:
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
    for token, value in trailer_lines(message):
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
