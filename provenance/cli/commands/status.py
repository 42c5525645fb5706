"""`paperprov status [--json] [DIR]`: who wrote what, computed fresh from the sources and git.

The table lists every unit with its origin, AI share, agents and reviewers; the figures
the appendix prints (record/summary.py counts them, once, for both), conflicts and
warnings follow. `--json` prints the record exactly as build/record.json holds it.
Nothing is written except paperprov's caches under .git/paperprov/ (blame, the walk, the
record whole and per file, its status table).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.errors import ProvenanceError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help=HELP["status"])
    p.add_argument("--json", action="store_true", help="print the record as JSON (as in build/record.json)")
    p.add_argument("dir", nargs="?", default=".", help="the paper repository (default: current directory)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.config import load
    from provenance.record import cache

    cfg = load(Path(args.dir))
    if args.json:
        sys.stdout.buffer.writelines(cache.record_json_made(cfg)[0])
        sys.stdout.flush()
        return 0
    from provenance.paths import CHECKS
    from provenance.record.checks import load_results

    durations = {n: r.duration for n, r in load_results(cfg.root / CHECKS).items()}
    text = cache.status_table(cfg, durations)
    try:
        from provenance.hooks.session import stale_warning

        stale = stale_warning(cfg.root)
    except (ImportError, AttributeError, ProvenanceError):
        stale = None  # outside git there is no session to warn about
    if stale:
        from provenance.record.table import clean

        text += f"\n{clean(stale, 400)}\n"
    sys.stdout.write(text)
    return 0
