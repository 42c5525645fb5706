"""paperprov-no-private-keys finds real private keys however they are written down:
PEM, PGP, inside JSON strings, in comment lines, UTF-16, DER, OpenSSH binary."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from provenance.hooks.keyscan import private_keys_in
from provenance.hooks.nokeys import private_keys
from tests.helpers import IN_CI, Repo, cli

RSA = rsa.generate_private_key(public_exponent=65537, key_size=1024)
EC = ec.generate_private_key(ec.SECP256R1())
ED = ed25519.Ed25519PrivateKey.generate()
NONE = serialization.NoEncryption()


def pem(key, fmt=serialization.PrivateFormat.PKCS8) -> bytes:  # type: ignore[no-untyped-def]
    return key.private_bytes(serialization.Encoding.PEM, fmt, NONE)


def der(key, fmt=serialization.PrivateFormat.PKCS8, enc=NONE) -> bytes:  # type: ignore[no-untyped-def]
    return key.private_bytes(serialization.Encoding.DER, fmt, enc)


def openssh_binary() -> bytes:
    text = pem(ED, serialization.PrivateFormat.OpenSSH).decode()
    return base64.b64decode("".join(text.strip().splitlines()[1:-1]))


def pgp_private_block(tmp_path: Path) -> bytes:
    if shutil.which("gpg") is None:
        if IN_CI:
            pytest.fail("gpg missing in CI: install.sh must install gnupg")
        pytest.skip("gpg not installed")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    base = ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*base, "--quick-gen-key", "Test <t@example.org>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)
    out = subprocess.run([*base, "--armor", "--export-secret-keys"], check=True, capture_output=True).stdout
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True)
    return out


def kinds(data: bytes) -> list[str]:
    return [kind for _, kind in private_keys_in(data)]


def test_pem_blocks_of_every_usual_format() -> None:
    assert kinds(pem(RSA, serialization.PrivateFormat.TraditionalOpenSSL)) == ["RSA PRIVATE KEY block"]
    assert kinds(pem(EC, serialization.PrivateFormat.TraditionalOpenSSL)) == ["EC PRIVATE KEY block"]
    assert kinds(pem(ED)) == ["PRIVATE KEY block"]
    assert kinds(pem(ED, serialization.PrivateFormat.OpenSSH)) == ["OPENSSH PRIVATE KEY block"]
    encrypted = ED.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.BestAvailableEncryption(b"pw"))
    assert kinds(encrypted) == ["ENCRYPTED PRIVATE KEY block"]


def test_pgp_private_key_block(tmp_path: Path) -> None:
    block = pgp_private_block(tmp_path)
    assert kinds(b"notes\n\n" + block) == ["PGP PRIVATE KEY BLOCK"]
    assert private_keys_in(b"notes\n\n" + block)[0][0] == 3


def test_pem_inside_a_json_string_with_escaped_newlines() -> None:
    doc = json.dumps({"service": "x", "private_key": pem(RSA).decode()}, indent=2).encode()
    assert b"\\n" in doc and kinds(doc) == ["PRIVATE KEY block"]
    assert private_keys_in(b'{\n  "a": 1,\n' + doc[2:])[0][0] == 4  # the line of "private_key"


@pytest.mark.parametrize("leader", ["% ", "# ", "// ", "; ", "-- ", " * "])
def test_pem_in_comment_lines(leader: str) -> None:
    text = "\\section{Intro}\n" + "".join(leader + line + "\n" for line in pem(ED).decode().splitlines())
    assert private_keys_in(text.encode()) == [(2, "PRIVATE KEY block")]


def test_pem_quoted_line_by_line_in_source_code() -> None:
    lines = pem(EC, serialization.PrivateFormat.TraditionalOpenSSL).decode().splitlines()
    code = "KEY = (\n" + "".join(f'    "{line}\\n"\n' for line in lines) + ")\n"
    assert kinds(code.encode()) == ["EC PRIVATE KEY block"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text(codec: str) -> None:
    data = ("key:\n" + pem(ED, serialization.PrivateFormat.OpenSSH).decode()).encode(codec)
    assert private_keys_in(data) == [(2, "OPENSSH PRIVATE KEY block (UTF-16)")]


def test_der_and_binary_private_keys() -> None:
    assert kinds(der(RSA, serialization.PrivateFormat.TraditionalOpenSSL)) == ["RSA or DSA private key (DER)"]
    assert kinds(der(RSA)) == ["PKCS#8 private key (DER)"]
    assert kinds(der(ED)) == ["PKCS#8 private key (DER)"]
    assert kinds(der(EC, serialization.PrivateFormat.TraditionalOpenSSL)) == ["EC private key (DER)"]
    assert kinds(der(RSA, enc=serialization.BestAvailableEncryption(b"pw"))) == ["encrypted PKCS#8 private key (DER)"]
    assert kinds(openssh_binary()) == ["OpenSSH private key (binary)"]


def test_public_keys_certificates_and_code_are_not_keys() -> None:
    for key in (RSA, EC, ED):
        pub = key.public_key()
        assert kinds(pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)) == []
        assert kinds(pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)) == []
    assert kinds(RSA.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)) == []
    code = b'HEADER = "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"\n'
    assert kinds(code) == []  # no key material between the lines
    assert kinds(Path(__file__).read_bytes()) == []


def test_the_hook_refuses_a_der_key_and_a_json_key_file(repo: Repo) -> None:
    repo.write("secrets/key.der", der(RSA))
    repo.write("config/service.json", json.dumps({"private_key": pem(ED).decode()}))
    repo.write("notes.tex", "% just a comment\n")
    proc = cli(repo.path, "hook", "no-private-keys", "secrets/key.der", "config/service.json", "notes.tex")
    assert proc.returncode == 1
    assert "secrets/key.der:1: PKCS#8 private key (DER); unstage the file (git rm --cached secrets/key.der)" in proc.stderr
    assert "config/service.json:1: PRIVATE KEY block" in proc.stderr


def test_a_symlink_is_judged_by_what_git_commits_not_by_its_target(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "outside.pem").write_bytes(pem(ED))
    (repo.path / "link").symlink_to(tmp_path / "outside.pem")
    (repo.path / "zero").symlink_to("/dev/zero")
    assert private_keys(repo.path, ["link", "zero"]) == []


def test_der_whose_last_byte_is_a_newline_is_still_a_key() -> None:
    # Key material ends in 0x0a about once in 256 keys (this failed the suite once): make one.
    data = next(d for d in (der(ed25519.Ed25519PrivateKey.generate()) for _ in range(20_000)) if d.endswith(b"\n"))
    assert kinds(data) == ["PKCS#8 private key (DER)"]
