"""`paperprov report [--out DIR] [--dir REPO]`: write the reviewer's web page, DIR/index.html
(default build/report/), from build/record.json and the sources in the working tree.

The same page the `report` task of `doit build` writes (and attests); open it in any
browser, from file:// too. `paperprov verify BUNDLE --html DIR` writes it from a
submission instead, with the verification results.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.config import load
from provenance.paths import RECORD, REPORT_HTML


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help=HELP["report"])
    p.add_argument("--out", metavar="DIR", type=Path,
                   help=f"directory to write index.html into (default: {Path(REPORT_HTML).parent})")
    p.add_argument("--dir", default=".", help="the paper repository (default: current directory)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.disclose.html import write_report

    cfg = load(args.dir)
    out = (args.out / "index.html") if args.out else cfg.root / REPORT_HTML
    write_report(cfg.root, cfg.root / RECORD, out, cfg.paper.name)
    shown = os.path.relpath(out) if not args.out else str(out)
    print(f"wrote {shown}")
    return 0
