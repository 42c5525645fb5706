"""Verifying an anonymous submission, and at camera-ready its reveal file (verify --reveal)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from provenance.attest import signing
from tests.anonymous_example import ANONYMOUS, BUNDLE, REVEAL
from tests.helpers import Repo, run_cli, run_doit


def _fails(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("FAIL")]


def test_verify_passes_and_says_plainly_that_the_bundle_is_anonymous(anonymous_example: tuple[Path, Path]) -> None:
    root, _ = anonymous_example
    proc = run_cli(root, "verify", BUNDLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok   anonymous.json: sealed identity binding" in proc.stdout
    assert "ok   source.tar: no .git and no commit id" in proc.stdout
    assert "signature by anonymous (SHA256:" in proc.stdout
    note = next(line for line in proc.stdout.splitlines() if line.startswith("note anonymous submission"))
    assert "a key made for this submission alone" in note and "does not say who they are" in note
    assert proc.stdout.rstrip().endswith("checks passed")


def test_an_anonymous_build_directory_verifies_against_its_working_tree(anonymous_example: tuple[Path, Path]) -> None:
    root, _ = anonymous_example
    proc = run_cli(root, "verify", ".")
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"ok   inputs: (\d+) of \1 attested input files match the working tree", proc.stdout)
    assert "note anonymous submission" in proc.stdout and "anonymous.json" not in proc.stdout


def test_reveal_shows_the_named_authors_made_it_and_the_record_rebuilt_matches(
        anonymous_example: tuple[Path, Path]) -> None:
    root, _ = anonymous_example
    proc = run_cli(root, "verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", "keys/", "--repo", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert f"ok   reveal: {REVEAL} opens the bundle's commitment, for this attestation and its anonymous key" in out
    assert "ok   reveal: binding signed by ada-author (SHA256:" in out
    commit = Repo(root, init=False).git("rev-parse", "HEAD").strip()
    assert f"ok   reveal: commit {commit} is the one the anonymous record and attestation name" in out
    assert "equals the anonymous record byte for byte, up to the pseudonyms" in out
    assert "ok   reveal: source.tar is commit" in out and "less the 2 file(s) the reveal file lists" in out
    assert "note reveal: Author 1 is Seed 5433d28d maintainers, <maintainers@users.noreply.r-seed-5433d28d.example>" in out
    assert "note reveal: paper/authors.tex was left out of the anonymous source" in out


def test_a_reveal_file_of_another_submission_fails_with_one_line(anonymous: Repo, tmp_path: Path) -> None:
    first = tmp_path / "first.zip"
    shutil.copy(anonymous.path / BUNDLE, first)
    shutil.rmtree(anonymous.path / "build/anonymous")  # a new anonymous identity: another submission
    proc = run_doit(anonymous.path, "submission", env=ANONYMOUS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_cli(anonymous.path, "verify", str(first), "--reveal", REVEAL, "--trusted-keys", "keys/")
    assert proc.returncode == 1
    fails = _fails(proc.stdout)
    assert len(fails) == 1 and f"reveal: {REVEAL} is for another submission: its binding" in fails[0], proc.stdout
    # The new bundle and its own reveal file still agree.
    assert run_cli(anonymous.path, "verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", "keys/").returncode == 0


def test_a_reveal_file_signed_by_a_key_not_trusted_fails_with_one_line(anonymous_example: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    root, _ = anonymous_example
    stranger = signing.generate(tmp_path / "stranger", "stranger")
    (tmp_path / "trusted").mkdir()
    (tmp_path / "trusted/stranger.pub").write_text(stranger.public_line + "\n")
    proc = run_cli(root, "verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", str(tmp_path / "trusted"))
    assert proc.returncode == 1
    fails = _fails(proc.stdout)
    assert len(fails) == 1 and "reveal: signed only by keys you do not trust (SHA256:" in fails[0], proc.stdout


def test_a_tampered_reveal_file_is_for_another_submission(anonymous: Repo) -> None:
    path = anonymous.path / REVEAL
    env = signing.parse_envelope(path.read_text(), "reveal")
    doc = json.loads(env.payload)
    doc["people"][0]["names"] = ["Someone Else"]  # claim the paper for someone else
    forged = signing.Envelope(json.dumps(doc).encode(), env.payload_type, env.signatures)
    path.write_text(json.dumps(forged.to_dict()))
    proc = run_cli(anonymous.path, "verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", "keys/")
    assert proc.returncode == 1 and len(_fails(proc.stdout)) == 1
    assert "is for another submission" in _fails(proc.stdout)[0]


def test_what_is_not_a_reveal_file_is_one_line_and_reveal_needs_an_anonymous_bundle(anonymous: Repo) -> None:
    anonymous.write("not-reveal.json", '{"payload": "e30=", "payloadType": "text/plain", "signatures": []}')
    proc = run_cli(anonymous.path, "verify", BUNDLE, "--reveal", "not-reveal.json", "--trusted-keys", "keys/")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "paperprov: not-reveal.json: payloadType 'text/plain'; not a paperprov reveal file "
        "(application/vnd.paperprov.reveal+json)"]
    proc = run_cli(anonymous.path, "verify", BUNDLE, "--reveal", REVEAL)
    assert proc.returncode == 1 and "--reveal needs --trusted-keys" in proc.stderr
    proc = run_cli(anonymous.path, "verify", BUNDLE, "--repo", ".")
    assert proc.returncode == 1 and "--repo: only with --reveal" in proc.stderr


def test_a_co_author_signs_the_reveal_file_and_both_signatures_count(anonymous: Repo, tmp_path: Path) -> None:
    bob = {"XDG_CONFIG_HOME": str(tmp_path / "bob-home")}  # Bob's own machine: his own key store
    assert run_cli(anonymous.path, "keygen", "--name", "bob", env=bob).returncode == 0
    proc = run_cli(anonymous.path, "reveal", "sign", REVEAL, "--name", "bob", env=bob)
    assert proc.returncode == 0, proc.stderr
    assert "signed the identity binding in" in proc.stdout and "2 signature(s)" in proc.stdout
    assert (anonymous.path / REVEAL).stat().st_mode & 0o777 == 0o600
    proc = run_cli(anonymous.path, "verify", BUNDLE, "--reveal", REVEAL, "--trusted-keys", "keys/", "--threshold", "2")
    assert proc.returncode == 0, proc.stdout
    assert "ok   reveal: binding signed by bob (SHA256:" in proc.stdout
    assert "ok   reveal: 2 distinct trusted key(s) signed the binding; threshold 2" in proc.stdout
    shown = run_cli(anonymous.path, "reveal", "show", REVEAL)
    assert "Author 1: Seed 5433d28d maintainers <maintainers@users.noreply.r-seed-5433d28d.example>" in shown.stdout


def test_reveal_sign_refuses_a_commit_the_co_author_does_not_have(anonymous: Repo, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = Repo(tmp_path / "other")
    other.commit("Unrelated", {"provenance.yaml": "paper: {name: x, main: main.tex}\n", "main.tex": "x\n"})
    proc = run_cli(other.path, "reveal", "sign", str(anonymous.path / REVEAL))
    assert proc.returncode == 1 and "refusing to sign: commit" in proc.stderr and "is not in" in proc.stderr
