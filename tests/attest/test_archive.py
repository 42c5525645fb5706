"""source.tar less what `submission.exclude` and export-ignore leave out: the attestation
and verify agree on its tree, the attestation lists what was left out, and what cannot be
archived (an input left out, a blob not in the clone, an LFS pointer) is one line."""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from provenance.attest import statements as manifest
from provenance.attest.archive import make_archive
from provenance.attest.sign import write_attestation
from provenance.attest.submission import write_submission
from provenance.config import load
from provenance.errors import BuildError, GitError
from provenance.verify.checks import verify_path
from tests.helpers import TINY_CONFIG, Repo, fake_build, make_paper

ATT = "build/attestation.intoto.jsonl"


def attest_with(repo: Repo, files: dict[str, str | bytes], config: str = "") -> None:
    """The tiny paper plus `files`, built (fake_build), its key committed, attested."""
    make_paper(repo)
    repo.commit("Data and settings", {**files, "provenance.yaml": TINY_CONFIG + config})
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)
    repo.commit("Add signing key ada", date="2026-01-02T04:00:00Z")
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)


def slsa(repo: Repo) -> manifest.Statement:
    return next(st for _, st in manifest.read_attestation(repo.path / ATT) if st.predicate_type == manifest.SLSA_PREDICATE)


def test_excluded_and_export_ignored_paths_give_the_same_tree_in_the_attestation_and_in_verify(repo: Repo) -> None:
    attest_with(repo, {"data/train.csv": "1,2\n", "data/sub/big.bin": "x" * 100, "notes/todo.md": "later\n",
                       "scratch.csv": "3\n", ".gitattributes": "notes/** export-ignore\n"},
                "submission: {exclude: [data/, '*.csv']}\n")
    st = slsa(repo)
    assert st.excluded() == ["data/", "notes/", "scratch.csv"]
    head_tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    assert st.source()["gitTree"] != head_tree  # the archive's tree, not the commit's
    bundle = write_submission(load(repo.path))
    tar = tarfile.open(fileobj=io.BytesIO(zipfile.ZipFile(bundle).read("source.tar")))
    names = [m.name for m in tar.getmembers() if not m.isdir()]
    assert "paper/main.tex" in names and ".gitattributes" in names
    assert not any(n.startswith(("data", "notes")) or n.endswith(".csv") for n in names)
    report = verify_path(bundle)
    lines = {c.what: c.ok for c in report.checks}
    tree = st.source()["gitTree"][:12]
    commit = st.source()["gitCommit"][:12]
    assert lines[f"source.tar: git tree {tree} of commit {commit} as attested; leaves out 3 attested path(s): "
                 "data/, notes/, scratch.csv"] is True
    assert all(lines.values()), [w for w, ok in lines.items() if not ok]


def test_without_exclusions_the_attested_tree_is_the_commits(repo: Repo) -> None:
    attest_with(repo, {"data/train.csv": "1,2\n"})
    st = slsa(repo)
    assert st.source()["gitTree"] == repo.git("rev-parse", "HEAD^{tree}").strip() and st.excluded() == []


def test_leaving_out_an_input_the_build_reads_is_refused(repo: Repo) -> None:
    config = TINY_CONFIG.replace("script: experiments/sq.py", "script: experiments/sq.py\n    inputs: [data/train.csv]")
    make_paper(repo)
    repo.commit("Data", {"data/train.csv": "1,2\n", "provenance.yaml": config + "submission: {exclude: [data]}\n"})
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)
    repo.commit("Add signing key ada")
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)
    with pytest.raises(BuildError) as err:
        write_submission(load(repo.path))
    assert str(err.value) == ("source.tar leaves out data/train.csv, which the build reads, so a rebuild cannot; "
                              "keep them in (submission.exclude, .gitattributes export-ignore)")


def test_lfs_pointers_are_named_with_what_to_do(repo: Repo) -> None:
    pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 123456\n")
    make_paper(repo)
    repo.commit("A dataset in LFS", {"data/big.bin": pointer, "data/small.bin": "x"})
    commit = repo.git("rev-parse", "HEAD").strip()
    with pytest.raises(GitError) as err:
        make_archive(repo.path, commit, ())
    assert str(err.value) == ("source.tar: data/big.bin are Git LFS pointers, so the archive would hold the pointer, "
                              "not the file the build read; leave them out with submission.exclude in provenance.yaml "
                              "(if the rebuild does not need them) or commit them to git without LFS")
    assert make_archive(repo.path, commit, ("data/big.bin",)).excluded == ("data/big.bin",)


def test_blobs_missing_from_a_partial_clone_are_named_with_what_to_do(repo: Repo, tmp_path: Path) -> None:
    make_paper(repo)
    repo.commit("Data", {"data/a.csv": "1\n", "data/b.csv": "2\n"})
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{repo.path}", str(clone)],
                   check=True, capture_output=True)
    subprocess.run(["git", "remote", "set-url", "origin", f"file://{tmp_path}/gone"], cwd=clone, check=True)
    commit = repo.git("rev-parse", "HEAD").strip()
    with pytest.raises(GitError) as err:
        make_archive(clone, commit, ())
    msg = str(err.value)
    assert msg.startswith(f"source.tar: 6 file(s) of commit {commit[:12]} are not in this clone (a partial clone?): ")
    assert "data/a.csv" in msg and "\n" not in msg
    assert msg.endswith("or leave them out with submission.exclude in provenance.yaml")
