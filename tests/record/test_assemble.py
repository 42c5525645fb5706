"""The record end to end: real LaTeX/Python sources, real git histories, record.json bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import load
from provenance.record.assemble import build_record
from provenance.record.cache import write_record
from provenance.recordjson import record_from_dict, record_to_json
from tests.helpers import SECTIONS_CONFIG, Repo, git, paper, section


def record(root: Path) -> dict:  # type: ignore[type-arg]
    out = root / "build" / "record.json"
    write_record(load(root), out)
    return json.loads(out.read_bytes())


def units(rec: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {u["id"]: u for u in rec["units"]}


@pytest.fixture
def history(repo: Repo) -> Repo:
    """One section per kind of commit evidence."""
    repo.commit("Base\n\nAssisted-by: none", {**paper("human", "ai", "claude", "aider", "untagged"),
                                               "paper/sections/base.tex": section("base")})
    repo.commit("Human lemma\n\nAssisted-by: none", {"paper/sections/human.tex": section("human")})
    repo.commit("AI lemma\n\nAssisted-by: claude-code:claude-opus-4-1", {"paper/sections/ai.tex": section("ai")})
    repo.commit("Claude lemma\n\nCo-Authored-By: Claude <noreply@anthropic.com>", {"paper/sections/claude.tex": section("claude")})
    repo.commit("aider lemma", {"paper/sections/aider.tex": section("aider")}, env={"GIT_AUTHOR_NAME": "Ada (aider)"})
    repo.commit("Untagged lemma", {"paper/sections/untagged.tex": section("untagged"),
                                   "experiments/run.py": "def run():\n    return 1\n",
                                   # no experiment runs it: it is code because `code:` says so
                                   "provenance.yaml": SECTIONS_CONFIG + "code: [experiments/*.py]\n"})
    return repo


def test_each_form_of_commit_evidence_attributes_its_units(history: Repo) -> None:
    rec = record(history.path)
    u = units(rec)
    assert rec["commit"] == history.git("rev-parse", "HEAD").strip() and rec["dirty"] is False
    assert (u["lem:human"]["origin"], u["lem:human"]["agents"]) == ("human", [])
    assert u["lem:ai"]["origin"] == "ai" and u["lem:ai"]["ai_fraction"] == 1.0
    assert u["lem:ai"]["agents"] == [{"tool": "claude-code", "model": "claude-opus-4-1"}]
    assert u["lem:ai"]["decided_by"] == "blame"
    assert any(e["source"] == "trailer" and e["commit"] for e in u["lem:ai"]["evidence"])
    assert u["lem:claude"]["agents"] == [{"tool": "claude-code", "model": "unknown"}]
    assert u["lem:aider"]["agents"] == [{"tool": "aider", "model": "unknown"}]
    assert any(e["source"] == "author-name" for e in u["lem:aider"]["evidence"])
    assert u["lem:untagged"]["origin"] == "unknown"  # no evidence either way: no claim
    assert u["lem:untagged"]["lines_by_origin"]["untagged"] == 3
    assert u["experiments/run.py::run"]["origin"] == "unknown"
    assert rec["summary"]["untagged_commits"] == 1  # "Untagged lemma"; the others say something
    assert rec["summary"]["untagged"] == "unknown"
    # The proof cites lem:base (a unit) and eq:missing (not one): only the first is kept.
    proof = next(x for x in rec["units"] if x["kind"] == "proof" and x["file"].endswith("ai.tex"))
    assert proof["uses"] == ["lem:base"]
    assert rec["summary"]["units"]["statements"]["ai"] == 3
    assert rec["summary"]["agents"] == ["aider:unknown", "claude-code:claude-opus-4-1", "claude-code:unknown"]


def test_untagged_commits_count_as_human_only_when_the_authors_say_so(history: Repo) -> None:
    history.write("provenance.yaml", SECTIONS_CONFIG + "code: [experiments/*.py]\nattribution: {untagged: human}\n")
    history.commit("Assume human\n\nAssisted-by: none")
    rec = record(history.path)
    u = units(rec)
    assert u["lem:untagged"]["origin"] == "human"
    assert u["lem:untagged"]["lines_by_origin"]["untagged"] == 3  # what the lines are does not change
    assert u["lem:human"]["origin"] == "human"  # Assisted-by: none is a human's word
    assert rec["summary"]["untagged"] == "human"


def test_uncommitted_lines_make_the_record_dirty(history: Repo) -> None:
    history.write("paper/sections/human.tex", section("human") + "One more uncommitted line.\n")
    rec = record(history.path)
    assert rec["dirty"] is True
    assert units(rec)["sec:human"]["lines_by_origin"]["uncommitted"] >= 1


def test_declared_origin_contradicted_by_git_is_a_conflict(repo: Repo) -> None:
    repo.commit("Paper", {**paper("ai"), "paper/sections/base.tex": section("base")})
    body = section("ai").replace("\\begin{lemma}", "% paperprov: origin=human reviewed-by=alice\n\\begin{lemma}")
    repo.commit("AI\n\nAssisted-by: codex:gpt-5", {"paper/sections/ai.tex": body})
    lem = units(record(repo.path))["lem:ai"]
    assert (lem["origin"], lem["declared_origin"], lem["measured_origin"], lem["decided_by"]) == ("human", "human", "ai", "marker")
    assert lem["reviewed_by"] == [{"by": "alice", "commit": None, "source": "marker", "stale": False}]
    assert len(lem["conflicts"]) == 1 and "lem:ai" in lem["conflicts"][0]


def test_rename_in_history_keeps_ai_attribution(repo: Repo) -> None:
    repo.commit("Paper", {**paper("moved"), "paper/sections/base.tex": section("base"),
                          "paper/old/ai.tex": section("moved")})
    repo.commit("AI\n\nAssisted-by: claude-code:opus", {"paper/old/ai.tex": section("moved").replace("finite", "small")})
    (repo.path / "paper/sections").mkdir(exist_ok=True)
    repo.git("mv", "paper/old/ai.tex", "paper/sections/moved.tex")
    repo.commit("Move\n\nAssisted-by: none")
    lem = units(record(repo.path))["lem:moved"]
    assert lem["lines_by_origin"]["ai"] == 1 and lem["agents"] == [{"tool": "claude-code", "model": "opus"}]


def test_paperprov_tag_note_marks_lines_as_ai(repo: Repo) -> None:
    c = repo.commit("Paper\n\nAssisted-by: none", {**paper(), "paper/sections/base.tex": section("base")})
    note = json.dumps({"paperprov": 1, "tags": [{"path": "paper/sections/base.tex", "start": 2, "end": 4, "agent": "chatgpt:gpt-4o"}]})
    repo.git("notes", "--ref", "refs/notes/paperprov", "add", "-m", note, c)
    lem = units(record(repo.path))["lem:base"]
    assert lem["origin"] == "ai" and lem["agents"] == [{"tool": "chatgpt", "model": "gpt-4o"}]
    assert any(e["source"] == "note" for e in lem["evidence"])


def test_shallow_clone_is_partial(history: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history.path}", str(clone))
    rec = record(clone)
    assert rec["partial"] is True and rec["summary"]["partial"] is True
    assert any("shallow clone" in w for w in rec["warnings"])
    assert units(rec)["lem:ai"]["origin"] == "unknown"  # its commit lies beyond the clone's depth


def test_repository_without_commits(repo: Repo) -> None:
    for rel, text in {**paper(), "paper/sections/base.tex": section("base")}.items():
        repo.write(rel, text)
    rec = record(repo.path)
    assert rec["commit"] is None and rec["dirty"] is True
    assert any("no commits yet" in w for w in rec["warnings"])
    assert units(rec)["lem:base"]["lines_by_origin"]["uncommitted"] == 3


def test_not_a_git_repository_uses_declarations_only(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    files = {**paper(), "paper/sections/base.tex": section("base", "% paperprov: origin=ai tool=chatgpt\n")}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    rec = record(root)
    assert rec["commit"] is None and rec["warnings"][-1] == "not a git repository: declarations only"
    sec = units(rec)["sec:base"]
    assert (sec["origin"], sec["decided_by"], sec["measured_origin"]) == ("ai", "marker", None)


def test_detached_head_and_non_utf8_sources(repo: Repo) -> None:
    latin = section("base").replace("finite", "fini, caf\xe9").encode("latin-1")
    c = repo.commit("Paper\n\nAssisted-by: codex:gpt-5", {**paper(), "paper/sections/base.tex": latin})
    repo.commit("Later", {"notes.txt": "x\n"})
    repo.git("checkout", "-q", "--detach", c)
    rec = record(repo.path)
    assert rec["commit"] == c and units(rec)["lem:base"]["origin"] == "ai"


def test_missing_input_is_a_warning(repo: Repo) -> None:
    repo.commit("Paper", {**paper("nowhere"), "paper/sections/base.tex": section("base")})
    rec = record(repo.path)
    assert any("nowhere" in w for w in rec["warnings"])


def test_same_commit_gives_the_same_bytes_in_two_clones(history: Repo, tmp_path: Path) -> None:
    outs = []
    for name in ("one", "two/deeper"):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(history.path), str(clone))
        write_record(load(clone), clone / "build" / "record.json")
        write_record(load(clone), clone / "build" / "record.json")  # warm cache, same bytes
        outs.append((clone / "build" / "record.json").read_bytes())
    assert outs[0] == outs[1]
    assert record_to_json(record_from_dict(json.loads(outs[0]))) == outs[0]  # what the disclosure reads back
    assert outs[0] == record_to_json(build_record(load(history.path), use_cache=False))


def test_the_record_is_the_same_whether_or_not_the_disclosure_exists_yet(example: Repo) -> None:
    """The first build records before build/disclosure.tex exists, later builds after: a
    generated \\section must not end the paper's last section, or one commit would have
    two records (and `verify --rebuild` could not reproduce the PDF)."""
    before = record_to_json(build_record(load(example.path), use_cache=False))
    example.write("build/disclosure.tex", "\\section{AI use}\\label{sec:paperprov-disclosure}\nText.\n")
    after = record_to_json(build_record(load(example.path), use_cache=False))
    assert before == after
