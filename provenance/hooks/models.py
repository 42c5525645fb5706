"""Which model an agent making a commit runs, from where that agent keeps its setting.

The commit hooks detect the agent from its environment (agents.env_agent), and take
the model from, in order: the co-author line the agent itself wrote into the message
(it names the model that ran), the agent's environment variables (ANTHROPIC_MODEL,
GEMINI_MODEL, AIDER_MODEL), and then the agent's own settings files, read here:

- Claude Code: `model` in `.claude/settings.local.json`, `.claude/settings.json` (the
  repository's) and `settings.json` under `$CLAUDE_CONFIG_DIR` (default `~/.claude`),
  in that order of precedence; an alias (`opus`) counts only when an
  ANTHROPIC_DEFAULT_*_MODEL variable pins it. Claude Code does not export the running
  model to the shells it starts, so these are what is left.
- Codex CLI: the top-level `model` of `config.toml` under `$CODEX_HOME` (default `~/.codex`).
- Gemini CLI: `model.name` (or an older string `model`) in `~/.gemini/settings.json`.

Nothing found: the model is `unknown`, as before. Files that do not parse are skipped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from provenance.evidence.agents import normalize_model, resolve_claude_model

_TOML_MODEL = re.compile(r'^\s*model\s*=\s*["\']([^"\']+)["\']\s*(?:#.*)?$')


def _json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _home(env: Mapping[str, str], var: str | None, default: str) -> Path:
    value = env.get(var, "").strip() if var else ""
    return Path(os.path.expanduser(value)) if value else Path(env.get("HOME", os.path.expanduser("~"))) / default


def claude_model(root: Path, env: Mapping[str, str]) -> str:
    for path in (root / ".claude" / "settings.local.json", root / ".claude" / "settings.json",
                 _home(env, "CLAUDE_CONFIG_DIR", ".claude") / "settings.json"):
        value = _json(path).get("model")
        if isinstance(value, str) and value.strip():
            return resolve_claude_model(value, env)
    return "unknown"


def codex_model(root: Path, env: Mapping[str, str]) -> str:
    path = _home(env, "CODEX_HOME", ".codex") / "config.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    for line in text.splitlines():
        if line.lstrip().startswith("["):
            break  # the top-level keys come before the first table
        m = _TOML_MODEL.match(line)
        if m:
            return normalize_model(m.group(1))
    return "unknown"


def gemini_model(root: Path, env: Mapping[str, str]) -> str:
    value = _json(_home(env, None, ".gemini") / "settings.json").get("model")
    if isinstance(value, dict):
        value = value.get("name")
    return normalize_model(value) if isinstance(value, str) and value.strip() else "unknown"


SETTINGS: dict[str, Callable[[Path, Mapping[str, str]], str]] = {
    "claude-code": claude_model,
    "codex": codex_model,
    "gemini-cli": gemini_model,
}


def configured_model(tool: str, root: Path, env: Mapping[str, str]) -> str:
    """The model `tool`'s settings files name, or "unknown"."""
    find = SETTINGS.get(tool)
    return find(root, env) if find is not None else "unknown"
