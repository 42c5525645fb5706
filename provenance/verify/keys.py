"""Which public keys a reviewer trusts: --trusted-keys (a file of ssh-ed25519 lines or a
directory of *.pub), else the bundle's own keys/*.pub (integrity only).

The trusted-keys directory is the reviewer's own, but it is read as carefully as the
bundle: every `*.pub` must be a regular file of public key lines, and a private key
anywhere in it is refused (it was copied there by mistake, and is now exposed).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from provenance.errors import VerifyError
from provenance.evidence.pubkeys import PublicKey, fingerprint
from provenance.verify.bundle import Bundle

MAX_KEY_FILE = 1 << 16
_PRIVATE = (b"PRIVATE KEY", b"openssh-key-v1\0", b"PuTTY-User-Key-File-")


def _read_regular(path: Path) -> bytes | None:
    """The first MAX_KEY_FILE bytes of a regular file (symlinks followed); None for
    anything else. A FIFO or a device is never opened for a blocking read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise VerifyError(f"{path}: cannot open the trusted key ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, MAX_KEY_FILE + 1)
    finally:
        os.close(fd)


def _lines(path: Path, data: bytes) -> list[PublicKey]:
    if any(marker in data for marker in _PRIVATE):
        raise VerifyError(f"{path}: holds a private key; remove it from the trusted keys (and treat it as exposed)")
    if len(data) > MAX_KEY_FILE:
        raise VerifyError(f"{path}: larger than {MAX_KEY_FILE} bytes; a trusted-keys file holds public key lines only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise VerifyError(f"{path}: not UTF-8 text; a trusted-keys file holds public key lines only") from None
    keys = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            parts = line.split()
            name = path.stem if path.suffix == ".pub" else parts[2] if len(parts) > 2 else f"{path.stem}:{n}"
            keys.append(PublicKey(name, f"{path}:{n}", line.strip(), fingerprint(line, f"{path}:{n}")))
    return keys


def _directory(directory: Path) -> list[PublicKey]:
    keys = []
    for path in sorted(directory.iterdir()):
        data = _read_regular(path)
        if data is None:
            if path.name.endswith(".pub"):
                raise VerifyError(f"{path}: not a regular file; the trusted-keys directory holds NAME.pub files")
            continue
        if path.name.endswith(".pub"):
            keys.extend(_lines(path, data))
        elif any(marker in data for marker in _PRIVATE):
            raise VerifyError(f"{path}: a private key in the trusted-keys directory; move it out "
                              "(and treat it as exposed)")
    return keys


def trusted_keys(option: Path | None, bundle: Bundle) -> list[PublicKey]:
    if option is not None:
        if option.is_dir():
            return _directory(option)
        data = _read_regular(option)
        if data is None:
            raise VerifyError(f"{option}: not a regular file; give a file of ssh-ed25519 lines or a directory of *.pub")
        return _lines(option, data)
    if bundle.root is not None:
        directory = bundle.root / "keys"
        return _directory(directory) if directory.is_dir() else []
    keys = []
    for name in sorted(n for n in bundle.names() if n.startswith("keys/") and n.endswith(".pub")):
        line = (bundle.read(name, 1 << 16) or b"").decode("utf-8", "replace").strip()
        keys.append(PublicKey(Path(name).stem, name, line, fingerprint(line, name)))
    return keys
