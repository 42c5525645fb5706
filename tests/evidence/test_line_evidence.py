"""git-ai authorship notes and Agent Trace records: parsed from real notes and files in
repositories made here, and placed by the commit their line numbers refer to."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.config.evidence import EvidenceSources
from provenance.evidence import agenttrace, gitai
from provenance.evidence.collect import collect
from provenance.evidence.linefacts import LineFact, covering, parse_ranges
from provenance.model import Agent
from tests.helpers import Repo

SESSION, HUMAN = "s_0a1b2c3d4e5f60", "h_9f8e7d6c5b4a39"
SONNET = Agent("cursor", "claude-sonnet-4-5-20250514")


def git_ai_note(path: str, ai: str, human: str, legacy: str = "", tool: str = "cursor") -> str:
    entries = f"{path}\n  {SESSION}::t_112233445566aa {ai}\n  {HUMAN} {human}\n"
    if legacy:
        entries += f"  abcd1234abcd1234 {legacy}\n"
    meta = {"schema_version": "authorship/3.0.0", "base_commit_sha": "0" * 40,
            "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "claude", "id": "c", "model": "claude-opus-4-1"}}},
            "sessions": {SESSION: {"agent_id": {"tool": tool, "id": "conv-1", "model": SONNET.model}}},
            "humans": {HUMAN: {"author": "Ada <ada@example.org>"}}}
    return entries + "---\n" + json.dumps(meta, indent=2) + "\n"


def trace(path: str, revision: str | None, ranges: list[dict], model: str = "anthropic/claude-opus-4-5-20251101") -> dict:  # type: ignore[type-arg]
    rec: dict = {"version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000",  # type: ignore[type-arg]
                 "timestamp": "2026-01-23T14:30:00Z", "tool": {"name": "cursor", "version": "2.4.0"},
                 "files": [{"path": path, "conversations": [
                     {"contributor": {"type": "ai", "model_id": model}, "ranges": ranges}]}]}
    if revision is not None:
        rec["vcs"] = {"type": "git", "revision": revision}
    return rec


def test_a_git_ai_note_names_sessions_humans_and_legacy_prompts() -> None:
    facts, problems = gitai.parse_note(git_ai_note("paper/a.tex", "1-3,7", "4-6", legacy="9"))
    assert problems == []
    assert facts == [
        LineFact("paper/a.tex", 1, 3, "ai", "git-ai", SONNET),
        LineFact("paper/a.tex", 7, 7, "ai", "git-ai", SONNET),
        LineFact("paper/a.tex", 4, 6, "human", "git-ai", None, "Ada <ada@example.org>"),
        LineFact("paper/a.tex", 9, 9, "ai", "git-ai", Agent("claude-code", "claude-opus-4-1")),
    ]


def test_a_quoted_path_and_bad_entries_are_read_around() -> None:
    note = ('"paper/my file.tex"\n  h_9f8e7d6c5b4a39 2\n   h_9f8e7d6c5b4a39 3\n  h_9f8e7d6c5b4a39 5-4\n  zz 1\n'
            '---\n{"schema_version": "authorship/3.0.0", "base_commit_sha": "x", "prompts": {}}\n')
    facts, problems = gitai.parse_note(note)
    assert facts == [LineFact("paper/my file.tex", 2, 2, "human", "git-ai")]
    assert problems == [f"line {n} is not `  KEY RANGES` under a file path; skipped" for n in (3, 4, 5)]


def test_a_note_without_its_divider_or_json_is_no_evidence() -> None:
    assert gitai.parse_note("paper/a.tex\n  h_1 1\n") == (
        [], ["no `---` line between the attestations and the metadata; not a git-ai note"])
    facts, problems = gitai.parse_note("paper/a.tex\n  h_1 1\n---\nnot json\n")
    assert facts == [] and problems[0].startswith("the metadata after `---` is not JSON")


def test_ranges_parse_strictly() -> None:
    assert parse_ranges("1-4,9,12-14") == [(1, 4), (9, 9), (12, 14)]
    for bad in ("", "0", "4-2", "1, 2", "+3", "1-"):
        try:
            parse_ranges(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_overlapping_facts_an_ai_claim_wins_over_a_human_one() -> None:
    human = LineFact("a", 1, 10, "human", "git-ai")
    ai = LineFact("a", 4, 6, "ai", "agent-trace", SONNET)
    assert covering([human, ai], "a", 2, 12) == [(2, 3, human), (4, 6, ai), (7, 10, human)]
    assert covering([human], "b", 1, 5) == []


def test_agent_trace_contributors_map_to_lines() -> None:
    rec = trace("src/x.py", "a" * 40, [{"start_line": 1, "end_line": 2},
                                        {"start_line": 3, "end_line": 4, "contributor": {"type": "human"}},
                                        {"start_line": 5, "end_line": 5, "contributor": {"type": "unknown"}},
                                        {"start_line": 6, "end_line": 6, "contributor": {"type": "mixed"}},
                                        {"start_line": 0, "end_line": 1}])
    problems: list[str] = []
    facts = agenttrace._facts(rec, problems)
    opus = Agent("cursor", "claude-opus-4-5-20251101")
    assert facts == [LineFact("src/x.py", 1, 2, "ai", "agent-trace", opus), LineFact("src/x.py", 3, 4, "human", "agent-trace"),
                     LineFact("src/x.py", 6, 6, "ai", "agent-trace", Agent("cursor", "unknown"))]
    assert problems == ["src/x.py: a range without 1 <= start_line <= end_line; skipped"]


def test_model_ids_are_provider_slash_model() -> None:
    assert agenttrace.model_id(Agent("claude-code", "claude-opus-4-1")) == "anthropic/claude-opus-4-1"
    assert agenttrace.model_id(Agent("codex", "gpt-5-codex")) == "openai/gpt-5-codex"
    assert agenttrace.model_id(Agent("cursor", "gemini-2.5-pro")) == "google/gemini-2.5-pro"
    assert agenttrace.model_id(Agent("aider", "openrouter/x/y")) == "openrouter/x/y"
    assert agenttrace.model_id(Agent("codex", "my-finetune")) == "openai/my-finetune"
    assert agenttrace.model_id(Agent("aider", "my-finetune")) is None
    assert agenttrace.model_id(Agent("claude-code")) is None


def test_collect_reads_notes_files_and_short_revisions(repo: Repo) -> None:
    c1 = repo.commit("one", {"paper/a.tex": "".join(f"l{i}\n" for i in range(1, 11))})
    c2 = repo.commit("two", {"paper/a.tex": "".join(f"m{i}\n" for i in range(1, 11))})
    repo.write("n.txt", git_ai_note("paper/a.tex", "1-2", "3"))
    repo.git("notes", "--ref=ai", "add", "-F", "n.txt", c1)
    (repo.path / "n.txt").unlink()
    repo.write(".agent-trace/one.json", json.dumps(trace("paper/a.tex", c2[:10], [{"start_line": 5, "end_line": 6}])))
    repo.write(".agent-trace/bad.json", json.dumps(trace("paper/a.tex", None, [{"start_line": 1, "end_line": 1}])))
    repo.write("t.json", json.dumps(trace("paper/a.tex", None, [{"start_line": 9, "end_line": 9}])))
    repo.git("notes", "--ref=refs/notes/agent-trace", "add", "-F", "t.json", c2)
    (repo.path / "t.json").unlink()
    ev = collect(repo.path, ["paper/a.tex"], use_cache=False)
    opus = Agent("cursor", "claude-opus-4-5-20251101")
    assert ev.line_facts[c1] == (LineFact("paper/a.tex", 1, 2, "ai", "git-ai", SONNET),
                                 LineFact("paper/a.tex", 3, 3, "human", "git-ai", None, "Ada <ada@example.org>"))
    assert set(ev.line_facts[c2]) == {LineFact("paper/a.tex", 5, 6, "ai", "agent-trace", opus),
                                      LineFact("paper/a.tex", 9, 9, "ai", "agent-trace", opus)}
    assert ev.warnings == ("Agent Trace .agent-trace/bad.json: no git `vcs.revision`, so its line numbers cannot be "
                           "placed; skipped",)
    off = collect(repo.path, ["paper/a.tex"], use_cache=False, sources=EvidenceSources(None, None, None))
    assert off.line_facts == {}


def test_a_revision_the_repository_lacks_is_skipped_with_a_warning(repo: Repo) -> None:
    repo.commit("one", {"a.tex": "x\n"})
    repo.write(".agent-trace/gone.json", json.dumps(trace("a.tex", "b" * 40, [{"start_line": 1, "end_line": 1}])))
    ev = collect(repo.path, ["a.tex"], use_cache=False)
    assert ev.line_facts == {}
    assert ev.warnings == ("Agent Trace .agent-trace/gone.json: revision bbbbbbbbbbbb is not a commit of this "
                           "repository; skipped",)


def test_no_ref_and_no_directory_start_no_git_process(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", {"a.tex": "x\n"})
    # Nothing to read: the notes refs and the directory do not exist.
    ev = collect(repo.path, ["a.tex"], use_cache=False)
    assert ev.line_facts == {} and ev.warnings == ()
