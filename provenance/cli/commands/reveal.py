"""`paperprov reveal show|sign [REVEAL]`: the reveal file of an anonymous submission.

`show` prints who the pseudonyms are, the commit, the files left out and who has signed.
`sign` adds your long-term key's signature to the identity binding (co-authors, after
`doit submission` made it): the binding's commit must be in your clone, so you sign only a
commit you have. The file keeps mode 0600; signing twice with one key leaves one signature.
Default REVEAL: dist/<paper name>-reveal.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from provenance.attest import signing
from provenance.attest.reveal import REVEAL_TYPE, Reveal, read_reveal, reveal_text
from provenance.cli.commands.sign import chosen_signer
from provenance.config import load
from provenance.errors import SigningError, VerifyError
from provenance.evidence.gitrun import git
from provenance.fsutil import write_text_atomic
from provenance.paths import reveal_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("reveal", help="an anonymous submission's reveal file: show it, or sign it (co-authors)")
    p.add_argument("action", choices=("show", "sign"), help="show: who is who; sign: add your signature")
    p.add_argument("reveal", nargs="?", help="the reveal file (default: dist/<paper name>-reveal.json)")
    p.add_argument("--key", help="sign: private key to sign with (default: as for doit build)")
    p.add_argument("--name", help="sign: your key name, keys/NAME.pub (default: as for paperprov sign)")
    p.add_argument("--dir", default=".", help="your checkout of the paper (default: .)")
    p.set_defaults(run=run)


def _show(r: Reveal, path: Path) -> None:
    print(f"{path}: anonymous submission of {r.get('paper')}, commit {r.get('commit')}")
    for p in r.doc.get("people", []):
        if isinstance(p, dict):
            emails = " ".join(f"<{e}>" for e in p.get("emails", []))
            keys = f" (keys: {', '.join(map(str, p.get('keys', [])))})" if p.get("keys") else ""
            print(f"  {p.get('pseudonym')}: {', '.join(map(str, p.get('names', [])))} {emails}{keys}".rstrip())
    for o in r.doc.get("omitted", []):
        if isinstance(o, dict):
            print(f"  left out of source.tar: {o.get('path')}")
    print(f"  signed by: {', '.join(k for k, _ in r.envelope.signatures) or 'nobody yet'}")


def run(args: argparse.Namespace) -> int:
    cfg = load(args.dir)
    path = Path(args.reveal) if args.reveal else cfg.root / reveal_file(cfg.paper.name)
    try:
        r = read_reveal(path)
    except VerifyError as err:
        raise SigningError(str(err)) from None
    if args.action == "show":
        _show(r, path)
        return 0
    commit = r.get("commit") or ""
    if git(cfg.root, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode != 0:
        raise SigningError(f"refusing to sign: commit {commit} is not in {cfg.root}; fetch it (git fetch) and look "
                           "at what you are vouching for first")
    _, signer = chosen_signer(cfg, args.key, args.name)
    env = signing.Envelope(r.envelope.payload, REVEAL_TYPE, r.envelope.signatures).signed_by(signer)
    write_text_atomic(path, reveal_text(env), mode=0o600)
    print(f"signed the identity binding in {path} (commit {commit[:12]}) with {signer.keyid}; "
          f"{len(env.signatures)} signature(s)")
    return 0
