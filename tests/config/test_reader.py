"""provenance.yaml read within bounds: what cannot be read is one line, quickly, and
nothing unbounded is constructed or printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from provenance.config.reader import MAX_CONFIG_BYTES
from provenance.errors import ConfigError

HEAD = "paper: {name: demo, main: main.tex}\n"
BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))


def paper(root: Path, text: str) -> Path:
    (root / "main.tex").write_text("\\documentclass{article}\n")
    (root / "exp.py").write_text("print(1)\n")
    (root / "provenance.yaml").write_text(text)
    return root


def load_in_child(root: Path) -> subprocess.CompletedProcess[str]:
    """load() in its own process, so a regression that hangs fails this test instead of
    hanging the suite."""
    code = "import sys\nfrom provenance.config import load\nfrom provenance.errors import ProvenanceError, one_line\n" \
           "try:\n    load(sys.argv[1])\nexcept ProvenanceError as e:\n    sys.exit(one_line(e))\n"
    return subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("where", [
    "venue: *l9\n", "experiments:\n  - {name: e, script: exp.py, outputs: [a], seed: *l9}\n",
    "paper: {name: *l9, main: main.tex}\n",
])
def test_alias_bomb_anywhere_is_one_line_and_never_expanded(tmp_path: Path, where: str) -> None:
    head = "" if where.startswith("paper") else HEAD
    proc = load_in_child(paper(tmp_path, "l0: &l0 [lol]\n" + BOMB + head + where))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "more than 50000 values once aliases are expanded (an alias bomb?)" in proc.stderr


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nested more than 64 levels deep"):
        load(paper(tmp_path, HEAD + "venue: &a [*a]\n"))


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    text = HEAD + "experiments:\n  - &e {name: a, script: exp.py, outputs: [x.json], seed: 1}\n" \
                  "  - {<<: *e, name: b}\n"
    cfg = load(paper(tmp_path, text))
    assert [(e.name, e.seed) for e in cfg.experiments] == [("a", 1), ("b", 1)]


def test_duplicate_keys_are_an_error_naming_both_lines(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(paper(tmp_path, HEAD + "venue: acl\nvenue: iclr\n"))
    assert str(err.value) == "provenance.yaml:3: key 'venue' given twice (first on line 2); keep one"
    with pytest.raises(ConfigError, match="key 'seed' given twice"):
        load(paper(tmp_path, HEAD + "experiments:\n  - {name: e, script: exp.py, outputs: [a], seed: 1, seed: 2}\n"))


def test_a_fifo_as_provenance_yaml_is_refused_without_blocking(tmp_path: Path) -> None:
    paper(tmp_path, "")
    (tmp_path / "provenance.yaml").unlink()
    os.mkfifo(tmp_path / "provenance.yaml")
    proc = load_in_child(tmp_path)
    assert proc.returncode == 1
    assert "provenance.yaml: is a FIFO; provenance.yaml must be a regular file" in proc.stderr


def test_a_device_as_provenance_yaml_is_refused(tmp_path: Path) -> None:
    paper(tmp_path, "")
    (tmp_path / "provenance.yaml").unlink()
    (tmp_path / "provenance.yaml").symlink_to("/dev/zero")
    proc = load_in_child(tmp_path)
    assert proc.returncode == 1 and "is a device; provenance.yaml must be a regular file" in proc.stderr


def test_a_file_over_one_mebibyte_is_refused_before_parsing(tmp_path: Path) -> None:
    paper(tmp_path, HEAD + "# " + "x" * MAX_CONFIG_BYTES + "\n")
    with pytest.raises(ConfigError, match="refusing a provenance.yaml over 1 MiB"):
        load(tmp_path)


def test_not_utf8_and_huge_numbers_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "provenance.yaml").write_bytes(b"paper: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(tmp_path)
    with pytest.raises(ConfigError, match="a value of 20000 characters; at most 10000"):
        load(paper(tmp_path, HEAD + "experiments:\n  - {name: e, script: exp.py, outputs: [a], seed: "
                   + "9" * 20000 + "}\n"))


def test_long_paths_and_long_argument_lists_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"paper.main: 'aaaa.*longer than 1024 characters"):
        load(paper(tmp_path, "paper: {name: demo, main: " + "a" * 5000 + "}\n"))
    args = ", ".join(["x"] * 5000)
    with pytest.raises(ConfigError, match=r"experiments\[0\].args: 5000 items; at most 1000"):
        load(paper(tmp_path, HEAD + f"experiments:\n  - {{name: e, script: exp.py, outputs: [a], args: [{args}]}}\n"))
    with pytest.raises(ConfigError, match=r"paper.name: required; up to 100 letters"):
        load(paper(tmp_path, "paper: {name: " + "n" * 101 + ", main: main.tex}\n"))


def test_an_unknown_key_is_shown_cut_short(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(paper(tmp_path, HEAD + "? " + "k" * 5000 + "\n: 1\n"))
    assert len(str(err.value)) < 300 and "unknown key" in str(err.value)


def test_a_huge_list_is_refused_from_its_events_before_it_is_composed(tmp_path: Path) -> None:
    proc = load_in_child(paper(tmp_path, HEAD + "venue: [" + "a, " * 300_000 + "a]\n"))
    assert proc.returncode == 1
    assert proc.stderr == "paperprov: provenance.yaml:2: more than 50000 values; a provenance.yaml holds far fewer\n"
