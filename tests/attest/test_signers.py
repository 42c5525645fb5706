"""The appendix names only the disclosed signers, the attestation records them, and
verify fails until each of them has signed (a co-signer adds a signature with
`paperprov sign --add`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provenance.attest import signing
from provenance.attest.sign import write_attestation
from provenance.attest.signers import disclosed_signers
from provenance.attest.statements import SLSA_PREDICATE, read_attestation
from provenance.config import load
from provenance.errors import ConfigError
from provenance.evidence.pubkeys import read_public_keys
from provenance.verify.checks import verify_path
from tests.helpers import TINY_CONFIG, Repo, cli, fake_build, make_paper

ATT = "build/attestation.intoto.jsonl"


def recorded(repo: Repo) -> list[dict[str, str]]:
    for _, st in read_attestation(repo.path / ATT):
        if st.predicate_type == SLSA_PREDICATE:
            return st.predicate["buildDefinition"]["internalParameters"]["signers"]
    raise AssertionError("no provenance statement")


def with_keys(repo: Repo, config: str, *names: str) -> dict[str, str]:
    """The tiny paper with keys NAME generated and committed; {name: fingerprint}."""
    make_paper(repo)
    for name in names:
        assert cli(repo.path, "keygen", "--name", name).returncode == 0
    repo.commit("Config and keys", {"provenance.yaml": config}, date="2026-01-02T04:00:00Z")
    return {k.name: k.fingerprint for k in read_public_keys(repo.path)}


def test_by_default_the_appendix_names_the_builder_only_not_every_committed_key(repo: Repo) -> None:
    keys = with_keys(repo, TINY_CONFIG, "ada", "carol")
    cfg = load(repo.path)
    assert disclosed_signers(cfg) == (("ada", keys["ada"]),)  # signing.name: ada; carol's key is committed too
    fake_build(repo)
    write_attestation(cfg, repo.path / ATT)
    assert recorded(repo) == [{"keyid": keys["ada"], "name": "ada"}]
    report = verify_path(repo.path)
    assert report.ok, [c.what for c in report.failed]
    assert f"ok   disclosed signer ada ({keys['ada']}): signed every envelope" in \
        [("ok   " if c.ok else "FAIL ") + c.what for c in report.checks]


def test_an_uncommitted_builder_key_is_not_named(repo: Repo) -> None:
    make_paper(repo)
    assert cli(repo.path, "keygen", "--name", "ada").returncode == 0  # keys/ada.pub not committed
    assert disclosed_signers(load(repo.path)) == ()


def test_a_declared_signer_without_a_committed_key_is_one_line(repo: Repo) -> None:
    with_keys(repo, TINY_CONFIG.replace("signing: {name: ada}", "signing: {name: ada, signers: [ada, bob]}"), "ada")
    with pytest.raises(ConfigError) as err:
        disclosed_signers(load(repo.path))
    assert str(err.value) == ("provenance.yaml: signing.signers: keys/bob.pub is not committed; commit it "
                              "(git add keys/bob.pub && git commit) or remove bob from the list")


def test_verify_fails_until_every_disclosed_signer_signed_and_sign_add_completes_it(repo: Repo) -> None:
    config = TINY_CONFIG.replace("signing: {name: ada}", "signing: {name: ada, signers: [ada, bob]}")
    keys = with_keys(repo, config, "ada", "bob")
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)  # Ada's build, signed by Ada
    assert recorded(repo) == [{"keyid": keys["ada"], "name": "ada"}, {"keyid": keys["bob"], "name": "bob"}]
    failed = [c.what for c in verify_path(repo.path).failed]
    assert failed == [f"disclosed signer bob ({keys['bob']}): no valid signature by a trusted key in envelope 1, 2; "
                      "the appendix names bob as a signer: bob runs `paperprov sign --add`, or the key must be among "
                      "--trusted-keys"]
    proc = cli(repo.path, "sign", "--add", "--name", "bob")
    assert proc.returncode == 0, proc.stderr
    report = verify_path(repo.path)
    assert report.ok, [c.what for c in report.failed]


def test_a_co_signer_outside_the_list_counts_but_is_not_required(repo: Repo) -> None:
    keys = with_keys(repo, TINY_CONFIG, "ada", "dan")
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / ATT)
    assert cli(repo.path, "sign", "--add", "--name", "dan").returncode == 0
    report = verify_path(repo.path, threshold=2)
    assert report.ok, [c.what for c in report.failed]
    assert not any("disclosed signer dan" in c.what for c in report.checks)
    assert keys["dan"] not in json.dumps(recorded(repo))


def test_a_malformed_signer_list_in_a_signed_statement_fails_cleanly(repo: Repo) -> None:
    with_keys(repo, TINY_CONFIG, "ada")
    fake_build(repo)
    att = repo.path / ATT
    write_attestation(load(repo.path), att)
    lines = []
    key = signing.load_signer(Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada")
    for line in att.read_text().splitlines():
        st = json.loads(signing.parse_envelope(line, "t").payload)
        if st["predicateType"] == SLSA_PREDICATE:
            st["predicate"]["buildDefinition"]["internalParameters"]["signers"] = [{"name": "x}\\evil", "keyid": "1"}]
        lines.append(signing.Envelope(json.dumps(st).encode(), signing.PAYLOAD_TYPE, ()).signed_by(key).to_line())
    att.write_text("\n".join(lines) + "\n")
    failed = [c.what for c in verify_path(repo.path).failed]
    assert "internalParameters.signers: not a list of {name, keyid: SHA256:...}" in failed


def test_an_input_that_is_a_symlink_out_of_the_repository_is_never_hashed(repo: Repo, tmp_path: Path) -> None:
    """The LaTeX walker follows \\input; a section that is a symlink to a file outside
    the repository must not have that file's digest signed into the attestation."""
    from provenance.errors import BuildError

    with_keys(repo, TINY_CONFIG, "ada")
    secret = tmp_path / "shadow"
    secret.write_text("root:secret\n")
    (repo.path / "paper" / "secret.tex").symlink_to(secret)
    repo.write("paper/main.tex", "\\documentclass{article}\n\\begin{document}\n\\input{secret}\n\\end{document}\n")
    fake_build(repo)
    with pytest.raises(BuildError) as err:
        write_attestation(load(repo.path), repo.path / ATT)
    assert str(err.value) == (f"paper/secret.tex: resolves to {secret}, outside the repository; refusing to hash it "
                              "into the attestation (replace the symlink with the file)")
