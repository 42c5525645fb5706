"""`paperprov keygen [--name NAME] [--passphrase] [--force] [DIR]`: a new Ed25519 signing key.

The private key (OpenSSH format, mode 0600) goes to $XDG_CONFIG_HOME/paperprov/keys/NAME
(default ~/.config/paperprov/keys/NAME), never into the repository; the public line goes
to keys/NAME.pub in the repository, to be committed. A passphrase comes from
$PAPERPROV_KEY_PASSPHRASE, or from a prompt with --passphrase.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from provenance.attest import signing
from provenance.attest.signers import default_name
from provenance.cli.commands import HELP
from provenance.config import CONFIG_NAME, NAME_RE, load
from provenance.errors import SigningError, UsageError
from provenance.fsutil import write_text_atomic


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("keygen", help=HELP["keygen"])
    p.add_argument("--name", help="key name (default: $PAPERPROV_SIGNING_NAME, signing.name, your git user name)")
    p.add_argument("--passphrase", action="store_true", help=f"ask for a passphrase (or set {signing.PASSPHRASE_ENV})")
    p.add_argument("--force", action="store_true", help="overwrite an existing key of that name")
    p.add_argument("dir", nargs="?", default=".", help="the paper repository (default: current directory)")
    p.set_defaults(run=run)


def _ask_passphrase() -> bytes | None:
    env = os.environ.get(signing.PASSPHRASE_ENV)
    if env:
        return env.encode("utf-8")
    if not sys.stdin.isatty():
        raise UsageError(f"--passphrase needs a terminal; set {signing.PASSPHRASE_ENV} instead")
    first = getpass.getpass("passphrase for the new key: ")
    if first != getpass.getpass("the same passphrase again: "):
        raise SigningError("the passphrases differ; run paperprov keygen again")
    return first.encode("utf-8") or None


def exposed(directory: Path) -> str | None:
    """A warning when others may list or read the private keys directory: the key files
    are 0600, but their names say whose keys are there, and a later copy may not be."""
    mode = directory.stat().st_mode & 0o777
    if mode & 0o077:
        return (f"paperprov: warning: {directory} is open to other users (mode {mode:04o}); "
                f"run chmod 700 {directory}")
    return None


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir).resolve()
    configured = None
    if (root / CONFIG_NAME).is_file():
        configured = load(root).signing.name
    name = args.name or default_name(root, configured)
    if not NAME_RE.match(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' or '-' (it names keys/{name}.pub)")
    private = signing.default_key_dir() / name
    public = root / "keys" / f"{name}.pub"
    for path in (private, public):
        if path.exists() and not args.force:
            raise SigningError(f"{path} exists; pass --force to replace it, or choose another --name")
    if args.passphrase or os.environ.get(signing.PASSPHRASE_ENV):
        passphrase = _ask_passphrase()
    else:
        passphrase = None
    signer = signing.generate(private, name, passphrase, repo_root=root)
    write_text_atomic(public, signer.public_line + "\n", mode=0o644)
    print(f"wrote private key {private} (mode 0600{', passphrase-protected' if passphrase else ''})")
    warning = exposed(private.parent)
    if warning:
        print(warning, file=sys.stderr)
    print(f"wrote public key keys/{name}.pub ({signer.keyid}); commit it: "
          f"git add keys/{name}.pub && git commit -m 'Add signing key {name}'")
    return 0
