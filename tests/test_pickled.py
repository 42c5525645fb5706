"""Pickled caches preloaded for a forking server (pickled.preload, record.cache.warm):
each handed out once, only while its file is as it was read, within a budget."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance import pickled
from provenance.config import load
from provenance.record.cache import record_json, warm
from tests.helpers import Repo, paper, section


@pytest.fixture(autouse=True)
def nothing_preloaded() -> Iterator[None]:
    pickled._PRELOADED.clear()
    yield
    pickled._PRELOADED.clear()


def _accept(header: object) -> bool:
    return header == {"v": 1}


def test_a_preloaded_body_is_handed_out_once(tmp_path: Path) -> None:
    path = tmp_path / "a.pickle"
    assert pickled.save(path, {"v": 1}, {"units": [1, 2, 3]})
    pickled.preload([path], tmp_path, budget=1 << 20)
    first = pickled.load(path, _accept)
    assert first == ({"v": 1}, {"units": [1, 2, 3]})
    assert not pickled._PRELOADED  # taken: what the caller changes is its own
    first[1]["units"].append(4)
    assert pickled.load(path, _accept) == ({"v": 1}, {"units": [1, 2, 3]})  # from disk again
    # A header the caller does not accept is no answer, preloaded or not.
    pickled.preload([path], tmp_path, budget=1 << 20)
    assert pickled.load(path, lambda h: False) is None


def test_a_file_written_after_it_was_preloaded_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.pickle"
    pickled.save(path, {"v": 1}, "old")
    pickled.preload([path], tmp_path, budget=1 << 20)
    pickled.save(path, {"v": 1}, "new")  # atomically: a new file in its place
    assert pickled.load(path, _accept) == ({"v": 1}, "new")
    pickled.save(path, {"v": 1}, "newer")
    pickled.preload([path], tmp_path, budget=1 << 20)
    os.unlink(path)
    assert pickled.load(path, _accept) is None


def test_preload_keeps_to_its_budget_and_forgets_files_no_longer_named(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"  # two repositories' caches
    ours.mkdir()
    theirs.mkdir()
    small, big, other = ours / "small.pickle", ours / "big.pickle", theirs / "other.pickle"
    pickled.save(small, {"v": 1}, "s")
    pickled.save(big, {"v": 1}, "b" * 10_000)
    pickled.save(other, {"v": 1}, "o")
    pickled.preload([big, small], ours, budget=1_000)
    assert set(pickled._PRELOADED) == {str(small)}
    pickled.preload([other], theirs, budget=1_000)
    pickled.preload([big], ours, budget=1 << 20)  # small forgotten; the other repository's kept
    assert set(pickled._PRELOADED) == {str(big), str(other)}


def test_warm_preloads_what_a_record_after_an_edit_reads_and_the_record_is_the_same(repo: Repo) -> None:
    repo.commit("Paper", {**paper("a", "b"), "paper/sections/a.tex": section("a"),
                          "paper/sections/b.tex": section("b")})
    cfg = load(repo.path)
    record_json(cfg)
    edited = repo.path / "paper/sections/a.tex"
    edited.write_text(edited.read_text().replace("\\end{lemma}", "More words.\n\\end{lemma}"))
    warm(repo.path / "paper" / "sections")  # from a folder inside the repository
    preloaded = set(pickled._PRELOADED)
    names = {Path(p).name for p in preloaded}
    assert "scan.pickle" in names and sum(n.endswith(".light.pickle") for n in names) == 2
    served = record_json(cfg)
    assert len(pickled._PRELOADED) < len(preloaded)  # the record took what it read
    pickled._PRELOADED.clear()
    assert served == record_json(cfg, use_cache=False)


def test_preload_stops_when_enough_says_so(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n}.pickle" for n in range(3)]
    for p in paths:
        pickled.save(p, {"v": 1}, p.name)
    asked: list[int] = []

    def enough() -> bool:  # a request arrives once the first file is read
        asked.append(1)
        return len(asked) > 1

    pickled.preload(paths, tmp_path, budget=1 << 20, enough=enough)
    assert set(pickled._PRELOADED) == {str(paths[0])}
