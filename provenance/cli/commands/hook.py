"""`paperprov hook KIND ARGS`: the entry points pre-commit runs (.pre-commit-hooks.yaml).

    tag MSGFILE [SOURCE [SHA]]   prepare-commit-msg: add Assisted-by when an agent commits
    policy MSGFILE               commit-msg: tag an edited message, then enforce declare_paths
    lint [--all] FILES...        pre-commit: markers, theorem labels, unique labels, \\uses
                                 (problems the staged change introduces; --all: every one)
    no-private-keys FILES...     pre-commit: refuse private keys
    attach-tags                  post-commit: pending `paperprov tag` tags -> git note on HEAD

Exit 0 accepts, 1 refuses; findings go to stderr, one line each.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from provenance.cli.commands import HELP

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~5 ms of each hook)
if TYPE_CHECKING:
    import argparse

KINDS = ("tag", "policy", "lint", "no-private-keys", "attach-tags")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse  # here: cli/main.py reads a plain hook line without argparse

    p = sub.add_parser("hook", help=HELP["hook"])
    p.add_argument("kind", choices=KINDS, help="which hook")
    # REMAINDER: `lint --all FILES` must parse, and pre-commit puts a hook's args before the files.
    p.add_argument("args", nargs=argparse.REMAINDER,
                   help="what git/pre-commit passes: the message file, or the staged files (lint: --all first "
                        "to report every problem, not only those the staged change introduces)")
    p.set_defaults(run=run)


def _report(lines: list[str]) -> int:
    for line in lines:
        print(f"paperprov: {line}", file=sys.stderr)
    return 1 if lines else 0


def run(args: argparse.Namespace) -> int:
    return run_hook(args.kind, args.args)


def run_hook(kind: str, argv: Sequence[str]) -> int:
    """Hook `kind` (one of KINDS) with what git/pre-commit passed it."""
    # Each hook imports only what it uses: they run on every commit.
    from provenance.errors import ProvenanceError, UsageError
    from provenance.evidence.gitstate import find_root

    root = find_root()
    if kind == "lint":
        from provenance.hooks.lint import lint

        files = [a for a in argv if a != "--all"]
        return _report(lint(root, files, all_problems=len(files) < len(argv)))
    if kind == "no-private-keys":
        from provenance.hooks.nokeys import private_keys

        return _report(private_keys(root, argv))
    from provenance.hooks import commit as hooks

    if kind in ("tag", "policy"):
        if not argv:
            raise UsageError(f"paperprov hook {kind}: give the commit message file (git passes it)")
        msgfile = Path(argv[0])
        if not msgfile.is_file():
            raise ProvenanceError(f"{msgfile}: no such commit message file; git passes it to the hook")
        if kind == "tag":
            # git's SOURCE and SHA (or pre-commit's variables for them) say whether this
            # is an amend, whose AI trailers the new message must keep (hooks/carry.py).
            source = argv[1] if len(argv) > 1 else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE")
            sha = argv[2] if len(argv) > 2 else os.environ.get("PRE_COMMIT_COMMIT_OBJECT_NAME")
            for line in hooks.tag_message(root, msgfile, os.environ, source or None, sha or None):
                print(f"paperprov: added {line}", file=sys.stderr)
            return 0
        hooks.tag_message(root, msgfile, os.environ)
        return _report(hooks.check_policy(root, msgfile))
    attached, warnings = hooks.attach_tags(root)
    for w in warnings:
        print(f"paperprov: {w}", file=sys.stderr)
    if attached:
        print(f"paperprov: attached {len(attached)} tag(s) to HEAD as a note in refs/notes/paperprov", file=sys.stderr)
    return 0
