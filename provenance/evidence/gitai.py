"""git-ai authorship notes (the Git AI Standard v3.0.0, schema `authorship/3.0.0`) as
line-level evidence.

git-ai (https://github.com/git-ai-project/git-ai, specs/git_ai_standard_v3.0.0.md)
attaches one note per commit under refs/notes/ai:

    paper/sections/lemmas.tex
      s_0a1b2c3d4e5f60::t_112233445566aa 12-40,52
      h_9f8e7d6c5b4a39 41-51
    ---
    {"schema_version": "authorship/3.0.0", "base_commit_sha": "...", "prompts": {},
     "sessions": {"s_0a1b2c3d4e5f60": {"agent_id": {"tool": "cursor", "id": "...", "model": "..."}}},
     "humans": {"h_9f8e7d6c5b4a39": {"author": "Ada <ada@example.org>"}}}

A path starts a line (quoted with `"` when it holds spaces); each entry below it is
indented by exactly two spaces, `KEY RANGES`. Keys: `s_<hex>::t_<hex>` an AI session
(looked up in `sessions` by the part before `::`), `h_<hex>` a known human (`humans`),
16 (or, in very old notes, 7) hex digits a legacy AI prompt (`prompts`). Line numbers
refer to the file as committed in the annotated commit. Lines no key covers are
"untracked": no claim either way, so they keep whatever the commit says.

A malformed entry is skipped with a warning naming the commit; the rest of the note
still counts (a note is evidence, and one bad line must not hide the others).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from provenance.evidence.gitrun import RepoInfo, notes
from provenance.evidence.gitstate import resolve_ref
from provenance.evidence.linefacts import LineFact, parse_ranges
from provenance.model import Agent

SCHEMA = "authorship/3.0.0"
SOURCE = "git-ai"
_SESSION = re.compile(r"(s_[0-9a-f]+)::t_[0-9a-f]+")
_HUMAN = re.compile(r"h_[0-9a-f]+")
_LEGACY = re.compile(r"[0-9a-f]{16}|[0-9a-f]{7}")
# git-ai's tool names where paperprov's trailers name the same agent differently.
TOOL_NAMES = {"claude": "claude-code"}


def agent_of(record: Any) -> Agent:
    """A session or prompt record's `agent_id` -> Agent (tool `unknown` if it says none)."""
    agent_id = record.get("agent_id") if isinstance(record, dict) else None
    if not isinstance(agent_id, dict):
        return Agent("unknown")
    tool = str(agent_id.get("tool") or "unknown").strip().lower() or "unknown"
    model = str(agent_id.get("model") or "unknown").strip() or "unknown"
    return Agent(TOOL_NAMES.get(tool, tool), model)


def _metadata(text: str) -> dict[str, Any]:
    try:
        meta = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"the metadata after `---` is not JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ValueError("the metadata after `---` is not a JSON object")
    return meta


def _who(key: str, meta: dict[str, Any]) -> tuple[str, Agent | None, str] | None:
    """(origin, agent, known human) for an attestation key, or None if it is no key."""
    def table(name: str) -> dict[str, Any]:
        value = meta.get(name)
        return value if isinstance(value, dict) else {}

    m = _SESSION.fullmatch(key)
    if m:
        return "ai", agent_of(table("sessions").get(m.group(1))), ""
    if _HUMAN.fullmatch(key):
        rec = table("humans").get(key)
        author = rec.get("author") if isinstance(rec, dict) else None
        return "human", None, str(author).strip() if isinstance(author, str) else ""
    if _LEGACY.fullmatch(key):
        return "ai", agent_of(table("prompts").get(key)), ""
    return None


def parse_note(text: str) -> tuple[list[LineFact], list[str]]:
    """The facts of one authorship note and the problems met (one line each)."""
    lines = text.splitlines()
    try:
        cut = lines.index("---")
    except ValueError:
        return [], ["no `---` line between the attestations and the metadata; not a git-ai note"]
    try:
        meta = _metadata("\n".join(lines[cut + 1:]))
    except ValueError as exc:
        return [], [str(exc)]
    problems: list[str] = []
    if meta.get("schema_version") != SCHEMA:
        problems.append(f"schema_version {meta.get('schema_version')!r}, read as {SCHEMA}")
    facts: list[LineFact] = []
    path: str | None = None
    for n, line in enumerate(lines[:cut], 1):
        if not line.strip():
            continue
        if not line.startswith(" "):
            path = line[1:-1] if len(line) > 1 and line[0] == line[-1] == '"' else line
            continue
        key, _, ranges = line[2:].partition(" ")
        who = _who(key, meta) if line.startswith("  ") and not line.startswith("   ") else None
        try:
            spans = parse_ranges(ranges.strip()) if who is not None and path else None
        except ValueError:
            spans = None
        if spans is None or who is None or path is None:
            problems.append(f"line {n} is not `  KEY RANGES` under a file path; skipped")
            continue
        origin, agent, human = who
        facts.extend(LineFact(path, a, b, origin, SOURCE, agent, human) for a, b in spans)
    return facts, problems


def read_notes(root: Path, info: RepoInfo, ref: str, warnings: list[str]) -> list[tuple[str, LineFact]]:
    """(annotated commit, fact) for every git-ai note under `ref`; nothing (and no git
    process) when the ref does not exist."""
    if resolve_ref(info.git_dir, ref) is None:
        return []
    out: list[tuple[str, LineFact]] = []
    for commit, text in sorted(notes(root, ref).items()):
        facts, problems = parse_note(text)
        warnings.extend(f"git-ai note ({ref}) on commit {commit[:12]}: {p}" for p in problems)
        out.extend((commit, f) for f in facts)
    return out
