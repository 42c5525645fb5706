"""Ed25519 keys and DSSE envelopes, checked against the spec and securesystemslib."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope as SslEnvelope
from securesystemslib.signer import CryptoSigner, SSlibKey

from provenance.attest import signing
from provenance.errors import VerifyError
from provenance.evidence.pubkeys import fingerprint

# ssh-keygen (openssh-client) makes the real OpenSSH keys these tests read.
# In CI (CI=true) a missing ssh-keygen fails these tests instead of skipping them.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None and not IN_CI, reason="ssh-keygen not installed")


def ssl_key(signer: signing.Signer) -> SSlibKey:
    pub = serialization.load_ssh_public_key(" ".join(signer.public_line.split()[:2]).encode())
    return SSlibKey.from_crypto(pub, keyid=signer.keyid)


def seal(payload: bytes, *signers: signing.Signer) -> signing.Envelope:
    env = signing.Envelope(payload, signing.PAYLOAD_TYPE, ())
    for s in signers:
        env = env.signed_by(s)
    return env


def test_pae_matches_the_dsse_specification() -> None:
    # The test vector of DSSE's protocol.md.
    assert signing.pae("http://example.com/HelloWorld", b"hello world") == \
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    # LEN counts bytes, not characters; an empty body is "0 " then nothing.
    assert signing.pae("t\u00e9", b"") == b"DSSEv1 3 t\xc3\xa9 0 "
    assert signing.pae(signing.PAYLOAD_TYPE, b"{}") == \
        b"DSSEv1 28 application/vnd.in-toto+json 2 {}"


def test_securesystemslib_verifies_our_envelopes_and_we_verify_its_signatures(tmp_path: Path) -> None:
    a = signing.generate(tmp_path / "a", "alice")
    b = signing.generate(tmp_path / "b", "bob")
    env = seal(b'{"_type":"https://in-toto.io/Statement/v1"}', a, b)
    theirs = SslEnvelope.from_dict(json.loads(env.to_line()))
    accepted = theirs.verify([ssl_key(a), ssl_key(b)], 2)
    assert set(accepted) == {a.keyid, b.keyid}
    assert theirs.pae() == signing.pae(env.payload_type, env.payload)
    # The other direction: a signature made by securesystemslib verifies here.
    other = CryptoSigner(a.key, ssl_key(a))
    fresh = SslEnvelope(b"payload", signing.PAYLOAD_TYPE, {})
    sig = fresh.sign(other)
    assert signing.verify_signature(a.public_line, bytes.fromhex(sig.signature), fresh.pae())


def test_tampered_payload_fails_in_securesystemslib_too(tmp_path: Path) -> None:
    a = signing.generate(tmp_path / "a", "alice")
    d = json.loads(seal(b"original", a).to_line())
    d["payload"] = base64.b64encode(b"originaL").decode()
    with pytest.raises(Exception, match="threshold"):
        SslEnvelope.from_dict(d).verify([ssl_key(a)], 1)


@needs_ssh_keygen
def test_ssh_keygen_key_loads_with_the_fingerprint_ssh_keygen_prints(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol@host", "-f", str(key)], check=True)
    printed = subprocess.run(["ssh-keygen", "-lf", str(key)], capture_output=True, text=True, check=True).stdout
    signer = signing.load_signer(key, comment="carol")
    assert signer.keyid == printed.split()[1]
    assert signer.public_line.split()[1] == (tmp_path / "id_ed25519.pub").read_text().split()[1]
    env = seal(b"x", signer)
    assert SslEnvelope.from_dict(json.loads(env.to_line())).verify([ssl_key(signer)], 1)


@needs_ssh_keygen
def test_passphrase_protected_ssh_keygen_key_needs_the_passphrase(tmp_path: Path, monkeypatch) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "open sesame", "-f", str(key)], check=True)
    with pytest.raises(signing.SigningError, match="passphrase-protected"):
        signing.load_signer(key)
    assert signing.load_signer(key, passphrase=b"open sesame").keyid.startswith("SHA256:")
    monkeypatch.setenv("PAPERPROV_KEY_PASSPHRASE", "open sesame")
    assert signing.load_signer(key).keyid == fingerprint((tmp_path / "id_ed25519.pub").read_text())


def test_signing_twice_with_one_key_keeps_one_signature(tmp_path: Path) -> None:
    a = signing.generate(tmp_path / "a", "alice")
    b = signing.generate(tmp_path / "b", "bob")
    env = seal(b"p", a)
    twice = env.signed_by(a).signed_by(b).signed_by(b)
    assert [k for k, _ in twice.signatures] == sorted([a.keyid, b.keyid])
    assert env.signed_by(a).to_line() == env.to_line()


@pytest.mark.parametrize("line, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"payload": "e30=", "payloadType": "x"}', "missing 'signatures'"),
    ('{"payload": "@@@", "payloadType": "x", "signatures": []}', "payload: malformed base64"),
    ('{"payload": "e30=", "payloadType": "x", "signatures": [{"keyid": "k", "sig": "%%"}]}', r"signatures\[0\].sig: malformed base64"),
    ('{"payload": 5, "payloadType": "x", "signatures": []}', "expected a base64 string"),
    ('{"payload": "e30=", "payloadType": "x", "signatures": ["s"]}', r"signatures\[0\] must be an object"),
])
def test_malformed_envelopes_are_one_line_verify_errors(line: str, message: str) -> None:
    with pytest.raises(VerifyError, match=message) as err:
        signing.parse_envelope(line, "attestation:1")
    assert str(err.value).startswith("attestation:1: ") and "\n" not in str(err.value)


def test_url_safe_base64_is_accepted_as_dsse_allows(tmp_path: Path) -> None:
    a = signing.generate(tmp_path / "a", "alice")
    env = seal(b"\xfb\xff\xfe payload", a)
    d = env.to_dict()
    d["payload"] = base64.urlsafe_b64encode(env.payload).decode()
    back = signing.parse_envelope(json.dumps(d), "t")
    assert back.payload == env.payload
    assert signing.verify_signature(a.public_line, back.signatures[0][1], signing.pae(back.payload_type, back.payload))
