"""`paperprov tag` (not implemented yet)."""

from __future__ import annotations

import argparse

from ..errors import ProvenanceError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("tag", help="(not implemented yet)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise ProvenanceError("paperprov tag is not implemented yet")
