"""The signed attestation: statements, determinism, key selection and first-use keys."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from provenance.attest import sign as attest
from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.config import load
from provenance.errors import BuildError, SigningError
from tests.helpers import IN_CI, Repo, attested, fake_build, make_paper, run_cli

# ssh-keygen (openssh-client) makes the real OpenSSH keys these tests read.
# In CI (CI=true) a missing ssh-keygen fails these tests instead of skipping them.
needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None and not IN_CI, reason="ssh-keygen not installed")


def statements(path: Path) -> list[dict]:
    return [json.loads(signing.parse_envelope(ln, "t").payload) for ln in path.read_text().splitlines()]


def test_attestation_has_slsa_and_record_statements_over_the_outputs(repo: Repo) -> None:
    out = attested(repo)
    slsa, rec = statements(out)
    outputs = ["build/ai-usage-card.json", "build/ai-usage-card.md", "build/disclosure.md", "build/disclosure.tex",
               "build/experiments/sq/results.json", "build/experiments/sq/table.tex", "build/gaidet.md",
               "build/paper.pdf", "build/report/index.html"]
    assert slsa["_type"] == "https://in-toto.io/Statement/v1"
    assert slsa["predicateType"] == "https://slsa.dev/provenance/v1"
    assert [s["name"] for s in slsa["subject"]] == outputs
    pdf = slsa["subject"][-2]["digest"]["sha256"]
    assert pdf == __import__("hashlib").sha256((repo.path / "build/paper.pdf").read_bytes()).hexdigest()
    bd = slsa["predicate"]["buildDefinition"]
    assert bd["buildType"] == manifest.BUILD_TYPE
    assert bd["externalParameters"]["paper"] == "tiny"
    deps = {d["name"]: d["digest"] for d in bd["resolvedDependencies"]}
    head = repo.git("rev-parse", "HEAD").strip()
    assert deps["source"] == {"gitCommit": head, "gitTree": repo.git("rev-parse", "HEAD^{tree}").strip()}
    assert "paper/main.tex" in deps and "experiments/sq.py" in deps and "provenance.yaml" in deps
    env = bd["internalParameters"]["environment"]
    assert env["python"].split()[-1].count(".") == 2 and env["packages"]["cryptography"][0].isdigit()
    assert rec["predicateType"] == manifest.RECORD_PREDICATE
    assert [s["name"] for s in rec["subject"]] == sorted(outputs + ["build/record.json"])
    assert rec["predicate"]["commit"] == head
    text = out.read_text()
    assert str(repo.path) not in text and str(Path.home()) not in text


def test_unsigned_statements_are_identical_for_two_checkouts_in_different_directories(make_repo, tmp_path) -> None:
    a, b = make_paper(make_repo("one/a")), make_paper(make_repo("two/elsewhere/b"))
    assert a.git("rev-parse", "HEAD") == b.git("rev-parse", "HEAD")
    fake_build(a)
    fake_build(b)
    assert attest.statements(load(a.path)) == attest.statements(load(b.path))


def test_first_attestation_generates_a_key_outside_the_repo_and_writes_the_public_line(repo: Repo, capsys) -> None:
    make_paper(repo)
    fake_build(repo)
    attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    private = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    pub = (repo.path / "keys/ada.pub").read_text()
    assert pub.startswith("ssh-ed25519 ") and pub.strip().endswith(" ada")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "generated signing key" in err
    assert str(private) in err and "SHA256:" in err and "git add keys/ada.pub" in err
    # Second build: same key, no new message, same public file.
    attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    assert capsys.readouterr().err == "" and (repo.path / "keys/ada.pub").read_text() == pub
    assert not any(p.name == "ada" for p in repo.path.rglob("ada") if p.is_file())


@needs_ssh_keygen
def test_signing_key_from_environment_wins_and_passphrase_protected_openssh_key_works(repo: Repo, monkeypatch, tmp_path) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-C", "ada@laptop", "-f", str(key)], check=True)
    make_paper(repo)
    fake_build(repo)
    monkeypatch.setenv("PAPERPROV_SIGNING_KEY", str(key))
    with pytest.raises(SigningError, match="passphrase-protected; set PAPERPROV_KEY_PASSPHRASE"):
        attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    monkeypatch.setenv("PAPERPROV_KEY_PASSPHRASE", "s3cret")
    attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    fp = subprocess.run(["ssh-keygen", "-lf", str(key) + ".pub"], capture_output=True, text=True).stdout.split()[1]
    env = signing.parse_envelope((repo.path / "build/attestation.intoto.jsonl").read_text().splitlines()[0], "t")
    assert [k for k, _ in env.signatures] == [fp]
    assert not (Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada").exists()


@needs_ssh_keygen
def test_wrong_passphrase_and_non_ed25519_key_are_one_line_errors(tmp_path) -> None:
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "right", "-f", str(key)], check=True)
    with pytest.raises(SigningError, match="cannot load the private key.*wrong passphrase"):
        signing.load_signer(key, passphrase=b"wrong")
    rsa = tmp_path / "rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", str(rsa)], check=True)
    with pytest.raises(SigningError, match="not an Ed25519 key"):
        signing.load_signer(rsa)
    with pytest.raises(SigningError, match="private key not found"):
        signing.load_signer(tmp_path / "nope")


def test_public_key_name_clash_is_refused(repo: Repo, tmp_path) -> None:
    make_paper(repo)
    fake_build(repo)
    other = signing.generate(tmp_path / "other", "ada")
    repo.write("keys/ada.pub", other.public_line + "\n")
    with pytest.raises(SigningError, match="keys/ada.pub holds another key"):
        attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")


def test_missing_build_output_is_a_one_line_build_error(repo: Repo) -> None:
    make_paper(repo)
    fake_build(repo)
    (repo.path / "build/experiments/sq/results.json").unlink()
    with pytest.raises(BuildError, match="build/experiments/sq/results.json: missing"):
        attest.write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")


@needs_ssh_keygen
def test_keygen_writes_key_pair_and_refuses_to_overwrite(repo: Repo) -> None:
    make_paper(repo)
    proc = run_cli(repo.path, "keygen", "--name", "bob")
    assert proc.returncode == 0, proc.stderr
    assert "keys/bob.pub" in proc.stdout and "git add keys/bob.pub" in proc.stdout
    line = (repo.path / "keys/bob.pub").read_text()
    fp = subprocess.run(["ssh-keygen", "-lf", str(repo.path / "keys/bob.pub")], capture_output=True, text=True).stdout.split()[1]
    assert fp in proc.stdout and line.split()[2] == "bob"
    again = run_cli(repo.path, "keygen", "--name", "bob")
    assert again.returncode == 1 and "exists; pass --force" in again.stderr and "Traceback" not in again.stderr
    assert run_cli(repo.path, "keygen", "--name", "bob", "--force").returncode == 0
    assert (repo.path / "keys/bob.pub").read_text() != line


@needs_ssh_keygen
def test_keygen_with_passphrase_from_environment_is_loadable_only_with_it(repo: Repo, tmp_path) -> None:
    make_paper(repo)
    proc = run_cli(repo.path, "keygen", env={"PAPERPROV_KEY_PASSPHRASE": "pw"})
    assert proc.returncode == 0 and "passphrase-protected" in proc.stdout  # name from signing.name: ada
    private = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada"
    # ssh-keygen itself reads it: the format is real OpenSSH.
    out = subprocess.run(["ssh-keygen", "-y", "-P", "pw", "-f", str(private)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.split()[1] == (repo.path / "keys/ada.pub").read_text().split()[1]
    with pytest.raises(SigningError):
        signing.load_signer(private)


def test_keygen_refuses_a_private_key_inside_the_repository(repo: Repo) -> None:
    make_paper(repo)
    proc = run_cli(repo.path, "keygen", env={"XDG_CONFIG_HOME": str(repo.path / "cfg")})
    assert proc.returncode == 1 and "must not be written inside the repository" in proc.stderr
    assert not (repo.path / "cfg").exists() or not any((repo.path / "cfg").rglob("ada"))


def test_rebuilding_the_same_commit_keeps_valid_cosigner_signatures_and_drops_stale_ones(repo: Repo, tmp_path) -> None:
    out = attested(repo)
    bob = signing.generate(tmp_path / "bob", "bob")
    repo.write("keys/bob.pub", bob.public_line + "\n")
    out.write_text("".join(signing.parse_envelope(ln, "t").signed_by(bob).to_line() + "\n"
                           for ln in out.read_text().splitlines()))
    attest.write_attestation(load(repo.path), out)  # same commit, same outputs: same payloads
    assert all(len(signing.parse_envelope(ln, "t").signatures) == 2 for ln in out.read_text().splitlines())
    fake_build(repo, pdf=b"%PDF-1.5\n% changed\n%%EOF\n")  # new payloads: bob's signatures no longer apply
    attest.write_attestation(load(repo.path), out)
    assert all(len(signing.parse_envelope(ln, "t").signatures) == 1 for ln in out.read_text().splitlines())
