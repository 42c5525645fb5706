"""`paperprov` command line: parse arguments and dispatch.

Each subcommand lives in provenance/cli/commands/<name>.py with `register(subparsers)`
and `run(args) -> int`; only the command being run is imported (`paperprov --help` and
`--version` import none). Expected failures (ProvenanceError) become one line on stderr
and their exit code here, and only here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from provenance import __version__
from provenance.cli.commands import HELP
from provenance.errors import ProvenanceError, one_line

COMMANDS = tuple(HELP)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with `only`'s arguments, or, when no command is named, every command
    by its one-line help alone: the commit hooks run `paperprov hook ...` on every commit
    and `--help` should answer at once, so neither imports other commands' modules."""
    parser = argparse.ArgumentParser(prog="paperprov", description="Provenance for papers written with AI help.")
    parser.add_argument("--version", action="version", version=f"paperprov {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    if only in HELP:  # a command is named: its parser alone (each parser costs a millisecond)
        importlib.import_module(f"provenance.cli.commands.{only}").register(sub)
        return parser
    for name in COMMANDS:
        sub.add_parser(name, help=HELP[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ProvenanceError as err:
        print(one_line(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("paperprov: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141


if __name__ == "__main__":
    sys.exit(main())
