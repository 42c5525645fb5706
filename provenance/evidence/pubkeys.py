"""OpenSSH public key lines (keys/NAME.pub) and their fingerprints, without cryptography.

The disclosure names signers by fingerprint, and every builder must get the same bytes,
so this reads only the committed public keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import SigningError


@dataclass(frozen=True)
class PublicKey:
    name: str  # from the file name keys/<name>.pub
    path: str  # repo-relative
    line: str  # "ssh-ed25519 AAAA... comment"
    fingerprint: str  # "SHA256:..." as ssh-keygen -lf prints it


def fingerprint(line: str, where: str = "public key") -> str:
    parts = line.split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        raise SigningError(f"{where}: not an OpenSSH ed25519 public key line (ssh-ed25519 AAAA...)")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise SigningError(f"{where}: the key's base64 is malformed; regenerate it with `paperprov keygen`") from None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def read_public_keys(root: Path, directory: str = "keys") -> list[PublicKey]:
    keys = []
    for path in sorted((root / directory).glob("*.pub")):
        rel = path.relative_to(root).as_posix()
        line = path.read_text(encoding="utf-8", errors="replace").strip()
        keys.append(PublicKey(name=path.stem, path=rel, line=line, fingerprint=fingerprint(line, rel)))
    return keys


def committed_public_keys(root: Path, directory: str = "keys") -> list[PublicKey]:
    """The keys/*.pub files as committed at HEAD. What goes into the PDF must not depend
    on a key a builder generated a minute ago and has not committed yet."""
    from provenance.evidence.gitrun import git

    listing = git(root, "ls-tree", "-z", "--name-only", "HEAD", "--", f"{directory}/", check=False)
    if listing.returncode != 0:
        return []  # not a repository, or no commit yet
    keys = []
    for rel in sorted(p for p in listing.stdout.decode().split("\0") if p.endswith(".pub")):
        line = git(root, "show", f"HEAD:{rel}").stdout.decode("utf-8", errors="replace").strip()
        keys.append(PublicKey(name=Path(rel).stem, path=rel, line=line, fingerprint=fingerprint(line, rel)))
    return keys
