"""`paperprov session start --agent NAME [--model M] | stop | show`: declare that the
commits from now on contain work from an AI that leaves no trace of its own (a chat
window). Every commit is tagged until `stop`."""

from __future__ import annotations

import argparse
import sys

from provenance.cli.commands import HELP


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("session", help=HELP["session"])
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    start = actions.add_parser("start", help="open a session")
    start.add_argument("--agent", required=True, help="the AI tool, e.g. chatgpt, claude, gemini")
    start.add_argument("--model", default=None, help="the model, e.g. gpt-5 (default: unknown)")
    actions.add_parser("stop", help="close the open session")
    actions.add_parser("show", help="print the open session, if any")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.evidence.gitstate import find_root
    from provenance.hooks import session as sess

    root = find_root()
    if args.action == "start":
        started = sess.start(root, args.agent, args.model)
        print(f"session with {started.as_agent} started {started.started_iso}; commits are tagged until `paperprov session stop`")
        return 0
    if args.action == "stop":
        stopped = sess.stop(root)
        print(f"session with {stopped.as_agent} (since {stopped.started_iso}) stopped" if stopped else "no session was open")
        return 0
    s = sess.open_session(root)
    if s is None:
        print("no session open")
        return 0
    print(f"agent: {s.agent}\nmodel: {s.model}\nstarted: {s.started_iso}")
    warning = sess.stale_warning(root)
    if warning:
        print(f"paperprov: warning: {warning}", file=sys.stderr)
    return 0
