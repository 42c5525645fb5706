"""`paperprov status`: the table, the conflicts, --json, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.config import load
from provenance.record.assemble import build_record
from provenance.recordjson import record_to_json
from tests.helpers import Repo, paper, run_cli, section


def make(repo: Repo) -> None:
    body = section("ai").replace("\\begin{lemma}", "% paperprov: origin=human reviewed-by=alice\n\\begin{lemma}")
    repo.commit("Paper\n\nAssisted-by: none", {**paper("ai"), "paper/sections/base.tex": section("base")})
    repo.commit("AI\n\nAssisted-by: claude-code:claude-opus-4-1", {"paper/sections/ai.tex": body})


def test_status_prints_a_table_with_conflicts(repo: Repo) -> None:
    make(repo)
    proc = run_cli(repo.path, "status")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("commit ") and "(dirty)" not in lines[0]
    assert lines[1].split() == ["id", "kind", "origin", "ai%", "agents", "reviewed", "by", "checks"]
    row = next(ln for ln in lines if ln.startswith("sec:ai "))
    assert row.split()[2:5] == ["ai", "100", "claude-code:claude-opus-4-1"]
    lem = next(ln for ln in lines if ln.startswith("lem:ai "))
    assert lem.split()[1:4] == ["Lemma", "human*", "100"] and lem.split()[-2:] == ["alice", "-"]
    assert "Conflicts (1):" in lines
    conflict = lines[lines.index("Conflicts (1):") + 1]
    assert "lem:ai" in conflict and "declared origin=human" in conflict


def test_status_json_is_the_record(repo: Repo) -> None:
    make(repo)
    proc = run_cli(Path("/"), "status", "--json", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.encode() == record_to_json(build_record(load(repo.path)))
    assert json.loads(proc.stdout)["summary"]["conflicts"] == 1


def test_status_strips_control_characters_from_user_strings(repo: Repo) -> None:
    evil = "\x1b]0;pwned\x07"
    # A marker may not hold control characters (model.declaration_problem); a label can.
    repo.commit("Paper", {**paper(), "paper/sections/base.tex": section("base").replace(
        "\\label{lem:base}", f"\\label{{a{evil}b}}")})
    proc = run_cli(repo.path, "status")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "a?]0;pwned?b" in proc.stdout


def test_status_outside_git_warns_and_bad_config_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    for rel, text in {**paper(), "paper/sections/base.tex": section("base")}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = run_cli(root, "status")
    assert proc.returncode == 0 and "not a git repository: declarations only" in proc.stdout
    (root / "provenance.yaml").write_text("paper: {name: t, main: nowhere.tex}\n")
    proc = run_cli(root, "status")
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "paper.main" in proc.stderr


def test_status_names_a_few_of_what_a_statement_rests_on(repo: Repo) -> None:
    chain = "".join(f"\\begin{{lemma}}\\label{{lem:c{i}}}\\uses{{lem:c{i - 1}}}\nStep {i}.\n\\end{{lemma}}\n"
                    for i in range(12))
    repo.commit("Chain\n\nAssisted-by: claude-code:claude-opus-4-1",
                {**paper("chain"), "paper/sections/chain.tex": "\\section{Chain}\n" + chain})
    proc = run_cli(repo.path, "status")
    assert proc.returncode == 0, proc.stderr
    last = next(ln for ln in proc.stdout.splitlines() if ln.startswith("  lem:c11: "))
    shown = ", ".join(f"lem:c{i}" for i in range(8))
    assert last == f"  lem:c11: unreviewed AI: {shown} and 4 more"
    assert next(ln for ln in proc.stdout.splitlines() if ln.startswith("  lem:c2: ")) == (
        "  lem:c2: unreviewed AI: lem:c0, lem:c1, lem:c2")


def test_the_table_is_remembered_for_the_same_record_and_made_again_for_another(repo: Repo) -> None:
    make(repo)
    first = run_cli(repo.path, "status")
    cache = repo.path / ".git" / "paperprov" / "status.txt"
    assert first.returncode == 0 and cache.is_file()
    key, _, text = cache.read_bytes().partition(b"\n")
    assert text.decode() == first.stdout
    cache.write_bytes(key + b"\n" + text.replace(b"Conflicts (1):", b"Conflicts (remembered):"))
    assert "Conflicts (remembered):" in run_cli(repo.path, "status").stdout  # the same record: not laid out again
    (repo.path / "paper/sections/base.tex").write_text(section("base") + "More words.\n")
    again = run_cli(repo.path, "status")
    assert "Conflicts (1):" in again.stdout and "(dirty)" in again.stdout.splitlines()[0]
