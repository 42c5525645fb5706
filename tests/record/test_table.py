"""The status table (record/table.py) as record/cache.py keeps it: laid out from what the
record kept when it was made, the same text as from the record read back."""

from __future__ import annotations

import pytest

from provenance.config import load
from provenance.record import cache
from provenance.record.table import format_table
from provenance.recordjson import parse_record
from tests.helpers import Repo, paper, section

CHECK = "tests/claims/test_x.py::test_y"


@pytest.fixture
def made(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A paper with a checked lemma; counts the records made from now on."""
    repo.commit("Paper\n\nAssisted-by: none", {**paper("a"), "paper/sections/base.tex": section("base"),
                                               "paper/sections/a.tex": section("a", f"% paperprov: check={CHECK}\n")})
    calls: list[int] = []
    real = cache.make_record

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "make_record", counting)
    return calls


def read_back(repo: Repo, durations: dict[str, float]) -> str:
    return format_table(parse_record(cache.record_json(load(repo.path), use_cache=False), "record"), durations)


def test_the_table_after_a_build_is_laid_out_from_what_the_record_kept(repo: Repo, made: list[int]) -> None:
    cfg = load(repo.path)
    cache.record_json(cfg)  # as a build or `status --json` leaves it
    assert made == [1]
    text = cache.status_table(cfg, {})
    timed = cache.status_table(cfg, {CHECK: 1.5})  # the last run's durations: laid out again
    assert made == [1]
    assert text == read_back(repo, {}) and timed == read_back(repo, {CHECK: 1.5}) != text
    assert "0/1 passed (not-run) in 1.50s" in timed


def test_an_edit_makes_the_record_and_its_table_once(repo: Repo, made: list[int]) -> None:
    cache.status_table(load(repo.path), {})
    repo.write("paper/sections/a.tex", section("a").replace("is finite.", "is finite and small."))
    text = cache.status_table(load(repo.path), {})
    assert cache.status_table(load(repo.path), {}) == text and made == [1, 1]
    assert text == read_back(repo, {})


def test_a_damaged_layout_is_made_again(repo: Repo, made: list[int]) -> None:
    cfg = load(repo.path)
    cache.record_json(cfg)
    git_dir = repo.path / ".git"
    (git_dir / cache.LAID).write_bytes(b"damaged")
    text = cache.status_table(cfg, {})
    assert made == [1, 1]  # the record was made again to lay the table out
    assert text == read_back(repo, {})
