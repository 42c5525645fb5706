"""provenance.yaml's parse remembered in build/.paperprov/config.json: used only for the
same text, never made where there is no build/, never for what JSON cannot give back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from provenance.config.parsed import parse_remembered
from provenance.errors import ConfigError
from provenance.paths import CONFIG_PARSED


def paper(root: Path, text: str) -> Path:
    (root / "main.tex").write_text("\\documentclass{article}\n")
    (root / "provenance.yaml").write_text(text)
    (root / "build").mkdir(exist_ok=True)
    return root


def test_the_parse_is_remembered_and_used_for_the_same_text(tmp_path: Path) -> None:
    root = paper(tmp_path, "paper: {name: demo, main: main.tex}\n")
    assert load(root).paper.name == "demo"
    kept = json.loads((root / CONFIG_PARSED).read_text())
    assert kept["data"] == {"paper": {"name": "demo", "main": "main.tex"}}
    kept["data"]["paper"]["name"] = "remembered"  # what is read back is what is kept
    (root / CONFIG_PARSED).write_text(json.dumps(kept))
    assert load(root).paper.name == "remembered"
    (root / "provenance.yaml").write_text("paper: {name: edited, main: main.tex}\n")
    assert load(root).paper.name == "edited"


def test_a_process_that_finds_it_does_not_import_yaml(tmp_path: Path) -> None:
    root = paper(tmp_path, "paper: {name: demo, main: main.tex}\n")
    load(root)
    code = "import sys\nfrom provenance.config import load\nload(sys.argv[1])\nprint('yaml' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nothing_is_written_without_a_build_directory(tmp_path: Path) -> None:
    root = paper(tmp_path, "paper: {name: demo, main: main.tex}\n")
    (root / "build").rmdir()
    assert load(root).paper.name == "demo"
    assert not (root / "build").exists()


@pytest.mark.parametrize("text", ["when: 2026-12-02\n", "1: one\n", "x: .nan\n"])
def test_what_json_cannot_give_back_is_parsed_every_time(tmp_path: Path, text: str) -> None:
    root = paper(tmp_path, text)
    first = parse_remembered(text, root)
    assert not (root / CONFIG_PARSED).exists()
    assert repr(parse_remembered(text, root)) == repr(first)


def test_a_damaged_file_is_not_used_and_errors_still_come_from_the_yaml(tmp_path: Path) -> None:
    root = paper(tmp_path, "paper: {name: demo, main: main.tex}\n")
    (root / CONFIG_PARSED).parent.mkdir(parents=True)
    (root / CONFIG_PARSED).write_text("{not json")
    assert load(root).paper.name == "demo"
    (root / "provenance.yaml").write_text("paper: {name: a, main: main.tex}\npaper: {name: b, main: main.tex}\n")
    with pytest.raises(ConfigError, match="given twice"):
        load(root)
