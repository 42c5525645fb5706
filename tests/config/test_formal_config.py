"""provenance.yaml `formal:` and the shape of formal links: one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import load
from provenance.config.formal import CoqProject, coq_files, parse_link
from provenance.errors import ConfigError

HEAD = "paper: {name: demo, main: main.tex}\n"


def write(root: Path, text: str) -> Path:
    (root / "main.tex").write_text("x\n")
    (root / "formal/Sub").mkdir(parents=True, exist_ok=True)
    (root / "formal/A.v").write_text("Lemma a : True. Proof. exact I. Qed.\n")
    (root / "formal/Sub/B.v").write_text("Lemma b : True. Proof. exact I. Qed.\n")
    (root / "provenance.yaml").write_text(HEAD + text)
    return root


def test_formal_section_loads_with_defaults(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, "formal:\n  coq: {root: formal/, logical: Paper.Core, allow_axioms: [classic]}\n"
                               "  lean: {root: formal}\n"
                               "policy: {require_formal_proof: ['thm:*']}\n"
                               "annotations:\n  - {label: 'lem:a', formal: [coq:a, lean:Foo.a]}\n"))
    assert cfg.formal.coq == CoqProject(root="formal", logical="Paper.Core", files=("**/*.v",), allow_axioms=("classic",))
    assert coq_files(tmp_path, cfg.formal.coq) == ["formal/A.v", "formal/Sub/B.v"]
    assert cfg.formal.lean is not None and cfg.formal.lean.allow_axioms == ("propext", "Classical.choice", "Quot.sound")
    assert cfg.policy.require_formal_proof == ("thm:*",)
    assert cfg.annotations[0].fields == (("formal", "coq:a"), ("formal", "lean:Foo.a"))
    assert load(write(tmp_path, "policy: {require_formal_proof: true}\n")).policy.require_formal_proof is True
    assert load(write(tmp_path, "")).formal.coq is None


@pytest.mark.parametrize(("text", "message"), [
    ("formal: {isabelle: {root: formal}}\n", "provenance.yaml: formal.isabelle: unknown key"),
    ("formal: {coq: {logical: P}}\n", "formal.coq.root: missing"),
    ("formal: {coq: {root: ../x, logical: P}}\n", "formal.coq.root: '../x' must be a directory inside the repository"),
    ("formal: {coq: {root: /tmp, logical: P}}\n", "formal.coq.root: '/tmp' must be a directory inside the repository"),
    ("formal: {coq: {root: nope, logical: P}}\n", "formal.coq.root: directory nope does not exist"),
    ("formal: {coq: {root: formal}}\n", "formal.coq.logical: required"),
    ("formal: {coq: {root: formal, logical: 'P Q'}}\n", "formal.coq.logical: required"),
    ("formal: {coq: {root: formal, logical: P, files: ['*.lean']}}\n", "formal.coq.files: no .v file under formal/"),
    ("formal: {coq: {root: formal, logical: P, files: ['../*.v']}}\n", "formal.coq.files: '../*.v' must be a pattern"),
    ("formal: {coq: {root: formal, logical: P, allow_axioms: ['a b']}}\n", "formal.coq.allow_axioms: 'a b' is not a coq"),
    ("annotations:\n  - {path: '*.tex', formal: coq:a}\n", "annotations[0].formal: links one statement"),
    ("annotations:\n  - {label: 'lem:a', formal: 'coq:a;Drop'}\n", "annotations[0].formal: formal='coq:a;Drop'"),
    ("policy: {require_formal_proof: 3}\n", "policy.require_formal_proof: expected a list of strings"),
])
def test_bad_formal_config_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_root_that_leaves_the_repository_through_a_link_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "escape").symlink_to(outside)
    with pytest.raises(ConfigError, match="formal.coq.root: 'escape' leads outside the repository"):
        load(write(repo, "formal: {coq: {root: escape, logical: P}}\n"))


@pytest.mark.parametrize("value", ["coq:Paper.A.lemma_1'", "lean:Nat.add_comm", "lean:Foo.bar?", "coq:x"])
def test_link_names_that_are_accepted(value: str) -> None:
    assert str(parse_link(value)) == value


@pytest.mark.parametrize("value", ["coq", "coq:", "hol:x", "coq:a b", "coq:a.", "coq:1a", "lean:a\nb", "coq:a)."])
def test_link_names_that_could_break_a_generated_file_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_link(value)
