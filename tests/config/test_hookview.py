"""What the commit hooks read of provenance.yaml: the values a full validation found,
kept with the text in build/.paperprov/hooks.json and used only for the same text in the
same checkout; any other text is validated in full and fails with load's own error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from provenance.config.hookview import HookSettings, hook_settings
from provenance.errors import ConfigError
from provenance.paths import HOOK_SETTINGS

GOOD = ("paper: {name: demo, main: main.tex}\npolicy: {declare_paths: [paper/]}\nsigning: {key: ~/id_ed25519}\n"
        "lint: {require_label: [Lemma]}\n")


def paper(root: Path, text: str, build: bool = True) -> Path:
    (root / "main.tex").write_text("\\documentclass{article}\n")
    (root / "provenance.yaml").write_text(text)
    if build:
        (root / "build").mkdir(exist_ok=True)
    return root


def test_the_values_are_the_full_configuration_s_and_are_kept(tmp_path: Path) -> None:
    root = paper(tmp_path, GOOD)
    cfg = load(root)
    expected = HookSettings(cfg.paper.main, cfg.lint.require_label, cfg.policy.declare_paths, cfg.signing.key)
    assert hook_settings(root) == expected == ("main.tex", ("lemma",), ("paper/",), "~/id_ed25519")
    assert json.loads((root / HOOK_SETTINGS).read_text())["text"] == GOOD
    assert hook_settings(root) == expected


def test_a_process_that_finds_them_kept_imports_neither_yaml_nor_the_schema(tmp_path: Path) -> None:
    root = paper(tmp_path, GOOD)
    hook_settings(root)
    code = ("import sys\nfrom pathlib import Path\nfrom provenance.config.hookview import hook_settings\n"
            "print(hook_settings(Path(sys.argv[1])).declare_paths)\n"
            "heavy = ('yaml', 'provenance.config.schema', 'provenance.config.validate', 'dataclasses')\n"
            "print([m for m in heavy if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["('paper/',)", "[]"]


@pytest.mark.parametrize("bad", [
    "paper: {name: demo, main: main.tex\n",
    "paper: {name: demo, main: main.tex}\npaper: {name: b, main: main.tex}\n",
    GOOD + "polcy: {}\n",
    GOOD.replace("[paper/]", "[../outside/]"),
    GOOD + "venue: nowhere\n",
    "paper: {name: demo, main: missing.tex}\n",
])
def test_a_malformed_file_fails_as_load_does_after_a_good_one_was_kept(tmp_path: Path, bad: str) -> None:
    root = paper(tmp_path, GOOD)
    hook_settings(root)
    (root / "provenance.yaml").write_text(bad)
    with pytest.raises(ConfigError) as from_load:
        load(root)
    with pytest.raises(ConfigError) as from_hooks:
        hook_settings(root)
    assert str(from_hooks.value) == str(from_load.value)


def test_kept_values_serve_only_the_same_text_in_the_same_checkout(tmp_path: Path) -> None:
    root = paper(tmp_path, GOOD)
    hook_settings(root)
    (root / "provenance.yaml").write_text(GOOD.replace("[paper/]", "[paper/, code/]"))
    assert hook_settings(root).declare_paths == ("paper/", "code/")
    kept = json.loads((root / HOOK_SETTINGS).read_text())
    kept["root"], kept["values"]["declare_paths"] = "/another/checkout", ["elsewhere/"]
    (root / HOOK_SETTINGS).write_text(json.dumps(kept))
    assert hook_settings(root).declare_paths == ("paper/", "code/")


@pytest.mark.parametrize("damaged", ["{not json", "[]", '{"values": {"main": 1}}'])
def test_a_damaged_file_is_not_used(tmp_path: Path, damaged: str) -> None:
    root = paper(tmp_path, GOOD)
    (root / HOOK_SETTINGS).parent.mkdir(parents=True)
    (root / HOOK_SETTINGS).write_text(damaged)
    assert hook_settings(root) == ("main.tex", ("lemma",), ("paper/",), "~/id_ed25519")


def test_nothing_is_kept_without_a_build_directory_nor_read_without_provenance_yaml(tmp_path: Path) -> None:
    root = paper(tmp_path, GOOD, build=False)
    assert hook_settings(root) is not None
    assert not (root / "build").exists()
    (root / "provenance.yaml").unlink()
    assert hook_settings(root) is None
