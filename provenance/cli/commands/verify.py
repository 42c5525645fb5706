"""`paperprov verify PATH [--trusted-keys FILE|DIR] [--threshold N] [--strict] [--rebuild
[--rebuild-timeout MIN] [--rebuild-memory GIB] [--no-sandbox]] [--json] [--html DIR]`.

One line per check; exit 0 only when every check passes (1 otherwise). PATH is a
submission zip, a build directory (the repository root or build/) or an attestation.
With --html DIR, also DIR/index.html: the reviewer's web page with these results on top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.errors import UsageError
from provenance.verify.checks import verify_path
from provenance.verify.report import format_json, format_text
from provenance.verify.sandbox import Limits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("verify", help=HELP["verify"])
    p.add_argument("path", help="a submission zip, a build directory or an attestation file")
    p.add_argument("--trusted-keys", metavar="FILE|DIR", type=Path,
                   help="public keys you trust (a file of ssh-ed25519 lines or a directory of *.pub); "
                        "default: the bundle's own keys/*.pub, which proves integrity only")
    p.add_argument("--threshold", type=int, default=1, help="distinct trusted signatures needed (default 1)")
    p.add_argument("--strict", action="store_true", help="fail on bundle entries that no statement attests")
    p.add_argument("--rebuild", action="store_true",
                   help="also rebuild from the source archive and compare (runs the authors' code, sandboxed; "
                        "only when every other check passed against --trusted-keys)")
    p.add_argument("--rebuild-timeout", type=float, default=30.0, metavar="MINUTES",
                   help="stop the rebuild after this many minutes (default 30)")
    p.add_argument("--rebuild-memory", type=float, default=8.0, metavar="GIB",
                   help="address space each rebuild process may use (default 8 GiB)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="rebuild without bubblewrap (the authors' code can then read and write what you can)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="DIR", type=Path,
                   help="also write DIR/index.html: the reviewer's web page with these results")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.rebuild_timeout <= 24 * 60 or not 0.25 <= args.rebuild_memory <= 1024:
        raise UsageError("--rebuild-timeout takes 0 to 1440 minutes, --rebuild-memory 0.25 to 1024 GiB")
    if (args.no_sandbox or args.rebuild_timeout != 30.0 or args.rebuild_memory != 8.0) and not args.rebuild:
        raise UsageError("--no-sandbox, --rebuild-timeout and --rebuild-memory go with --rebuild")
    limits = Limits(sandbox=not args.no_sandbox, timeout_minutes=args.rebuild_timeout,
                    memory_gib=args.rebuild_memory) if args.rebuild else False
    report = verify_path(Path(args.path), args.trusted_keys, args.threshold, limits, args.strict)
    print(format_json(report) if args.json else format_text(report))
    if args.html:
        from provenance.verify.page import write_html

        out = write_html(Path(args.path), report, args.html)
        print(f"wrote {out}", file=sys.stderr)  # stdout stays the report (JSON with --json)
    return 0 if report.ok else 1
