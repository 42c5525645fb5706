"""fsutil: atomic writes, and cache writes put off until a command has answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import fsutil
from provenance.fsutil import answer_first, keep, write_kept, write_text_atomic


def test_keep_writes_at_once_unless_the_answer_comes_first(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    keep(lambda: write_text_atomic(target, "now", durable=False))
    assert target.read_text() == "now"

    answer_first()
    try:
        keep(lambda: write_text_atomic(target, "first", durable=False))
        keep(lambda: write_text_atomic(target, "second", durable=False))
        assert target.read_text() == "now"  # nothing written before the answer
    finally:
        write_kept()
    assert target.read_text() == "second"  # in the order they were kept
    keep(lambda: write_text_atomic(target, "again", durable=False))
    assert target.read_text() == "again"  # write_kept ends the putting off


def test_a_failed_kept_write_is_printed_and_the_others_still_run(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cache.json"

    def broken() -> None:
        raise ValueError("a bug in a cache's writer")

    answer_first()
    keep(broken)
    keep(lambda: write_text_atomic(target, "kept", durable=False))
    write_kept()
    assert target.read_text() == "kept"
    assert "ValueError: a bug in a cache's writer" in capsys.readouterr().err
    assert fsutil._LATER is None


def test_an_atomic_write_that_fails_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def parts() -> object:
        yield b"half"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="out.txt"):
        fsutil.write_bytes_atomic(target, parts())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left
