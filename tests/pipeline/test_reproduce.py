"""An honest submission verifies after ordinary incremental builds: each experiment's
SOURCE_DATE_EPOCH comes from the commits that touched what it reads, is attested, and is
what `verify --rebuild` uses; `doit submission` refuses what it can tell will not reproduce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.attest import statements as manifest
from provenance.config import load
from provenance.evidence.epochs import experiment_epochs
from provenance.paths import experiment_epoch
from tests.helpers import EXAMPLE_DATE, Repo, run_cli, run_doit


def _submit_and_verify(repo: Repo, tmp_path: Path) -> str:
    built = run_doit(repo.path, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    repo.commit("Add signing key", date="2026-03-01T00:00:00Z")
    submitted = run_doit(repo.path, "submission")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    bundle = repo.path / "dist" / "least-squares-agents-submission.zip"
    verified = run_cli(tmp_path, "verify", str(bundle), "--rebuild", "--trusted-keys", str(repo.path / "keys"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "FAIL" not in verified.stdout
    return verified.stdout


def _slsa(repo: Repo) -> manifest.Statement:
    sts = dict((st.predicate_type, st) for _, st in manifest.read_attestation(repo.path / "build/attestation.intoto.jsonl"))
    return sts[manifest.SLSA_PREDICATE]


def test_a_section_commit_keeps_the_experiments_epochs_and_the_submission_verifies(built: Repo, tmp_path: Path) -> None:
    """build; commit a change to one section; build; commit the key; submit; verify --rebuild."""
    first = experiment_epochs(load(built.path))
    section = built.path / "paper/sections/intro.tex"
    built.commit("Intro: one more sentence", {"paper/sections/intro.tex": section.read_text() + "\nOne more.\n"},
                 date="2026-02-01T00:00:00Z")
    out = _submit_and_verify(built, tmp_path)
    assert "rebuild: build/experiments/chain/convergence.pdf is byte-identical" in out
    assert "rebuild: build/paper.pdf is byte-identical" in out
    internal = _slsa(built).predicate["buildDefinition"]["internalParameters"]
    # The experiments were not re-run and keep the first commit's time; the PDF has HEAD's.
    assert internal["experimentEpochs"] == first == {"chain": 1767323045, "dags": 1767323045}
    assert internal["sourceDateEpoch"] == 1772323200  # 2026-03-01, the key's commit
    assert EXAMPLE_DATE == "2026-01-02T03:04:05Z"  # 1767323045


def test_a_commit_to_one_experiment_reruns_it_with_its_new_epoch_and_verifies(built: Repo, tmp_path: Path) -> None:
    script = built.path / "experiments/dags.py"
    built.commit("dags: a comment", {"experiments/dags.py": script.read_text() + "\n# a comment\n"},
                 date="2026-02-01T00:00:00Z")
    out = _submit_and_verify(built, tmp_path)
    assert "rebuild: build/experiments/dags/scatter.pdf is byte-identical" in out
    internal = _slsa(built).predicate["buildDefinition"]["internalParameters"]
    assert internal["experimentEpochs"] == {"chain": 1767323045, "dags": 1769904000}
    assert (built.path / experiment_epoch("dags")).read_text().strip() == "1769904000"


def test_submission_refuses_an_output_built_with_another_epoch(built: Repo) -> None:
    built.commit("Add signing key", date="2026-03-01T00:00:00Z")
    assert run_doit(built.path, "build").returncode == 0
    # As if the figure had been made by hand, or by a paperprov that stamped HEAD's time.
    (built.path / experiment_epoch("chain")).write_text("1772323200\n")
    refused = run_doit(built.path, "submission")
    assert refused.returncode != 0
    line = next(ln for ln in refused.stdout.splitlines() + refused.stderr.splitlines() if "would not verify" in ln)
    assert "experiment chain: built with SOURCE_DATE_EPOCH 1772323200, attested 1767323045" in line
    assert not (built.path / "dist").exists()


def test_explicit_source_date_epoch_wins_for_every_experiment(built: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert experiment_epochs(load(built.path)) == {"chain": 1234567890, "dags": 1234567890}


def test_epochs_are_cached_per_head(built: Repo) -> None:
    """A no-op doit runs no git for the epochs: they are kept per HEAD."""
    head = built.git("rev-parse", "HEAD").strip()
    cache = json.loads((built.path / "build/.paperprov/epochs.json").read_text())
    assert cache["head"] == head and sorted(cache["epochs"].values()) == [1767323045, 1767323045]
