"""`paperprov sign --add [--key PATH] [ATTESTATION]`: add your signature to every envelope.

For co-authors: build the same commit (`doit build`; the unsigned statements are the
same bytes wherever they are built), then sign the attestation you were sent. The
subjects are checked against your own build first, so you sign only what you have.
Signing twice with one key leaves one signature.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

from provenance.attest import signing
from provenance.attest.sign import check_subjects, ensure_public_key, select_signer
from provenance.attest.signers import signer_name
from provenance.attest.statements import read_attestation
from provenance.cli.commands import HELP
from provenance.config import NAME_RE, load
from provenance.errors import SigningError, UsageError, VerifyError
from provenance.evidence.pubkeys import read_public_keys
from provenance.fsutil import write_text_atomic
from provenance.pipeline.tasks import ATTESTATION


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sign", help=HELP["sign"])
    p.add_argument("--add", action="store_true", required=True, help="add a signature (the only mode)")
    p.add_argument("--key", help="private key to sign with (default: as for doit build)")
    p.add_argument("--name", help="your key name, keys/NAME.pub (default: $PAPERPROV_SIGNING_NAME, "
                                  "signing.name, your git user name)")
    p.add_argument("--dir", default=".", help="your checkout of the paper, with its build (default: .)")
    p.add_argument("attestation", nargs="?", help=f"the attestation to sign (default: {ATTESTATION})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cfg = load(args.dir)
    path = Path(args.attestation) if args.attestation else cfg.root / ATTESTATION
    if path.is_file() and zipfile.is_zipfile(path):
        # Co-authors are often sent the submission itself; the envelopes are inside it.
        raise SigningError(f"{path}: a zip, not an attestation; sign the {ATTESTATION} inside it "
                           f"(unzip it, or sign your own build's), then rebuild the submission")
    try:
        envelopes = [env for env, _ in read_attestation(path)]
        stale = check_subjects(cfg, path)
    except VerifyError as err:
        raise SigningError(str(err)) from None
    if not envelopes:
        raise SigningError(f"{path}: holds no envelope; run `doit build` first")
    if stale:
        raise SigningError(f"refusing to sign: {', '.join(stale[:5])} differ from your build in {cfg.root}; "
                           "check out the attested commit and run `doit build` first")
    name = args.name or signer_name(cfg)
    if not NAME_RE.match(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' or '-'")
    if args.key:
        signer = signing.load_signer(Path(args.key), comment=name, interactive=True)
        ensure_public_key(cfg, signer, name)
    else:
        signer = select_signer(cfg, interactive=True, name=name)
    signed = [e.signed_by(signer) for e in envelopes]
    write_text_atomic(path, "".join(e.to_line() + "\n" for e in signed), mode=0o644)
    counts = sorted({len(e.signatures) for e in signed})
    # The key may already be committed under its owner's name (keys/bob.pub) while `name`
    # defaults to the git user: report the name a reviewer's `verify` will show.
    shown = next((k.name for k in read_public_keys(cfg.root) if k.fingerprint == signer.keyid), name)
    print(f"signed {len(signed)} envelope(s) in {path} with {signer.keyid} ({shown}); "
          f"signatures per envelope: {', '.join(map(str, counts))}")
    return 0
