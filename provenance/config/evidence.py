"""provenance.yaml `evidence:`: where line-level AI evidence from other tools is read.

    evidence:
      git_ai_ref: refs/notes/ai                 # git-ai authorship notes (Git AI Standard v3)
      agent_trace_dir: .agent-trace             # Agent Trace records, *.json, in the work tree
      agent_trace_ref: refs/notes/agent-trace   # Agent Trace records as git notes

Each may be switched off with `false`. The defaults are where the tools write: git-ai
always uses refs/notes/ai; Agent Trace leaves storage to implementations, so the
directory and the ref are this project's conventions. Nothing is read (and no git
process starts) when a ref or the directory does not exist.

Like formal.py, this module imports nothing else of config/ (validate.py passes its Reader).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from provenance.errors import ConfigError

DEFAULT_GIT_AI_REF = "refs/notes/ai"
DEFAULT_AGENT_TRACE_REF = "refs/notes/agent-trace"
DEFAULT_AGENT_TRACE_DIR = ".agent-trace"
KEYS = ("git_ai_ref", "agent_trace_dir", "agent_trace_ref")
_REF = re.compile(r"refs/notes/[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass(frozen=True)
class EvidenceSources:
    git_ai_ref: str | None = DEFAULT_GIT_AI_REF
    agent_trace_dir: str | None = DEFAULT_AGENT_TRACE_DIR  # relative to the paper root
    agent_trace_ref: str | None = DEFAULT_AGENT_TRACE_REF

    @property
    def refs(self) -> tuple[str, ...]:
        """The notes refs read, for the record's up-to-date check."""
        return tuple(r for r in (self.git_ai_ref, self.agent_trace_ref) if r)


class _Reads(Protocol):
    root: Path

    def fail(self, key: str, msg: str) -> ConfigError: ...
    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]: ...


def _ref(r: _Reads, value: Any, key: str, default: str) -> str | None:
    if value is None:
        return default
    if value is False:
        return None
    if not isinstance(value, str) or not _REF.fullmatch(value) or ".." in value or value.endswith((".", "/")):
        raise r.fail(key, f"{value!r} is not a notes ref; write refs/notes/NAME, or false to read none")
    return value


def _dir(r: _Reads, value: Any, key: str) -> str | None:
    if value is None:
        return DEFAULT_AGENT_TRACE_DIR
    if value is False:
        return None
    if not isinstance(value, str) or not value.strip():
        raise r.fail(key, "expected a directory relative to the repository, or false to read none")
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        raise r.fail(key, f"{value!r} must be a directory inside the repository, relative to it")
    return path.as_posix().rstrip("/") or "."


def parse_evidence(r: _Reads, value: Any) -> EvidenceSources:
    e = r.mapping(value, "evidence", KEYS)
    return EvidenceSources(
        git_ai_ref=_ref(r, e.get("git_ai_ref"), "evidence.git_ai_ref", DEFAULT_GIT_AI_REF),
        agent_trace_dir=_dir(r, e.get("agent_trace_dir"), "evidence.agent_trace_dir"),
        agent_trace_ref=_ref(r, e.get("agent_trace_ref"), "evidence.agent_trace_ref", DEFAULT_AGENT_TRACE_REF),
    )
