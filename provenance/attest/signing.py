"""Ed25519 keys and DSSE envelopes: the only module that imports `cryptography`.

Keys: private keys are OpenSSH private key files (what `ssh-keygen -t ed25519` writes,
optionally passphrase-protected; PKCS#8 PEM is accepted too). Public keys are one
OpenSSH line, `ssh-ed25519 AAAA... name`; a key's id is its OpenSSH fingerprint
(`SHA256:...`, as `ssh-keygen -lf` prints it).

DSSE (https://github.com/secure-systems-lab/dsse, protocol.md): a signature is over the
pre-authentication encoding PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body)
SP body, LEN being the decimal byte length; the envelope is
`{"payload": b64(body), "payloadType": type, "signatures": [{"keyid", "sig": b64}]}`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.errors import SigningError, VerifyError
from provenance.evidence.pubkeys import fingerprint
from provenance.fsutil import write_bytes_atomic

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PASSPHRASE_ENV = "PAPERPROV_KEY_PASSPHRASE"


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(t), t, len(payload), payload)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, what: str) -> bytes:
    """Strict base64 (standard or URL-safe alphabet, as DSSE allows either)."""
    if not isinstance(text, str):
        raise VerifyError(f"{what}: expected a base64 string, got {type(text).__name__}")
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text.encode("ascii"))
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise VerifyError(f"{what}: malformed base64") from None


# -- keys ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signer:
    keyid: str  # SHA256:... fingerprint
    public_line: str  # "ssh-ed25519 AAAA... comment"
    path: str  # where the private key came from (for messages)
    key: Any  # Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return bytes(self.key.sign(data))


def default_key_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "paperprov" / "keys"


def _public_line(key: Any, comment: str) -> str:
    from cryptography.hazmat.primitives import serialization as ser

    raw = key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH).decode("ascii")
    return f"{raw} {comment}".strip()


def generate(path: Path, comment: str, passphrase: bytes | None = None, repo_root: Path | None = None) -> Signer:
    """Write a new Ed25519 private key to `path` (mode 0600), never inside `repo_root`."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519

    target = path.expanduser().resolve()
    if repo_root is not None and target.is_relative_to(repo_root.resolve()):
        raise SigningError(f"{path}: a private key must not be written inside the repository; "
                           "set XDG_CONFIG_HOME (or signing.key) to a directory outside it")
    key = ed25519.Ed25519PrivateKey.generate()
    enc = ser.BestAvailableEncryption(passphrase) if passphrase else ser.NoEncryption()
    data = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, enc)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes_atomic(target, data, mode=0o600)
    except OSError as exc:
        raise SigningError(f"{target}: cannot write the private key ({exc.strerror})") from None
    line = _public_line(key, comment)
    return Signer(keyid=fingerprint(line), public_line=line, path=str(target), key=key)


def _passphrase(path: Path, interactive: bool) -> bytes:
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env.encode("utf-8")
    if interactive and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"passphrase for {path}: ").encode("utf-8")
    raise SigningError(f"{path}: the key is passphrase-protected; set {PASSPHRASE_ENV} "
                       "or run the command in a terminal to be asked")


def load_signer(path: Path, passphrase: bytes | None = None, comment: str = "",
                interactive: bool = False) -> Signer:
    """Load an Ed25519 private key (OpenSSH or PKCS#8 PEM), asking for a passphrase
    from the environment or, if `interactive`, the terminal when it is protected."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519

    path = path.expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{path}: private key not found; run `paperprov keygen` or fix signing.key / "
                           "PAPERPROV_SIGNING_KEY") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the private key ({exc.strerror})") from None
    loader = ser.load_ssh_private_key if b"OPENSSH PRIVATE KEY" in data else ser.load_pem_private_key
    try:
        try:
            key = loader(data, passphrase)
        except TypeError:  # cryptography's way of saying "encrypted, give a password"
            if passphrase is not None:
                raise
            passphrase = _passphrase(path, interactive)
            key = loader(data, passphrase)
    except (ValueError, TypeError) as exc:
        hint = "wrong passphrase?" if passphrase is not None else "expected an OpenSSH or PEM private key"
        raise SigningError(f"{path}: cannot load the private key ({exc}); {hint}") from None
    except Exception as exc:  # e.g. UnsupportedAlgorithm: bcrypt missing for encrypted keys
        raise SigningError(f"{path}: cannot load the private key ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key; create one with `ssh-keygen -t ed25519` or `paperprov keygen`")
    line = _public_line(key, comment or path.stem)
    return Signer(keyid=fingerprint(line), public_line=line, path=str(path), key=key)


def verify_signature(public_line: str, sig: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        pub = ser.load_ssh_public_key(" ".join(public_line.split()[:2]).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    if not isinstance(pub, ed25519.Ed25519PublicKey):
        return False
    try:
        pub.verify(sig, data)
    except InvalidSignature:
        return False
    return True


# -- envelopes -------------------------------------------------------------------------

@dataclass(frozen=True)
class Envelope:
    payload: bytes
    payload_type: str
    signatures: tuple[tuple[str, bytes], ...]  # (keyid, sig), sorted by keyid

    def to_dict(self) -> dict[str, Any]:
        return {"payload": b64(self.payload), "payloadType": self.payload_type,
                "signatures": [{"keyid": k, "sig": b64(s)} for k, s in self.signatures]}

    def to_line(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def signed_by(self, signer: Signer) -> Envelope:
        """This envelope with `signer`'s signature added; signing twice with one key
        replaces rather than duplicates (Ed25519 is deterministic: same bytes anyway)."""
        sig = signer.sign(pae(self.payload_type, self.payload))
        sigs = dict(self.signatures)
        sigs[signer.keyid] = sig
        return Envelope(self.payload, self.payload_type, tuple(sorted(sigs.items())))


def parse_envelope(line: str, where: str) -> Envelope:
    """One JSON envelope; VerifyError naming `where` for anything malformed."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise VerifyError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise VerifyError(f"{where}: expected a JSON object (a DSSE envelope)")
    for key in ("payload", "payloadType", "signatures"):
        if key not in obj:
            raise VerifyError(f"{where}: missing {key!r}; not a DSSE envelope")
    if not isinstance(obj["payloadType"], str):
        raise VerifyError(f"{where}: payloadType must be a string")
    if not isinstance(obj["signatures"], list):
        raise VerifyError(f"{where}: signatures must be a list")
    payload = unb64(obj["payload"], f"{where}: payload")
    sigs: list[tuple[str, bytes]] = []
    for i, s in enumerate(obj["signatures"]):
        if not isinstance(s, dict) or "sig" not in s:
            raise VerifyError(f"{where}: signatures[{i}] must be an object with a 'sig'")
        keyid = s.get("keyid", "")
        if not isinstance(keyid, str):
            raise VerifyError(f"{where}: signatures[{i}].keyid must be a string")
        sigs.append((keyid, unb64(s["sig"], f"{where}: signatures[{i}].sig")))
    return Envelope(payload, obj["payloadType"], tuple(sigs))
