"""Which public keys a reviewer trusts: --trusted-keys (a file of ssh-ed25519 lines or a
directory of *.pub), else the bundle's own keys/*.pub (integrity only)."""

from __future__ import annotations

from pathlib import Path

from provenance.errors import VerifyError
from provenance.evidence.pubkeys import PublicKey, fingerprint, read_public_keys
from provenance.verify.bundle import Bundle


def trusted_keys(option: Path | None, bundle: Bundle) -> list[PublicKey]:
    if option is not None:
        if option.is_dir():
            return read_public_keys(option, ".")
        try:
            text = option.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VerifyError(f"{option}: cannot read the trusted keys ({exc})") from None
        keys = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                parts = line.split()
                name = parts[2] if len(parts) > 2 else f"{option.stem}:{n}"
                keys.append(PublicKey(name, f"{option}:{n}", line.strip(), fingerprint(line, f"{option}:{n}")))
        return keys
    if bundle.root is not None:
        return read_public_keys(bundle.root)
    keys = []
    for name in sorted(n for n in bundle.names() if n.startswith("keys/") and n.endswith(".pub")):
        line = (bundle.read(name, 1 << 16) or b"").decode("utf-8", "replace").strip()
        keys.append(PublicKey(Path(name).stem, name, line, fingerprint(line, name)))
    return keys
