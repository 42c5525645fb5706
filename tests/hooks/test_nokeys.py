"""The no-private-keys hook: staged files with a private key, or the configured signing
key, are refused with the file and line; by the real pre-commit framework too."""

from __future__ import annotations

from provenance.hooks.nokeys import private_keys
from tests.helpers import Repo, commit, install_hooks


def _keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    openssh = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return openssh, pem


def test_private_keys_are_refused_with_file_and_line(repo: Repo) -> None:
    openssh, pem = _keys()
    repo.write("id_ed25519", openssh)
    repo.write("notes.md", "# notes\n\n" + pem)
    repo.write("keys/alice.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n")
    problems = private_keys(repo.path, ["id_ed25519", "notes.md", "keys/alice.pub"])
    assert [p.split(" block")[0] for p in problems] == ["id_ed25519:1: OPENSSH PRIVATE KEY", "notes.md:3: PRIVATE KEY"]


def test_code_that_only_names_the_header_is_not_a_key(repo: Repo) -> None:
    repo.write("check.py", 'assert data.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")\n')
    assert private_keys(repo.path, ["check.py"]) == []


def test_configured_signing_key_is_refused(repo: Repo) -> None:
    repo.write("paper/main.tex", "x\n")
    repo.write("provenance.yaml", "paper: {name: p, main: paper/main.tex}\nsigning: {key: secret/signer.key}\n")
    repo.write("secret/signer.key", "raw key bytes\n")
    assert private_keys(repo.path, ["secret/signer.key", "paper/main.tex"]) == [
        "secret/signer.key: this is signing.key in provenance.yaml, a private key; "
        "unstage it (git rm --cached secret/signer.key) and keep it outside the repository"
    ]


def test_no_private_keys_hook_refuses_the_commit(repo: Repo) -> None:
    install_hooks(repo, ("pre-commit",))
    hooked = repo
    openssh, _ = _keys()
    head = hooked.git("rev-parse", "HEAD")
    proc = commit(hooked, "Oops", {"deploy_key": openssh})
    assert proc.returncode != 0
    assert "deploy_key:1: OPENSSH PRIVATE KEY block" in proc.stderr
    assert hooked.git("rev-parse", "HEAD") == head
