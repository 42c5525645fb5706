"""The record -> Agent Trace records (https://github.com/cursor/agent-trace, v0.1.0): one
trace record per file of the paper and its experiment code, for the record's commit.

Each record: `vcs` = {git, the commit}; `tool` = paperprov and its version; one file,
its lines grouped into one conversation per contributor, in order of first appearance,
each with the ranges (1-based, inclusive, at that commit) the record's line runs give it:
- AI lines: `{"type": "ai", "model_id": "provider/model"}`; the provider comes from the
  model's name (claude-* anthropic, gpt-*/o1/o3/o4/codex* openai, gemini-*/gemma-*
  google, llama* meta, mistral/codestral/devstral mistral, grok* xai, deepseek*, qwen*
  alibaba, kimi* moonshotai, glm* zhipuai), else from the tool (claude-code anthropic,
  codex openai, gemini google); a model already written `provider/model` is kept; with
  no model or no known provider, `model_id` is left out (the agent is still named in
  the metadata);
- human lines: `{"type": "human"}`;
- everything else (untagged, unknown, uncommitted): `{"type": "unknown"}`.
`metadata["dev.paperprov"]` holds the record's sha256 and, per conversation, the agent
as paperprov names it (`tool:model`, null for non-AI). Deterministic: `id` is a UUID v5
of the commit and path, `timestamp` the commit's time, so the same commit gives the
same bytes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from provenance.evidence.agenttrace import SPEC_VERSION, model_id
from provenance.model import Agent, LineRun, Record

# Namespace for record ids: uuid5(URL namespace, "https://paperprov.dev/agent-trace").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://paperprov.dev/agent-trace")
METADATA_KEY = "dev.paperprov"


def rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _agent(text: str | None) -> Agent:
    tool, _, model = (text or "unknown").partition(":")
    return Agent(tool or "unknown", model or "unknown")


def contributor(run: LineRun) -> tuple[dict[str, Any], str | None]:
    """A line run's Agent Trace contributor, and the agent paperprov names for it."""
    if run.origin == "ai":
        agent = _agent(run.agent)
        mid = model_id(agent)
        return ({"type": "ai", "model_id": mid} if mid else {"type": "ai"}), str(agent)
    if run.origin == "human":
        return {"type": "human"}, None
    return {"type": "unknown"}, None


def trace_record(path: str, runs: tuple[LineRun, ...], commit: str, epoch: int, version: str,
                 record_sha256: str) -> dict[str, Any]:
    """The trace record of one file; `path` is repository-relative."""
    conversations: list[dict[str, Any]] = []
    agents: list[str | None] = []
    index: dict[tuple[str, str | None], int] = {}
    for run in runs:
        who, agent = contributor(run)
        key = (who["type"], agent)
        if key not in index:
            index[key] = len(conversations)
            conversations.append({"contributor": who, "ranges": []})
            agents.append(agent)
        conversations[index[key]]["ranges"].append({"start_line": run.start, "end_line": run.end})
    return {
        "version": SPEC_VERSION,
        "id": str(uuid.uuid5(NAMESPACE, f"{commit}:{path}")),
        "timestamp": rfc3339(epoch),
        "vcs": {"type": "git", "revision": commit},
        "tool": {"name": "paperprov", "version": version},
        "files": [{"path": path, "conversations": conversations}],
        "metadata": {METADATA_KEY: {"record_sha256": record_sha256, "agents": agents}},
    }


def trace_records(record: Record, prefix: str, epoch: int, version: str,
                  record_sha256: str) -> list[tuple[str, dict[str, Any]]]:
    """(repository-relative path, trace record) for every file the record has lines of.
    `prefix` is the paper root's place in the repository ("" or "sub/dir/")."""
    if record.commit is None:
        return []
    return [(prefix + path, trace_record(prefix + path, record.files[path], record.commit, epoch, version,
                                         record_sha256))
            for path in sorted(record.files) if record.files[path]]
