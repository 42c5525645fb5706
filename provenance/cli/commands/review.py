"""`paperprov review LABEL... --by NAME`: record that an author reviewed those units at
HEAD (a git note under refs/notes/paperprov-review); without labels, list the reviews
and whether each is still current."""

from __future__ import annotations

import argparse
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.config import load
from provenance.scan.sources import scan_units


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "review", help=HELP["review"],
        description="Record that NAME reviewed the units with these labels (a statement includes its "
                    "proofs) as they read now. A later change to a unit's text makes the review stale.",
    )
    p.add_argument("labels", nargs="*", metavar="LABEL", help="unit labels or ids, as `paperprov status` lists them")
    p.add_argument("--by", metavar="NAME", help="the reviewer: an author's name (or email) in provenance.yaml")
    p.add_argument("--dir", default=".", help="the paper repository (default: the current directory)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.errors import UsageError
    from provenance.record import review

    cfg = load(Path(args.dir))
    units, _ = scan_units(cfg)
    if not args.labels:
        if args.by:
            raise UsageError("--by given without a LABEL; name the units that were reviewed")
        # All units, proofs included: a statement's review covers its proofs' text.
        proofs = {u.id for u in units if u.kind == "proof"}
        current = {k: v for k, v in review.for_units(cfg.root, units).items() if k not in proofs}
        if not current:
            print("no reviews recorded; after reading a unit, run `paperprov review LABEL --by NAME`")
        for uid, reviews in current.items():
            for r in reviews:
                state = "stale (changed since)" if r.stale else "current"
                print(f"{uid}\t{r.by}\t{(r.commit or '')[:12]}\t{state}")
        return 0
    if not args.by:
        raise UsageError("--by NAME is required: the author (as listed in provenance.yaml) who reviewed the units")
    texts = review.review_texts(cfg.root, units)
    entries = review.add_review(cfg.root, args.labels, args.by, texts,
                                authors=[(a.name, a.email) for a in cfg.authors])
    labels = ", ".join(e.label for e in entries)
    print(f"paperprov: recorded review of {labels} by {entries[0].by} at {entries[0].commit[:12]}")
    return 0
