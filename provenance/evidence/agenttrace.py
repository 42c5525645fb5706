"""Agent Trace records (https://github.com/cursor/agent-trace, v0.1.0) as line-level
evidence, and the model-id convention paperprov shares with its export.

A trace record is JSON: `{"version", "id", "timestamp", "vcs": {"type": "git",
"revision": COMMIT}, "tool": {"name", "version"}, "files": [{"path", "conversations":
[{"contributor": {"type", "model_id"}, "ranges": [{"start_line", "end_line",
"contributor"?}]}]}]}`. Line numbers refer to the file at `vcs.revision`, so that commit
plays the part a git-ai note's annotated commit plays. Storage is left to
implementations; paperprov reads (both by default, see config/evidence.py):
- `*.json` files under a directory (`.agent-trace/`): one record, or a list of records;
  `*.jsonl` files: one record per line;
- the notes of a ref (`refs/notes/agent-trace`): the same JSON; a record there without
  `vcs` is taken to describe the commit the note is attached to.

Contributor types: `ai` and `mixed` (human-edited AI output, or AI-edited human code:
AI involvement either way) count as AI lines; `human` as a known human's; `unknown`
makes no claim. A range's contributor overrides its conversation's. The agent is
`tool.name` (the tool that wrote the trace) with the model of `model_id`
(`provider/model`, models.dev's convention).

Revisions are looked up (abbreviated ones expanded) with one `git cat-file
--batch-check`; a record that names no git revision, or one this repository lacks, is
skipped with a warning: its line numbers cannot be placed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from provenance.evidence.gitrun import RepoInfo, git, notes
from provenance.evidence.gitstate import resolve_ref
from provenance.evidence.linefacts import LineFact
from provenance.model import Agent

SOURCE = "agent-trace"
SPEC_VERSION = "0.1.0"
_SHORT = re.compile(r"[0-9a-fA-F]{4,64}")
MAX_RECORD_BYTES = 16 << 20
# Model name prefix -> provider, as models.dev names providers (model_id = provider/model).
PROVIDERS = (("claude", "anthropic"), ("gpt-", "openai"), ("chatgpt", "openai"), ("o1", "openai"),
             ("o3", "openai"), ("o4", "openai"), ("codex", "openai"), ("gemini", "google"), ("gemma", "google"),
             ("llama", "meta"), ("mistral", "mistral"), ("codestral", "mistral"), ("devstral", "mistral"),
             ("grok", "xai"), ("deepseek", "deepseek"), ("qwen", "alibaba"), ("kimi", "moonshotai"),
             ("glm", "zhipuai"))
# Tool -> provider, when the model is not recorded but the tool runs one provider's models.
TOOL_PROVIDERS = {"claude-code": "anthropic", "claude": "anthropic", "codex": "openai", "chatgpt": "openai",
                  "gemini": "google", "gemini-cli": "google"}


def model_id(agent: Agent) -> str | None:
    """`provider/model` for an agent, or None when the provider or model is not known."""
    model = agent.model if agent.model and agent.model != "unknown" else ""
    if not model:
        return None
    if "/" in model:
        return model  # already provider/model
    low = model.lower()
    provider = next((p for prefix, p in PROVIDERS if low.startswith(prefix)), None) \
        or TOOL_PROVIDERS.get(agent.tool.lower())
    return f"{provider}/{model}" if provider else None


def agent_from(model: Any, tool: str) -> Agent:
    """The agent a contributor names: the trace's tool, the model part of `model_id`."""
    text = model.strip() if isinstance(model, str) else ""
    return Agent(tool or "unknown", text.rpartition("/")[2] or "unknown")


def _facts(record: dict[str, Any], problems: list[str]) -> list[LineFact]:
    tool_obj = record.get("tool")
    tool = str(tool_obj.get("name") or "").strip().lower() if isinstance(tool_obj, dict) else ""
    out: list[LineFact] = []
    files = record.get("files")
    for f in files if isinstance(files, list) else ():
        path = f.get("path") if isinstance(f, dict) else None
        if not isinstance(path, str) or not path.strip():
            problems.append("a file without a path; skipped")
            continue
        path = path.strip().removeprefix("./")
        for conv in f.get("conversations") or ():
            if not isinstance(conv, dict):
                continue
            for rng in conv.get("ranges") or ():
                fact = _range(path, rng, conv.get("contributor"), tool)
                if fact is None:
                    problems.append(f"{path}: a range without 1 <= start_line <= end_line; skipped")
                elif fact.origin:
                    out.append(fact)
    return out


