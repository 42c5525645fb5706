"""Sources' digests remembered by their stat, in a process and across processes
(hashing.load_known / keep_known), as git's index remembers files it has hashed."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance import hashing
from provenance.fsutil import write_bytes_atomic


@pytest.fixture(autouse=True)
def fresh_memo() -> Iterator[None]:
    """Each test starts as a new process would: nothing known."""
    hashing._KNOWN.clear()
    hashing._LOADED.clear()
    yield
    hashing._KNOWN.clear()
    hashing._LOADED.clear()


def _old(path: Path, text: str) -> Path:
    path.write_text(text)
    past = time.time_ns() - 10 * 10**9  # older than the racy window
    os.utime(path, ns=(past, past))
    return path


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_an_old_file_is_kept_and_trusted_by_its_stat_in_the_next_process(tmp_path: Path) -> None:
    src = _old(tmp_path / "a.tex", "alpha\n")
    memo = tmp_path / "git" / "digests.json"
    assert hashing.source_digest(src) == _sha("alpha\n")
    hashing.keep_known(memo, tmp_path)
    kept = json.loads(memo.read_text())
    assert list(kept) == [str(src)] and kept[str(src)][-1] == _sha("alpha\n")

    # The next process: what the memo says of an unchanged stat is taken as it is (the
    # file is not read: a digest it could not have proves that).
    hashing._KNOWN.clear()
    kept[str(src)][-1] = "f" * 64
    memo.write_text(json.dumps(kept))
    hashing.load_known(memo)
    assert hashing.source_digest(src) == "f" * 64


def test_a_changed_file_is_hashed_again(tmp_path: Path) -> None:
    src = _old(tmp_path / "a.tex", "alpha\n")
    memo = tmp_path / "digests.json"

    def next_process() -> str | None:
        hashing.keep_known(memo, tmp_path)
        hashing._KNOWN.clear()
        hashing.load_known(memo)
        return hashing.source_digest(src)

    assert next_process() == _sha("alpha\n")
    write_bytes_atomic(src, b"beta\n")  # a new file in its place, as editors save
    assert next_process() == _sha("beta\n")
    with open(src, "r+b") as fh:  # the same file rewritten in place, same size
        fh.write(b"gamma")
    assert next_process() == _sha("gamma")
    past = time.time_ns() - 10 * 10**9  # and its mtime put back as it was: the ctime still moved
    os.utime(src, ns=(past, past))
    assert next_process() == _sha("gamma")


def test_a_file_changed_just_now_is_not_kept_and_nothing_outside_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    racy = tree / "new.tex"
    racy.write_text("just written\n")
    outside = _old(tmp_path / "elsewhere.tex", "not ours\n")
    memo = tmp_path / "digests.json"
    assert hashing.source_digest(racy) == _sha("just written\n")
    assert hashing.source_digest(outside) == _sha("not ours\n")
    hashing.keep_known(memo, tree)
    # Nothing safe to keep: no file written at all.
    assert not memo.exists()


def test_a_damaged_memo_reads_as_none(tmp_path: Path) -> None:
    src = _old(tmp_path / "a.tex", "alpha\n")
    memo = tmp_path / "digests.json"
    for damaged in ("{", "[1, 2]", json.dumps({str(src): [1, 2]}), json.dumps({str(src): "x"})):
        memo.write_text(damaged)
        hashing.load_known(memo)
        assert hashing.source_digest(src) == _sha("alpha\n")
    assert hashing.source_digest(tmp_path / "missing.tex") is None


def test_what_is_safe_to_keep_is_judged_when_asked_not_when_the_write_comes(tmp_path: Path) -> None:
    from provenance.fsutil import answer_first, write_kept

    src = tmp_path / "paper.tex"
    src.write_text("just edited")
    nearly = time.time_ns() - hashing._RACY_NS + 300_000_000  # 0.3 s short of trusted by its stat
    os.utime(src, ns=(nearly, nearly))
    assert hashing.source_digest(src) == _sha("just edited")
    keep = tmp_path / "digests.json"
    answer_first()  # as a served status: the write comes after the answer
    hashing.keep_known(keep, tmp_path)
    time.sleep(0.5)  # by now the file is old enough, but it was not when the digest was kept
    write_kept()
    assert not keep.exists() or str(src) not in json.loads(keep.read_text())
