"""`paperprov export --agent-trace DIR`: one Agent Trace record per file of the paper and
the code, for HEAD, valid against the published JSON schema, the same bytes every time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from provenance.config import load
from provenance.paths import RECORD
from provenance.record.cache import write_record
from tests.helpers import ROOT, Repo, cli

FIXTURES = ROOT / "tests" / "fixtures" / "agent-trace"
# experiments/run.py is code because `code:` says so (no experiment runs it)
CONFIG = "paper: {name: t, main: paper/main.tex}\ncode: [experiments/*.py]\n"
MAIN = "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\\label{sec:intro}\nText.\n\\end{document}\n"
CODE = "def f():\n    return 1\n\n\ndef g():\n    return 2\n"


def schemas() -> list[dict[str, Any]]:
    published = json.loads((FIXTURES / "trace-record.schema.json").read_text())
    generated = json.loads((FIXTURES / "trace-record.generated.json").read_text())
    # The generated file predates the version pattern's change to X.Y.Z (see SOURCE.md).
    generated["properties"]["version"]["pattern"] = published["properties"]["version"]["pattern"]
    return [published, generated]


def validate(doc: dict[str, Any]) -> None:
    for schema in schemas():
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def paper_repo(repo: Repo) -> str:
    repo.commit("Paper\n\nAssisted-by: none\n", {"provenance.yaml": CONFIG, "paper/main.tex": MAIN,
                                                 ".gitignore": "build/\n"}, date="2026-01-02T03:04:05Z")
    return repo.commit("Code\n\nAssisted-by: claude-code:claude-opus-4-1\n", {"experiments/run.py": CODE},
                       date="2026-01-03T04:05:06Z")


def test_export_writes_valid_deterministic_records_for_head(repo: Repo, tmp_path: Path) -> None:
    head = paper_repo(repo)
    write_record(load(repo.path), repo.path / RECORD)
    out = tmp_path / "traces"
    proc = cli(repo.path, "export", "--agent-trace", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote 2 Agent Trace record(s) for {head[:12]} into {out}\n"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert files == ["experiments/run.py.json", "paper/main.tex.json"]
    code = json.loads((out / "experiments/run.py.json").read_text())
    tex = json.loads((out / "paper/main.tex.json").read_text())
    for doc in (code, tex):
        validate(doc)
        assert doc["vcs"] == {"type": "git", "revision": head}
        assert doc["timestamp"] == "2026-01-03T04:05:06Z" and doc["version"] == "0.1.0"
    assert code["files"] == [{"path": "experiments/run.py", "conversations": [
        {"contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-1"},
         "ranges": [{"start_line": 1, "end_line": 6}]}]}]
    assert code["metadata"]["dev.paperprov"]["agents"] == ["claude-code:claude-opus-4-1"]
    assert tex["files"][0]["conversations"] == [
        {"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": 5}]}]
    before = {f: (out / f).read_bytes() for f in files}
    assert cli(repo.path, "export", "--agent-trace", str(out)).returncode == 0
    assert {f: (out / f).read_bytes() for f in files} == before
    assert code["id"] != tex["id"]


def test_an_exported_record_reads_back_as_the_same_lines(repo: Repo, tmp_path: Path) -> None:
    """Round trip: the export, put where paperprov reads Agent Trace records, describes
    the same lines (the export's contributors become line-level evidence)."""
    head = paper_repo(repo)
    write_record(load(repo.path), repo.path / RECORD)
    assert cli(repo.path, "export", "--agent-trace", str(tmp_path / "t")).returncode == 0
    from provenance.evidence.agenttrace import _facts, parse_records

    rec = parse_records((tmp_path / "t/experiments/run.py.json").read_text())[0]
    facts = _facts(rec, [])
    assert [(f.path, f.start, f.end, f.origin, str(f.agent)) for f in facts] == [
        ("experiments/run.py", 1, 6, "ai", "paperprov:claude-opus-4-1")]
    assert rec["vcs"]["revision"] == head


def test_mixed_lines_give_one_conversation_per_contributor() -> None:
    from provenance.disclose.agenttrace import trace_record
    from provenance.model import LineRun

    runs = (LineRun(1, 2, "human"), LineRun(3, 4, "ai", "cursor:gpt-5"), LineRun(5, 5, "untagged"),
            LineRun(6, 7, "ai", "claude-code:unknown"), LineRun(8, 9, "human"), LineRun(10, 10, "ai", "cursor:gpt-5"))
    doc = trace_record("a.tex", runs, "a" * 40, 0, "1.0", "0" * 64)
    validate(doc)
    convs = doc["files"][0]["conversations"]
    assert [c["contributor"] for c in convs] == [{"type": "human"}, {"type": "ai", "model_id": "openai/gpt-5"},
                                                 {"type": "unknown"}, {"type": "ai"}]
    assert [[(r["start_line"], r["end_line"]) for r in c["ranges"]] for c in convs] == [
        [(1, 2), (8, 9)], [(3, 4), (10, 10)], [(5, 5)], [(6, 7)]]
    assert doc["metadata"]["dev.paperprov"]["agents"] == [None, "cursor:gpt-5", None, "claude-code:unknown"]


def test_a_stale_or_dirty_record_is_refused_in_one_line(repo: Repo, tmp_path: Path) -> None:
    paper_repo(repo)
    write_record(load(repo.path), repo.path / RECORD)
    repo.commit("More", {"experiments/run.py": CODE + "x = 1\n"})
    proc = cli(repo.path, "export", "--agent-trace", str(tmp_path / "t"))
    assert proc.returncode != 0 and "run `doit record`" in proc.stderr and len(proc.stderr.splitlines()) == 1
    repo.write("experiments/run.py", CODE)
    write_record(load(repo.path), repo.path / RECORD)
    proc = cli(repo.path, "export", "--agent-trace", str(tmp_path / "t"))
    assert proc.returncode != 0 and "uncommitted changes" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "t").exists()