def _range(path: str, rng: Any, default: Any, tool: str) -> LineFact | None:
    if not isinstance(rng, dict):
        return None
    a, b = rng.get("start_line"), rng.get("end_line")
    if not (isinstance(a, int) and isinstance(b, int)) or isinstance(a, bool) or isinstance(b, bool) or not 1 <= a <= b:
        return None
    own = rng.get("contributor")
    who: dict[str, Any] = own if isinstance(own, dict) else default if isinstance(default, dict) else {}
    kind = who.get("type")
    if kind in ("ai", "mixed"):
        return LineFact(path, a, b, "ai", SOURCE, agent_from(who.get("model_id"), tool))
    if kind == "human":
        return LineFact(path, a, b, "human", SOURCE)
    return LineFact(path, a, b, "", SOURCE)  # unknown: no claim


def parse_records(text: str) -> list[Any]:
    """The JSON values in a file or note: one value (a record or a list of them), or one per line."""
    try:
        value = json.loads(text)
        return value if isinstance(value, list) else [value]
    except ValueError:
        pass
    out = []
    for line in text.splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append(None)
    return out


def _revision(record: dict[str, Any], fallback: str | None) -> str | None:
    vcs = record.get("vcs")
    if isinstance(vcs, dict) and vcs.get("type") == "git" and isinstance(vcs.get("revision"), str):
        return vcs["revision"].strip()
    return fallback


def _resolve(root: Path, revisions: set[str]) -> dict[str, str]:
    """Full commit ids of the given revisions that this repository has, with ONE
    `git cat-file --batch-check` (which also expands abbreviated ids)."""
    out: dict[str, str] = {}
    short = sorted(r for r in revisions if _SHORT.fullmatch(r))
    if short:
        proc = git(root, "cat-file", "--batch-check", input=("\n".join(short) + "\n").encode(), check=False)
        for rev, line in zip(short, proc.stdout.decode("ascii", "replace").splitlines(), strict=False):
            parts = line.split()
            if len(parts) == 3 and parts[1] == "commit":
                out[rev] = parts[0]
    return out


def _sources(root: Path, info: RepoInfo, directory: str | None, ref: str | None) -> list[tuple[str, str, str | None]]:
    """(where, text, commit a note is attached to) for every place records are kept."""
    found: list[tuple[str, str, str | None]] = []
    top = root / directory if directory else None
    if top is not None and top.is_dir():
        for p in sorted(list(top.rglob("*.json")) + list(top.rglob("*.jsonl"))):
            try:
                if p.is_file() and p.stat().st_size <= MAX_RECORD_BYTES:
                    found.append((p.relative_to(root).as_posix(), p.read_text(encoding="utf-8"), None))
            except (OSError, UnicodeDecodeError):
                found.append((p.relative_to(root).as_posix(), "", None))
    if ref and resolve_ref(info.git_dir, ref) is not None:
        for commit, text in sorted(notes(root, ref).items()):
            found.append((f"note {ref} on {commit[:12]}", text, commit))
    return found


def read_records(root: Path, info: RepoInfo, directory: str | None, ref: str | None,
                 warnings: list[str]) -> list[tuple[str, LineFact]]:
    """(commit the line numbers refer to, fact) for every Agent Trace record found."""
    pending: list[tuple[str, str, list[LineFact]]] = []
    for where, text, attached in _sources(root, info, directory, ref):
        for record in parse_records(text):
            problems: list[str] = []
            if not isinstance(record, dict) or not isinstance(record.get("files"), list):
                warnings.append(f"Agent Trace {where}: not a trace record (a JSON object with `files`); skipped")
                continue
            rev = _revision(record, attached)
            if not rev:
                warnings.append(f"Agent Trace {where}: no git `vcs.revision`, so its line numbers cannot be placed; skipped")
                continue
            facts = _facts(record, problems)
            warnings.extend(f"Agent Trace {where}: {p}" for p in problems)
            pending.append((where, rev, facts))
    full = _resolve(root, {rev for _, rev, _ in pending}) if pending else {}
    out: list[tuple[str, LineFact]] = []
    for where, rev, facts in pending:
        if rev not in full:
            warnings.append(f"Agent Trace {where}: revision {rev[:12]} is not a commit of this repository; skipped")
            continue
        out.extend((full[rev], f) for f in facts)
    return out
