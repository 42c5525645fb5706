"""`paperprov verify PATH [--trusted-keys FILE|DIR] [--threshold N] [--rebuild] [--json] [--html DIR]`.

One line per check; exit 0 only when every check passes (1 otherwise). PATH is a
submission zip, a build directory (the repository root or build/) or an attestation.
With --html DIR, also DIR/index.html: the reviewer's web page with these results on top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from provenance.verify.checks import verify_path
from provenance.verify.report import format_json, format_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("verify", help="check a submission offline: signatures, digests, source, rebuild")
    p.add_argument("path", help="a submission zip, a build directory or an attestation file")
    p.add_argument("--trusted-keys", metavar="FILE|DIR", type=Path,
                   help="public keys you trust (a file of ssh-ed25519 lines or a directory of *.pub); "
                        "default: the bundle's own keys/*.pub, which proves integrity only")
    p.add_argument("--threshold", type=int, default=1, help="distinct trusted signatures needed (default 1)")
    p.add_argument("--rebuild", action="store_true", help="also rebuild from the source archive and compare")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="DIR", type=Path,
                   help="also write DIR/index.html: the reviewer's web page with these results")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    report = verify_path(Path(args.path), args.trusted_keys, args.threshold, args.rebuild)
    print(format_json(report) if args.json else format_text(report))
    if args.html:
        from provenance.verify.page import write_html

        out = write_html(Path(args.path), report, args.html)
        print(f"wrote {out}", file=sys.stderr)  # stdout stays the report (JSON with --json)
    return 0 if report.ok else 1
