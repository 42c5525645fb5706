"""`paperprov serve [--idle SECONDS] [--detach | --stop]`: keep paperprov loaded so that
`paperprov status` starts at once (Linux). The server and what it answers are in
cli/serve.py, the client's half in cli/client.py; PAPERPROV_SERVER (cli/main.py) says
whether a status uses a running server and starts one when it was slow."""

from __future__ import annotations

import argparse
import os

from provenance.cli.commands import HELP


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help=HELP["serve"], description=HELP["serve"])
    p.add_argument("--idle", type=float, default=3600.0, metavar="SECONDS",
                   help="stop after this long without a request (default: 3600)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--detach", action="store_true",
                     help="run in the background (its log: serve.log beside the socket); return once it accepts")
    how.add_argument("--stop", action="store_true", help="stop the running server")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.cli import serve
    from provenance.cli.main import server_socket
    from provenance.errors import UsageError

    path = server_socket(os.environ)
    if args.stop:
        print(serve.stop(path))
        return 0
    if not args.idle > 0:
        raise UsageError(f"--idle {args.idle:g}: give a positive number of seconds, e.g. --idle 600")
    return serve.start(path, args.idle, args.detach)
