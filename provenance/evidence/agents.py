"""Who counts as an AI agent: trailer forms, co-author addresses, names, environment.

Shared by the commit-time hooks (which write the normalized trailer) and by gitlog
(which reads every form back), so both agree on what AI evidence looks like.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from provenance.basics import Agent

ASSISTED_BY = "Assisted-by"
SESSION_TRAILER = "Paperprov-Session"
NONE_VALUES = ("none", "no", "nobody")

# Co-authored-by addresses that agents write into their own commits.
CO_AUTHOR_EMAILS: dict[str, str] = {
    "noreply@anthropic.com": "claude-code",  # Claude Code: "Co-Authored-By: Claude <noreply@anthropic.com>"
    "noreply@openai.com": "codex",  # OpenAI Codex
    "aider@aider.chat": "aider",  # aider --attribute-co-authored-by
    "copilot@github.com": "copilot",
    "198982749+copilot@users.noreply.github.com": "copilot",  # Copilot coding agent
    "cursoragent@cursor.com": "cursor",  # Cursor background agent
    "gemini-code-assist@google.com": "gemini",
    "176961590+gemini-code-assist[bot]@users.noreply.github.com": "gemini",
}
CO_AUTHOR_NAMES: dict[str, str] = {
    "claude": "claude-code",
    "codex": "codex",
    "copilot": "copilot",
    "cursor agent": "cursor",
    "gemini": "gemini",
}
_AIDER_NAME = re.compile(r"\(aider\)\s*$")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/@-]*$")
_SUFFIX = re.compile(r"\s*[\[(][^\])]*[\])]\s*$")  # "(1M context)", "[1m]"
_NON_MODEL = re.compile(r"[^a-z0-9._+/@-]+")


def normalize_model(name: str) -> str:
    """A model name as agents spell it, in the one form the record uses: lowercase, words
    joined by '-', without bracketed suffixes ("Claude Opus 4.7 (1M context)" ->
    "claude-opus-4.7", "claude-sonnet-4-5[1m]" -> "claude-sonnet-4-5"); "unknown" if
    nothing is left."""
    prev = None
    while prev != name:  # several suffixes: "Opus 4.7 (1M context) [beta]"
        prev, name = name, _SUFFIX.sub("", name)
    return _NON_MODEL.sub("-", name.strip().lower()).strip("-.") or "unknown"


def parse_assisted_by(value: str) -> Agent | None:
    """`AGENT:MODEL [extra tools]` -> Agent; `none` -> None. Raises ValueError if malformed."""
    value = value.strip()
    if value.lower() in NONE_VALUES:
        return None
    head = value.split()[0] if value.split() else ""
    tool, _, model = head.partition(":")
    if not tool or not _TOKEN.match(tool) or (model and not _TOKEN.match(model)):
        raise ValueError(f"malformed {ASSISTED_BY} value {value!r}; write {ASSISTED_BY}: AGENT:MODEL or {ASSISTED_BY}: none")
    return Agent(tool=tool.lower(), model=normalize_model(model) if model else "unknown")


def co_author_agent(value: str) -> Agent | None:
    """`Name <email>` of a Co-authored-by trailer -> the agent, if it is one."""
    m = re.match(r"^\s*(.*?)\s*<([^>]*)>\s*$", value)
    name, email = (m.group(1), m.group(2).lower()) if m else (value.strip(), "")
    tool = CO_AUTHOR_EMAILS.get(email)
    if tool is None and email.endswith("[bot]@users.noreply.github.com"):
        for key, t in CO_AUTHOR_NAMES.items():
            if key in email:
                tool = t
    if tool is None:
        tool = CO_AUTHOR_NAMES.get(name.lower())
    if tool is None:
        return None
    model = "unknown"
    if tool == "claude-code" and len(name.split()) > 1:
        # "Claude Opus 4.7 (1M context) <noreply@anthropic.com>": the model that ran,
        # without the context-window suffix (the evidence keeps the line as written).
        model = normalize_model(name)
    elif tool == "aider":
        # aider --attribute-co-authored-by: "aider (gpt-4o) <aider@aider.chat>"
        m = re.search(r"\(([^()]+)\)", name)
        model = normalize_model(m.group(1)) if m else "unknown"
    return Agent(tool=tool, model=model)


def name_agent(name: str) -> Agent | None:
    """aider commits as `Jane Doe (aider)`."""
    return Agent(tool="aider") if _AIDER_NAME.search(name or "") else None


# Environment variables agents set in the shells they run commands in.
# (variable, tool, variable holding the model or None)
ENV_AGENTS: tuple[tuple[str, str, str | None], ...] = (
    ("CLAUDECODE", "claude-code", "ANTHROPIC_MODEL"),  # Claude Code sets CLAUDECODE=1 in its Bash tool
    ("CODEX_SANDBOX", "codex", "CODEX_MODEL"),  # OpenAI Codex CLI sets CODEX_SANDBOX(_NETWORK_DISABLED)
    ("CODEX_SANDBOX_NETWORK_DISABLED", "codex", "CODEX_MODEL"),
    ("CODEX_MANAGED_BY_NPM", "codex", "CODEX_MODEL"),  # Codex's npm launcher
    ("GEMINI_CLI", "gemini-cli", "GEMINI_MODEL"),  # Gemini CLI sets GEMINI_CLI=1 for its shell tool
    ("CURSOR_AGENT", "cursor", None),  # Cursor's agent terminal
    ("AIDER_MODEL", "aider", "AIDER_MODEL"),  # aider reads/exports AIDER_* settings
)
GENERIC_ENV = ("AI_AGENT", "AGENT")  # emerging convention: AGENT=<tool>[:<model>]


# Claude Code's model aliases, and the variables that pin each to a model id.
CLAUDE_ALIASES = {"opus": "ANTHROPIC_DEFAULT_OPUS_MODEL", "sonnet": "ANTHROPIC_DEFAULT_SONNET_MODEL",
                  "haiku": "ANTHROPIC_DEFAULT_HAIKU_MODEL", "opusplan": "ANTHROPIC_DEFAULT_OPUS_MODEL"}


def resolve_claude_model(name: str, env: Mapping[str, str]) -> str:
    """A Claude Code model setting as a model name: an alias ("opus", "sonnet[1m]") only
    names a model when its ANTHROPIC_DEFAULT_*_MODEL variable pins it; else "unknown"."""
    model = normalize_model(name)  # "sonnet[1m]" -> "sonnet"
    if model in CLAUDE_ALIASES or model in ("default", "best"):
        pinned = env.get(CLAUDE_ALIASES.get(model, ""), "").strip()
        return normalize_model(pinned) if pinned else "unknown"
    return model


def env_agent(env: Mapping[str, str]) -> Agent | None:
    for var, tool, model_var in ENV_AGENTS:
        if env.get(var):
            raw = env.get(model_var, "").strip() if model_var else ""
            if not raw:
                model = "unknown"
            elif tool == "claude-code":
                model = resolve_claude_model(raw, env)
            else:
                model = normalize_model(raw)
            return Agent(tool=tool, model=model)
    for var in GENERIC_ENV:
        value = env.get(var, "").strip()
        if value and value.lower() not in ("0", "false", "none"):
            try:
                return parse_assisted_by(value)
            except ValueError:
                continue
    return None
