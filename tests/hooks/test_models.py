"""The model in `Assisted-by: TOOL:MODEL`: from the agent's own co-author line, its
environment or its settings files, normalised; and the record and the AIA statement
name models the same way."""

from __future__ import annotations

import json
import os
from pathlib import Path

from provenance.config import load
from provenance.disclose import aia
from provenance.evidence.agents import co_author_agent, normalize_model
from provenance.hooks.commit import tag_message
from provenance.record.assemble import build_record
from tests.helpers import Repo, write_message


def tag(repo: Repo, text: str, env: dict[str, str]) -> str:
    path = write_message(repo, text)
    tag_message(repo.path, path, env)
    return path.read_text()


def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh directory per test (conftest)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_model_names_are_normalised_and_the_raw_text_kept() -> None:
    assert normalize_model("Claude Opus 4.7 (1M context)") == "claude-opus-4.7"
    assert normalize_model("claude-sonnet-4-5[1m]") == "claude-sonnet-4-5"
    assert str(co_author_agent("Claude Opus 4.7 (1M context) <noreply@anthropic.com>")) == "claude-code:claude-opus-4.7"
    assert str(co_author_agent("Claude <noreply@anthropic.com>")) == "claude-code:unknown"


def test_the_agents_own_co_author_line_names_the_model_that_ran(repo: Repo) -> None:
    msg = "Prove it\n\nCo-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>\n"
    env = {"CLAUDECODE": "1", "ANTHROPIC_MODEL": "claude-sonnet-4-5"}  # --model overrode the variable
    assert tag(repo, msg, env) == msg + "Assisted-by: claude-code:claude-opus-4.7\n"


def test_claude_code_settings_files_name_the_model_when_the_environment_does_not(repo: Repo) -> None:
    assert tag(repo, "x\n", {"CLAUDECODE": "1"}) == "x\n\nAssisted-by: claude-code:unknown\n"
    write_json(home() / ".claude" / "settings.json", {"model": "claude-opus-4-1"})
    assert tag(repo, "x\n", {"CLAUDECODE": "1"}) == "x\n\nAssisted-by: claude-code:claude-opus-4-1\n"
    write_json(repo.path / ".claude" / "settings.json", {"model": "opus"})  # the repository's wins; an alias...
    assert tag(repo, "x\n", {"CLAUDECODE": "1"}) == "x\n\nAssisted-by: claude-code:unknown\n"
    env = {"CLAUDECODE": "1", "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-7"}  # ...names a model when pinned
    assert tag(repo, "x\n", env) == "x\n\nAssisted-by: claude-code:claude-opus-4-7\n"
    assert tag(repo, "x\n", {**env, "ANTHROPIC_MODEL": "claude-haiku-4-5"}) == "x\n\nAssisted-by: claude-code:claude-haiku-4-5\n"


def test_codex_and_gemini_settings_name_their_models(repo: Repo) -> None:
    codex_home = home() / "codex"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text('# my settings\nmodel = "gpt-5-codex"\n[profiles.fast]\nmodel = "o4-mini"\n')
    env = {"CODEX_SANDBOX": "seatbelt", "CODEX_HOME": str(codex_home)}
    assert tag(repo, "x\n", env) == "x\n\nAssisted-by: codex:gpt-5-codex\n"
    write_json(home() / ".gemini" / "settings.json", {"model": {"name": "gemini-2.5-pro"}})
    assert tag(repo, "y\n", {"GEMINI_CLI": "1"}) == "y\n\nAssisted-by: gemini-cli:gemini-2.5-pro\n"


def test_record_and_aia_name_models_and_never_a_tool_as_one(repo: Repo) -> None:
    repo.commit("Paper\n\nCo-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>\n"
                "Assisted-by: aider:unknown", {
                    "provenance.yaml": "paper: {name: t, main: main.tex}\n",
                    "main.tex": "\\documentclass{article}\n\\begin{document}\n\\section{A}\nText.\n\\end{document}\n"})
    record = build_record(load(repo.path))
    (section,) = record.units
    assert [str(g) for g in section.agents] == ["aider:unknown", "claude-code:claude-opus-4.7"]
    assert any(e.detail.startswith("Co-authored-by: Claude Opus 4.7 (1M context) <noreply@anthropic.com>")
               for e in section.evidence)
    statement = aia.statement(record.units)
    assert statement.code == "AIA EAI Hin Nr claude-opus-4.7 v1.0"
    assert "Tools whose model was not recorded: aider." in statement.explanation
