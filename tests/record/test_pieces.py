"""The record's work remembered per file: after an edit only the units whose lines it
changed are attributed again, and the record is always the bytes a fresh one would be."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from provenance.config import load
from provenance.evidence.notes import NOTES_REF, Tag, note_text
from provenance.record import attribute
from provenance.record.cache import record_json
from provenance.record.pieces import STORE, shard_name
from tests.helpers import Repo, paper, run_cli, section


@pytest.fixture
def made(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A paper of three sections in their own files, AI work in one; the ids of the units
    attributed afresh are appended to the returned list."""
    repo.commit("Base\n\nAssisted-by: none", {**paper("a", "b", "c"), **{
        f"paper/sections/{n}.tex": section(n) for n in ("base", "a", "b", "c")}})
    repo.commit("AI lemma\n\nAssisted-by: claude-code:claude-opus-4-1",
                {"paper/sections/b.tex": section("b") + "\\begin{lemma}\\label{lem:b2}\\uses{lem:a}\nMore.\n\\end{lemma}\n"})
    calls: list[str] = []
    real = attribute.attribute_unit

    def counted(unit, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(unit.id)
        return real(unit, *args, **kwargs)

    monkeypatch.setattr(attribute, "attribute_unit", counted)
    return calls


def fresh(root: Path) -> bytes:
    return record_json(load(root), use_cache=False)


def units(data: bytes) -> dict[str, dict]:  # type: ignore[type-arg]
    return {u["id"]: u for u in json.loads(data)["units"]}


def test_an_edit_attributes_again_only_the_units_whose_lines_it_changed(repo: Repo, made: list[str]) -> None:
    first = record_json(load(repo.path))
    assert len(made) == len(units(first)) and first == fresh(repo.path)
    made.clear()
    with open(repo.path / "paper/sections/a.tex", "a", encoding="utf-8") as fh:
        fh.write("An uncommitted line.\n")
    data = record_json(load(repo.path))
    assert made == ["sec:a"]  # the line is the section's; its lemma and proof are as they were
    assert data == fresh(repo.path)
    assert units(data)["sec:a"]["lines_by_origin"]["uncommitted"] == 1
    made.clear()
    assert record_json(load(repo.path)) == data and made == []  # nothing changed: the whole record is kept
    text = (repo.path / "paper/sections/a.tex").read_text(encoding="utf-8")
    repo.write("paper/sections/a.tex", text.replace("is finite.", "is finite, and small."))
    data = record_json(load(repo.path))
    assert sorted(made) == ["lem:a", "sec:a"] and data == fresh(repo.path)  # the lemma, and the section holding it


def test_a_commit_attributes_again_only_the_units_of_the_lines_it_touched(repo: Repo, made: list[str]) -> None:
    record_json(load(repo.path))
    made.clear()
    repo.commit("More\n\nAssisted-by: claude-code:claude-opus-4-1", {"paper/sections/c.tex": section("c") + "More text.\n"})
    data = record_json(load(repo.path))
    assert made == ["sec:c"] and data == fresh(repo.path)
    assert units(data)["sec:c"]["lines_by_origin"]["ai"] == 1  # the new commit's line, as AI work


def test_a_note_on_an_old_commit_reaches_the_units_of_its_lines(repo: Repo, made: list[str]) -> None:
    record_json(load(repo.path))
    made.clear()
    first = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    note = note_text([Tag("paper/sections/a.tex", 1, 2, "codex:gpt-5")])
    repo.git("notes", "--ref", NOTES_REF, "add", "-m", note, first)
    data = record_json(load(repo.path))
    assert sorted(made) == sorted(u for u, d in units(data).items() if d["file"] == "paper/sections/a.tex")
    assert units(data)["sec:a"]["lines_by_origin"]["ai"] == 2 and data == fresh(repo.path)


def test_a_label_removed_in_another_file_leaves_the_uses_of_an_unchanged_one(repo: Repo, made: list[str]) -> None:
    record_json(load(repo.path))
    assert units(record_json(load(repo.path)))["lem:b2"]["uses"] == ["lem:a"]
    text = (repo.path / "paper/sections/a.tex").read_text(encoding="utf-8")
    repo.write("paper/sections/a.tex", text.replace("\\label{lem:a}", ""))
    data = record_json(load(repo.path))
    assert units(data)["lem:b2"]["uses"] == [] and data == fresh(repo.path)


def test_a_declaration_around_an_unchanged_file_reaches_its_units(repo: Repo, made: list[str]) -> None:
    main = (repo.path / "paper/main.tex").read_text(encoding="utf-8")
    repo.commit("Intro\n\nAssisted-by: none", {
        "paper/main.tex": main.replace("\\input{sections/a}", "% paperprov: origin=human\n\\section{Intro}\n\\input{sections/a}"),
        "paper/sections/a.tex": "\\begin{lemma}\\label{lem:a}\nA.\n\\end{lemma}\n"})
    assert units(record_json(load(repo.path)))["lem:a"]["declared_origin"] == "human"
    repo.write("paper/main.tex", (repo.path / "paper/main.tex").read_text(encoding="utf-8")
               .replace("origin=human", "origin=ai tool=claude"))
    data = record_json(load(repo.path))
    assert units(data)["lem:a"]["declared_origin"] == "ai" and data == fresh(repo.path)


def test_damaged_pieces_are_not_used(repo: Repo, made: list[str]) -> None:
    record_json(load(repo.path))
    shards = sorted((repo.path / ".git" / STORE).glob("*.pickle"))
    assert len(shards) == 8  # a shard and a light file per file that holds units: base, a, b, c
    for i, shard in enumerate(shards):
        shard.write_bytes(b"" if i % 2 else b"\x80\x05garbage")
    repo.write("paper/sections/c.tex", section("c") + "Edited.\n")
    assert record_json(load(repo.path)) == fresh(repo.path)


def test_the_pieces_of_a_file_the_paper_no_longer_reads_are_dropped(repo: Repo, made: list[str]) -> None:
    record_json(load(repo.path))
    store = repo.path / ".git" / STORE
    before = len(list(store.glob("*.pickle")))
    main = (repo.path / "paper/main.tex").read_text(encoding="utf-8")
    repo.write("paper/main.tex", main.replace("\\input{sections/c}\n", ""))
    data = record_json(load(repo.path))
    assert "sec:c" not in units(data) and data == fresh(repo.path)
    assert len(list(store.glob("*.pickle"))) == before - 2  # its shard and light file


def test_status_processes_rewrite_only_the_edited_files_shard(repo: Repo, made: list[str]) -> None:
    first = run_cli(repo.path, "status", "--json")
    assert first.returncode == 0, first.stderr
    store = repo.path / ".git" / STORE
    before = {p.name: p.stat().st_mtime_ns for p in store.glob("*.pickle")}
    time.sleep(0.01)
    with open(repo.path / "paper/sections/b.tex", "a", encoding="utf-8") as fh:
        fh.write("An edit.\n")
    second = run_cli(repo.path, "status", "--json")
    assert second.returncode == 0, second.stderr
    after = {p.name: p.stat().st_mtime_ns for p in store.glob("*.pickle")}
    assert after.keys() == before.keys()
    rel = "paper/sections/b.tex"
    assert sorted(n for n in after if after[n] != before[n]) == sorted([shard_name(rel), shard_name(rel, ".light.pickle")])
    assert second.stdout.encode() == fresh(repo.path)


def test_a_shallow_clone_keeps_its_boundary_lines_unknown(repo: Repo, made: list[str], tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    first = record_json(load(clone))
    assert json.loads(first)["partial"] is True and first == fresh(clone)
    made.clear()
    with open(clone / "paper/sections/c.tex", "a", encoding="utf-8") as fh:
        fh.write("Edited in the clone.\n")
    data = record_json(load(clone))
    assert made == ["sec:c"]
    assert units(data)["sec:c"]["lines_by_origin"]["unknown"] > 0 and data == fresh(clone)


def test_a_comment_in_provenance_yaml_makes_no_unit_again_and_a_value_every_one(repo: Repo, made: list[str]) -> None:
    first = record_json(load(repo.path))
    made.clear()
    config = repo.path / "provenance.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text("# the paper's provenance\n" + text, encoding="utf-8")
    data = record_json(load(repo.path))
    assert made == [] and data != first  # made again (the file is an input: `dirty`), from every piece
    assert data == fresh(repo.path)
    made.clear()
    config.write_text(text + "attribution: {untagged: human}\n", encoding="utf-8")
    data = record_json(load(repo.path))
    assert sorted(made) == sorted(units(data)) and data == fresh(repo.path)
