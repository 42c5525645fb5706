"""`submission:` in provenance.yaml and $PAPERPROV_ANONYMOUS."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import load
from provenance.errors import ConfigError

BASE = "paper: {name: demo, main: main.tex}\n"


def _write(root: Path, extra: str = "") -> Path:
    (root / "main.tex").write_text("x\n")
    (root / "provenance.yaml").write_text(BASE + extra)
    return root


def test_submission_defaults_to_a_named_bundle(tmp_path: Path) -> None:
    cfg = load(_write(tmp_path))
    assert cfg.submission.anonymous is False and cfg.submission.anonymize == () and cfg.submission.exclude == ()
    assert not cfg.submission.hides("paper/ack.tex")


def test_anonymous_mode_and_its_globs(tmp_path: Path) -> None:
    cfg = load(_write(tmp_path, "submission: {anonymous: true, anonymize: [paper/ack*.tex, funding/]}\n"))
    s = cfg.submission
    assert s.anonymous and s.anonymize == ("paper/ack*.tex", "funding/")
    assert s.hides("paper/acknowledgements.tex") and s.hides("funding/grants/nsf.txt")
    assert not s.hides("paper/main.tex")


def test_the_environment_switches_one_build_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _write(tmp_path, "submission: {anonymize: [ack.tex]}\n")
    monkeypatch.setenv("PAPERPROV_ANONYMOUS", "1")
    assert load(root).submission.anonymous and load(root).submission.hides("ack.tex")
    _write(tmp_path, "submission: {anonymous: true}\n")
    monkeypatch.setenv("PAPERPROV_ANONYMOUS", "0")
    assert not load(root).submission.anonymous
    monkeypatch.setenv("PAPERPROV_ANONYMOUS", "maybe")
    with pytest.raises(ConfigError, match=r"^\$PAPERPROV_ANONYMOUS='maybe': use 1 \(anonymous build\) or 0"):
        load(root)


@pytest.mark.parametrize(("text", "message"), [
    ("submission: {anonymous: yes please}\n", "provenance.yaml: submission.anonymous: expected bool"),
    ("submission: {anonymize: [/etc/passwd]}\n", "provenance.yaml: submission.anonymize: '/etc/passwd': give globs "
                                                  "relative to the repository root"),
    ("submission: {anonymize: ['../x']}\n", "submission.anonymize: '../x': give globs relative"),
    ("submission: {exclude: ['*']}\n", "submission.exclude: '*' would exclude provenance.yaml"),
    ("submission: {anonymize: ['*']}\n", "submission.anonymize: '*' would leave out provenance.yaml"),
    ("submission: {anonymous: true, anonymise: [x]}\n", "provenance.yaml: submission.anonymise: unknown key"),
])
def test_bad_submission_settings_are_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(_write(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)
