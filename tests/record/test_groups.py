"""What each file's units add to the record, remembered whole (groups.py): after any
sequence of edits, commits, reviews and declarations, a record made from what is
remembered is the bytes of one made afresh, and an edit of prose leaves every other
file's group and the statement closure as they were."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance.config import load
from provenance.record import groups
from provenance.record.cache import record_json, record_json_made
from provenance.record.review import add_review, review_texts
from provenance.record.table import format_table, layout
from provenance.recordjson import parse_record
from provenance.scan.sources import scan_units
from tests.helpers import Repo, paper, section

FILES = ("base", "a", "b", "c")
LABELS = ("lem:base", "lem:a", "lem:b", "lem:c", "lem:x", "sec:a", "nowhere")


def fresh(root: Path) -> bytes:
    return record_json(load(root), use_cache=False)


def _edit(rng: random.Random, repo: Repo, step: int) -> str:
    name = rng.choice(FILES)
    rel = f"paper/sections/{name}.tex"
    lines = (repo.path / rel).read_text(encoding="utf-8").split("\n")
    kind = rng.choice(("reword", "reword", "insert", "append", "lemma", "label", "marker", "check", "commit",
                       "review"))
    if kind == "reword":
        i = rng.choice([i for i, ln in enumerate(lines) if not ln.startswith("%")])
        lines[i] += f" Indeed {step}."
    elif kind == "insert":
        lines.insert(rng.randrange(len(lines) + 1), f"A sentence of step {step}.")
    elif kind == "append":
        lines.append(f"One more line, step {step}.")
    elif kind == "lemma":
        uses = rng.choice(LABELS)
        lines.insert(rng.randrange(len(lines) + 1), f"\\begin{{lemma}}\\label{{lem:s{step}}}\\uses{{{uses}}}\n"
                     f"Step {step}.\n\\end{{lemma}}\n\\begin{{proof}}\nBy \\cref{{{rng.choice(LABELS)}}}.\n\\end{{proof}}")
    elif kind == "label":
        text = "\n".join(lines)
        lines = (text.replace(f"\\label{{lem:{name}}}", "") if f"\\label{{lem:{name}}}" in text
                 else text.replace("\\begin{lemma}", f"\\begin{{lemma}}\\label{{lem:{name}}}", 1)).split("\n")
    elif kind in ("marker", "check"):
        field = rng.choice(("origin=human", "origin=ai tool=codex", "reviewed-by=Ada")) if kind == "marker" \
            else "check=tests/claims/test_x.py::test_y"
        heads = [i for i, ln in enumerate(lines) if ln.startswith(("\\section", "\\begin{lemma}"))]
        lines.insert(rng.choice(heads), f"% paperprov: {field}")  # a marker stands before its unit
    if kind == "commit":
        trailer = rng.choice(("Assisted-by: none", "Assisted-by: claude-code:claude-opus-4-1", "Untagged."))
        repo.commit(f"Step {step}\n\n{trailer}")
    elif kind == "review":
        cfg = load(repo.path)
        units, _ = scan_units(cfg, None)
        statements = sorted(u.id for u in units if u.kind == "statement")
        repo.commit(f"Step {step}\n\nAssisted-by: none")
        add_review(repo.path, [rng.choice(statements)], "Ada", review_texts(repo.path, units))
    else:
        repo.write(rel, "\n".join(lines))
    return f"{kind} {rel}"


def _base(repo: Repo) -> None:
    """main.tex inputting four files of one section, lemma and proof each."""
    repo.commit("Base\n\nAssisted-by: none", {**paper(*FILES[1:]), **{
        f"paper/sections/{n}.tex": section(n) for n in FILES}})


@pytest.mark.parametrize("seed", range(4))
def test_a_record_from_remembered_groups_is_the_fresh_record(repo: Repo, seed: int) -> None:
    _base(repo)
    rng = random.Random(seed)
    durations = {"tests/claims/test_x.py::test_y": 0.25}
    for step in range(16):
        done = _edit(rng, repo, step)
        parts, made = record_json_made(load(repo.path))
        data = b"".join(parts)
        assert data == fresh(repo.path), f"seed {seed}, step {step}: {done}"
        assert made is not None  # every step changes the record: made again, from groups
        # The status table from the groups' rows, as from the record read back.
        assert layout(made.laid, durations) == format_table(parse_record(data, "record"), durations), done


def test_a_reworded_line_makes_only_its_files_group_and_no_closure(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(repo)
    record_json(load(repo.path))
    made: list[tuple[str, ...]] = []  # the files of each group made afresh
    closures: list[int] = []
    real_make, real_of_nodes = groups.make, groups.StatementGraph.of_nodes

    def make(finals, *args):  # type: ignore[no-untyped-def]
        made.append(tuple(f.unit.file for f in finals))
        return real_make(finals, *args)

    def of_nodes(cls, nodes, ids):  # type: ignore[no-untyped-def]
        closures.append(1)
        return real_of_nodes(nodes, ids)

    monkeypatch.setattr(groups, "make", make)
    monkeypatch.setattr(groups.StatementGraph, "of_nodes", classmethod(of_nodes))
    text = (repo.path / "paper/sections/b.tex").read_text(encoding="utf-8")
    repo.write("paper/sections/b.tex", text.replace("is finite.", "is finite, and small."))
    data = record_json(load(repo.path))
    assert made and {f for files in made for f in files} == {"paper/sections/b.tex"}
    assert closures == []  # the graph's nodes are as they were: the closure is remembered
    assert data == fresh(repo.path)
    assert closures == [1]  # (and a fresh record makes its own, so the count can fail)
