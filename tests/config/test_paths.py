"""Every path provenance.yaml names stays in the repository (symlinks followed); values
are in range; annotations follow the marker rule; outputs and arguments are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import load
from provenance.errors import ConfigError, SourceError
from provenance.scan.markers import parse_marker

HEAD = "paper: {name: demo, main: main.tex}\n"
EXP = "experiments:\n  - {name: e, script: exp.py, outputs: [a.json]%s}\n"


def paper(root: Path, text: str) -> Path:
    (root / "main.tex").write_text("\\documentclass{article}\n")
    (root / "exp.py").write_text("print(1)\n")
    (root / "data.csv").write_text("1\n")
    (root / "provenance.yaml").write_text(text)
    return root


def refused(root: Path, text: str) -> str:
    with pytest.raises(ConfigError) as err:
        load(paper(root, text))
    assert "\n" not in str(err.value)
    return str(err.value)


@pytest.mark.parametrize(("text", "message"), [
    (HEAD + "authors: [{name: Ada, key: ../../etc/passwd}]\n",
     "authors[0].key: '../../etc/passwd' must be a path inside the repository"),
    (HEAD + "annotations:\n  - {path: /etc/*, origin: ai}\n", "annotations[0].path: '/etc/*' must be a path inside"),
    (HEAD + "policy: {declare_paths: ['../../']}\n", "policy.declare_paths[0]: '../../' must be a path inside"),
    (HEAD + EXP % ", inputs: [/etc/hostname]", "experiments[0].inputs: '/etc/hostname' must be a path inside"),
    ("paper: {name: demo, main: ~/main.tex}\n", "paper.main: '~/main.tex' must be a path inside"),
])
def test_paths_outside_the_repository_are_refused(tmp_path: Path, text: str, message: str) -> None:
    assert message in refused(tmp_path, text)


@pytest.mark.parametrize("key", ["script", "input", "main", "author"])
def test_a_symlink_to_a_file_outside_the_repository_is_refused(tmp_path: Path, key: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "secret").write_text("s3cret\n")
    (repo / "link").symlink_to(tmp_path / "secret")
    text = {
        "script": HEAD + "experiments:\n  - {name: e, script: link, outputs: [a]}\n",
        "input": HEAD + EXP % ", inputs: [data.csv, link]",
        "main": "paper: {name: demo, main: link}\n",
        "author": HEAD + "authors: [{name: Ada, key: link}]\n",
    }[key]
    message = refused(repo, text)
    assert f"'link' resolves to '{tmp_path / 'secret'}', outside the repository (a symlink?)" in message


def test_a_symlink_inside_the_repository_is_fine(tmp_path: Path) -> None:
    (tmp_path / "alias.csv").symlink_to("data.csv")
    cfg = load(paper(tmp_path, HEAD + EXP % ", inputs: [alias.csv]"))
    assert cfg.experiments[0].inputs == ("alias.csv",)


@pytest.mark.parametrize(("annotation", "message"), [
    ("origin: robot", "annotations[0].origin: origin='robot' is not one of human|ai|mixed|unknown"),
    ("role: wrote", "annotations[0].role: role='wrote' is not one of drafted|edited|proved|suggested|generated"),
    ("model: ''", "annotations[0].model: key 'model' has an empty value"),
    ('model: "a\\nb"', "annotations[0].model: model= must be one line"),
])
def test_annotation_values_follow_the_marker_rule(tmp_path: Path, annotation: str, message: str) -> None:
    assert message in refused(tmp_path, HEAD + f"annotations:\n  - {{path: '*.tex', {annotation}}}\n")


def test_marker_and_annotation_say_the_same_about_the_same_value(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as marker:
        parse_marker("% paperprov: origin=robot", "main.tex", 1)
    annotation = refused(tmp_path, HEAD + "annotations:\n  - {path: '*.tex', origin: robot}\n")
    assert str(marker.value).split("paperprov ", 1)[1] == annotation.split(".origin: ", 1)[1]


@pytest.mark.parametrize(("outputs", "message"), [
    ('[""]', "experiments[0].outputs[0]: '' names no file"),
    ('["."]', "experiments[0].outputs[0]: '.' names no file"),
    ("[a, ./a]", "build/experiments/e/a is an output of both experiment e and experiment e"),
    ("[a, a/b]", "build/experiments/e/a/b of experiment e is inside build/experiments/e/a of experiment e"),
])
def test_empty_dot_and_colliding_outputs_are_refused(tmp_path: Path, outputs: str, message: str) -> None:
    text = HEAD + f"experiments:\n  - {{name: e, script: exp.py, outputs: {outputs}}}\n"
    assert message in refused(tmp_path, text)


@pytest.mark.parametrize(("args", "message"), [
    ("[--out, /elsewhere]", "args[0]: '--out': paperprov passes --out build/experiments/e and --seed itself"),
    ("[--ou=/tmp/x]", "args[0]: '--ou=/tmp/x': paperprov passes"),
    ("[--seed, 3]", "args[0]: '--seed': paperprov passes"),
    ("[--data, /etc/passwd]", "args[1]: '/etc/passwd' points outside the repository"),
    ("[--log=../../x.log]", "args[0]: '--log=../../x.log' points outside the repository"),
    ("[--cache, ~/.cache]", "args[1]: '~/.cache' points outside the repository"),
])
def test_arguments_cannot_point_outputs_outside_the_repository(tmp_path: Path, args: str, message: str) -> None:
    assert message in refused(tmp_path, HEAD + EXP % f", args: {args}")


def test_ordinary_arguments_pass(tmp_path: Path) -> None:
    cfg = load(paper(tmp_path, HEAD + EXP % ", args: [--epochs, 10, --data, data.csv, --sigma=0.5]"))
    assert cfg.experiments[0].args == ("--epochs", "10", "--data", "data.csv", "--sigma=0.5")


@pytest.mark.parametrize(("text", "message"), [
    (HEAD + EXP % ", seed: -1", "experiments[0].seed: -1 is not between 0 and 4294967295"),
    (HEAD + EXP % ", seed: 4294967296", "experiments[0].seed: 4294967296 is not between"),
    (HEAD + "signing: {threshold: 0}\n", "signing.threshold: 0 is not between 1 and 100"),
    (HEAD + "attribution: {ai_min: .nan}\n", "attribution.ai_min: nan is not between 0 and 1"),
    (HEAD + "policy: {max_unknown_fraction: -0.5}\n", "policy.max_unknown_fraction: -0.5 is not between 0 and 1"),
    (HEAD + "signing: {signers: [ada, ada]}\n", "signing.signers: a name is given twice"),
    (HEAD + "signing: {signers: [../ada]}\n", "signing.signers[0]: required; up to 100 letters"),
])
def test_value_ranges_are_checked_by_the_config(tmp_path: Path, text: str, message: str) -> None:
    assert message in refused(tmp_path, text)
