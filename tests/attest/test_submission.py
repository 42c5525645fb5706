"""dist/<name>-submission.zip: contents, determinism and the dirty-tree refusal."""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile

import pytest

from provenance.attest import sign as attest
from provenance.attest.submission import write_submission
from provenance.config import load
from provenance.errors import BuildError, GitError
from tests.helpers import Repo, attested, fake_build, make_paper

ENTRIES = [
    "build/ai-usage-card.json", "build/ai-usage-card.md", "build/attestation.intoto.jsonl", "build/disclosure.md",
    "build/disclosure.tex", "build/experiments/sq/results.json", "build/experiments/sq/table.tex", "build/gaidet.md",
    "build/paper.pdf",
    "build/record.json", "build/report/index.html", "keys/ada.pub", "source.tar",
]


def test_bundle_holds_the_attested_files_keys_and_a_git_archive_of_head(repo: Repo) -> None:
    attested(repo)
    out = write_submission(load(repo.path))
    assert out == repo.path / "dist/tiny-submission.zip"
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ENTRIES
        for info in zf.infolist():
            assert info.date_time == (2026, 1, 2, 4, 0, 0)  # HEAD's commit time
            assert info.external_attr >> 16 == 0o100644 and info.compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("build/paper.pdf") == (repo.path / "build/paper.pdf").read_bytes()
        tar = zf.read("source.tar")
    assert tar == subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=repo.path,
                                 capture_output=True, check=True).stdout
    names = tarfile.open(fileobj=io.BytesIO(tar)).getnames()
    assert "paper/main.tex" in names and "keys/ada.pub" in names and not any(n.startswith("build") for n in names)


def test_two_bundles_of_one_build_are_byte_identical(repo: Repo) -> None:
    attested(repo)
    first = write_submission(load(repo.path)).read_bytes()
    (repo.path / "dist/tiny-submission.zip").unlink()
    assert write_submission(load(repo.path)).read_bytes() == first


def test_first_build_key_is_untracked_and_the_refusal_says_what_to_commit(repo: Repo) -> None:
    make_paper(repo)
    fake_build(repo)
    attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    with pytest.raises(GitError) as err:
        write_submission(load(repo.path))
    msg = str(err.value)
    assert "keys/ada.pub (untracked)" in msg and "git add keys/ada.pub && git commit" in msg
    assert "\n" not in msg


def test_modified_tracked_file_is_refused_unless_allow_dirty(repo: Repo) -> None:
    attested(repo)
    repo.write("paper/main.tex", "\\documentclass{article}\\begin{document}Changed.\\end{document}\n")
    with pytest.raises(GitError, match=r"paper/main.tex \(modified\).*--allow-dirty"):
        write_submission(load(repo.path))
    # The build outputs still match the attestation, so --allow-dirty bundles them.
    out = write_submission(load(repo.path), allow_dirty=True)
    assert zipfile.ZipFile(out).namelist() == ENTRIES


def test_outputs_changed_after_attesting_are_refused(repo: Repo) -> None:
    attested(repo)
    (repo.path / "build/paper.pdf").write_bytes(b"%PDF-1.5 another paper")
    with pytest.raises(BuildError, match="does not match build/paper.pdf; run `doit build` again"):
        write_submission(load(repo.path))


def test_attestation_of_an_older_commit_is_refused(repo: Repo) -> None:
    attested(repo)
    repo.commit("Unrelated change", {"README.md": "notes\n"})
    with pytest.raises(BuildError, match="is for commit .* not HEAD"):
        write_submission(load(repo.path))


def test_no_attestation_is_refused(repo: Repo) -> None:
    make_paper(repo)
    with pytest.raises(BuildError, match="build/attestation.intoto.jsonl: missing; run `doit build` first"):
        write_submission(load(repo.path))
