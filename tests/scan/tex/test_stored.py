"""The paper's walk kept across processes (scan/tex/stored.py), as remembered.py uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.scan.tex import remembered, stored
from provenance.scan.tex.state import Reaches
from provenance.scan.tex.walker import TexDeps, _walk, scan_paper
from provenance.scanned import Unit

MAIN = ("\\documentclass{article}\n\\newtheorem{lem}{Lemma}\n\\begin{document}\n\\section{A}\n"
        "\\input{a}\n\\InputIfFileExists{b.tex}{}{}\n\\end{document}\n")


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    root = tmp_path / "paper"
    root.mkdir()
    (root / "main.tex").write_text(MAIN)
    (root / "a.tex").write_text("\\begin{lem}\\label{l}x\\end{lem}\n")
    return root


def new_process() -> None:
    remembered._last.clear()  # what a new process starts with


def walks(root: Path, store: Path) -> tuple[int, list[str]]:
    """How many times the walk ran for one scan, and the unit ids it gave."""
    count = 0

    def walk() -> tuple[list[Unit], TexDeps, list[str], Reaches]:
        nonlocal count
        count += 1
        return _walk(root, "main.tex")

    units, _ = remembered.remembered(root, "main.tex", (), stored.Store(store), walk)
    return count, [u.id for u in units]


def test_a_new_process_reuses_the_stored_walk_while_the_files_are_the_same(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "git" / "scan.pickle"
    store.parent.mkdir()
    first = walks(paper, store)
    assert first[0] == 1 and store.is_file()
    new_process()
    assert walks(paper, store) == (0, first[1])
    new_process()
    (paper / "a.tex").write_text("\\begin{lem}\\label{m}y\\end{lem}\n")  # content changed
    count, ids = walks(paper, store)
    assert count == 1 and "m" in ids and "l" not in ids


def test_a_file_looked_for_that_appears_makes_a_new_walk(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "scan.pickle"
    walks(paper, store)
    new_process()
    (paper / "b.tex").write_text("\\section{B}\n")
    count, ids = walks(paper, store)
    assert count == 1 and any("section:b" in i.lower() for i in ids), ids


def test_a_damaged_store_is_walked_around(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "scan.pickle"
    store.write_bytes(b"not a pickle")
    assert walks(paper, store)[0] == 1
    new_process()
    assert walks(paper, store)[0] == 0  # rewritten after the walk


def test_scan_paper_answers_the_same_from_the_store(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "scan.pickle"
    fresh = scan_paper(paper, "main.tex", store=store)
    new_process()
    assert scan_paper(paper, "main.tex", store=store) == fresh


def test_a_store_from_another_version_or_shape_of_the_units_is_walked_around(paper: Path, tmp_path: Path) -> None:
    import pickle

    store = tmp_path / "scan.pickle"
    walks(paper, store)
    for key, value in (("version", "0.0.0"), ("shape", [["id"], []])):
        data = pickle.loads(store.read_bytes())
        data[key] = value
        store.write_bytes(pickle.dumps(data))
        new_process()
        assert walks(paper, store)[0] == 1


def test_a_reworded_line_reuses_the_walk_and_a_new_heading_does_not(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "git" / "scan.pickle"
    store.parent.mkdir()
    (paper / "a.tex").write_text("\\begin{lem}\\label{l}x\\end{lem}\nSome words.\nMore words.\n")
    walks(paper, store)
    for words in ("Other words, with \\emph{stress}.", "Yet other words."):  # the second: from the first's text
        new_process()
        (paper / "a.tex").write_text(f"\\begin{{lem}}\\label{{l}}x\\end{{lem}}\n{words}\nMore words.\n")
        count, ids = walks(paper, store)
        assert count == 0 and ids == [u.id for u in _walk(paper, "main.tex")[0]]
    new_process()
    assert walks(paper, store)[0] == 0  # the index was rewritten for the new text
    new_process()
    (paper / "a.tex").write_text("\\begin{lem}\\label{l}x\\end{lem}\n\\section{New}\nMore words.\n")
    count, ids = walks(paper, store)
    assert count == 1 and any("section:new" in i for i in ids)


def test_a_stored_text_that_is_not_what_was_walked_is_not_trusted(paper: Path, tmp_path: Path) -> None:
    store = tmp_path / "scan.pickle"
    (paper / "a.tex").write_text("\\begin{lem}\\label{l}x\\end{lem}\nSome words.\n")
    walks(paper, store)
    for text in (tmp_path / stored.TEXTS).iterdir():
        text.write_bytes(text.read_bytes().replace(b"Some", b"Sum"))  # no longer its digest
    new_process()
    (paper / "a.tex").write_text("\\begin{lem}\\label{l}x\\end{lem}\nOther words.\n")
    assert walks(paper, store)[0] == 1


def test_a_damaged_index_is_walked_around(paper: Path, tmp_path: Path) -> None:
    import json

    store = tmp_path / "scan.pickle"
    walks(paper, store)
    index = store.with_name("scan.pickle.json")
    good = json.loads(index.read_text())
    for damage in ({"read": [[rel, 5] for rel, _ in good["read"]]}, {"reaches": {"a.tex": [["x", 1]]}},
                   {"read": "nothing"}, {"id": None}):
        index.write_text(json.dumps({**good, **damage}))
        (paper / "a.tex").write_text((paper / "a.tex").read_text() + "More words.\n")
        new_process()
        assert walks(paper, store)[0] == 1
    index.write_text("[1, 2]")
    new_process()
    assert walks(paper, store)[0] == 1


def test_a_walk_stored_before_a_handler_was_added_is_not_used(paper: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.scan.tex.state import HANDLERS

    store = tmp_path / "scan.pickle"
    walks(paper, store)
    monkeypatch.setitem(HANDLERS, "newword", HANDLERS["label"])
    new_process()
    assert walks(paper, store)[0] == 1


def test_lines_moved_by_edits_are_kept_in_the_index_until_there_are_many(paper: Path, tmp_path: Path) -> None:
    import json

    store = tmp_path / "git" / "scan.pickle"
    store.parent.mkdir()
    head = "\\begin{lem}\\label{l}x\\end{lem}\nFirst words.\n"
    tail = "Last words.\n\\begin{lem}\\label{k}y\\end{lem}\nAfter it.\n"
    (paper / "a.tex").write_text(head + tail)
    walks(paper, store)
    pickled = store.read_bytes()
    added = ""
    for n in range(1, stored._MOVES + 2):  # each edit adds a line: the lemma below moves
        new_process()
        added += f"Added words {n}.\n"
        (paper / "a.tex").write_text(head + added + tail)
        count, ids = walks(paper, store)
        assert count == 0
        new_process()
        assert remembered.remembered(paper, "main.tex", (), stored.Store(store), lambda: _walk(paper, "main.tex"))[0] == \
            _walk(paper, "main.tex")[0]
        moves = json.loads(store.with_name("scan.pickle.json").read_text())["moves"]
        if n <= stored._MOVES:
            assert store.read_bytes() == pickled and len(moves) == n
    assert store.read_bytes() != pickled and moves == []  # too many: the units pickled again
