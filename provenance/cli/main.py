"""`paperprov` command line: parse arguments and dispatch.

Each subcommand lives in provenance/cli/commands/<name>.py with `register(subparsers)`
and `run(args) -> int`; only the command being run is imported (`paperprov --help` and
`--version` import none). Expected failures (ProvenanceError) become one line on stderr
and their exit code here, and only here. A command in SERVED is handed to a running
`paperprov serve` when there is one (cli/client.py, cli/serve.py); when there is none and
the command took long enough for a server to matter, one is started for the next run
(as Bazel and Gradle start their daemons; PAPERPROV_SERVER says whether).
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence

from provenance import __version__
from provenance.cli.commands import HELP
from provenance.errors import ProvenanceError, UsageError, one_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING, as mypy reads it, without importing typing for --help (3 ms)
if TYPE_CHECKING:
    import argparse

COMMANDS = tuple(HELP)
# The commands `paperprov serve` runs for a client: ones a user waits on, whose modules
# the server preloads (serve.PRELOAD) so that running them imports nothing more.
SERVED = frozenset({"status"})
# PAPERPROV_SERVER: auto (the default) uses a running server and starts one after a command
# in SERVED that took longer than START_AFTER; manual uses one the user started; off, none.
SERVER_MODES = ("auto", "manual", "off")
# Seconds: a status slower than the 0.3 s one after an edit should take. A served one skips
# Python's start-up and paperprov's imports (0.1-0.2 s) and reads ahead what it unpickles.
START_AFTER = 0.3
AUTO_IDLE = 1800  # seconds: a server started for the user stops after this long unused


def server_socket(environ: Mapping[str, str]) -> str:
    """Where the user's one `paperprov serve` listens, for every repository: in the
    runtime directory systemd gives each user, else in a directory of /tmp named for the
    user (the server makes it 0700 and both sides refuse one others can enter)."""
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    base = os.path.join(runtime, "paperprov") if os.path.isabs(runtime) else f"/tmp/paperprov-{os.getuid()}"
    return os.path.join(base, "serve.sock")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with `only`'s arguments, or, when no command is named, every command
    by its one-line help alone: the commit hooks run `paperprov hook ...` on every commit
    and `--help` should answer at once, so neither imports other commands' modules."""
    import argparse

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


def _hook_line(argv: list[str]) -> Callable[[], int] | None:
    """`hook KIND ARGS...`, read without argparse, which gives KIND and the rest as they are
    (REMAINDER): pre-commit runs a hook on every commit, and building argparse's parser
    costs it ~8 ms (its help formatter imports shutil, gettext looks for translations).
    None for anything else, and for a line with `--`, which argparse may drop."""
    if len(argv) < 2 or argv[0] != "hook" or "--" in argv:
        return None
    from provenance.cli.commands.hook import KINDS, run_hook

    return functools.partial(run_hook, argv[1], argv[2:]) if argv[1] in KINDS else None


def server_mode(environ: Mapping[str, str]) -> str:
    """PAPERPROV_SERVER, checked (a value we do not know is an error, not a silent
    default); off where there is no server (it runs on Linux only)."""
    mode = environ.get("PAPERPROV_SERVER", "") or "auto"
    if mode not in SERVER_MODES:
        raise UsageError(f"PAPERPROV_SERVER={mode!r}: set it to auto, manual or off, or unset it")
    return mode if sys.platform.startswith("linux") else "off"


def _through_server(argv: list[str], mode: str) -> int | None:
    """The exit code of `argv` as a running `paperprov serve` ran it, or None when there is
    no server to use (the command then runs here). Without a server this costs one stat:
    the client module (and its socket) is imported only when the socket is there."""
    if mode == "off":
        return None
    path = server_socket(os.environ)
    if not os.path.exists(path):
        return None
    from provenance.cli.client import served

    return served(path, argv)


def _start_server() -> None:
    """Start `paperprov serve --detach` for the next commands, and do not wait for it: it
    runs in a session of its own with no fd of ours (a `status | jq` reader sees EOF when
    this process ends). Nothing when a server holds the socket's lock (one runs, or is
    starting, perhaps refusing this process as another interpreter: it logs why), nor
    where a server could not listen (the socket's directory not the user's alone)."""
    import fcntl
    import subprocess

    from provenance.cli.client import server_lock, socket_dir

    path = server_socket(os.environ)
    try:
        socket_dir(path)  # made, or refused as the server would refuse it: no server to start then
        lock = os.open(server_lock(path), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except (UsageError, OSError):
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    finally:
        os.close(lock)
    # From the directory paperprov is imported from: `-m` puts it first on sys.path, so the
    # server imports this very paperprov, and the rest of sys.path is this process's.
    home = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    command = [sys.executable, "-m", "provenance", "serve", "--detach", "--idle", str(AUTO_IDLE)]
    try:
        subprocess.Popen(command, cwd=home, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return  # a server only saves time
    if sys.stderr.isatty():
        print(f"paperprov: started a server to answer the next `status` sooner (stops after {AUTO_IDLE // 60} "
              "minutes unused; `paperprov serve --stop`; PAPERPROV_SERVER=manual starts none)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv`; None: this process's own arguments (it is the program)."""
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    began = time.monotonic()
    quick = start = False  # start: a server, if this command turns out slow (PAPERPROV_SERVER=auto)
    try:
        if program and argv and argv[0] in SERVED:
            mode = server_mode(os.environ)
            code = _through_server(argv, mode)
            if code is not None:
                return code
            start = mode == "auto"
        command = _hook_line(argv)
        quick = program and command is not None
        if quick:
            # A commit hook's process is short and leaves next to no garbage cycles (measured:
            # none while linting, tens of objects in the others): no collections while it
            # imports, and at exit none of the objects its imports made walked again while
            # Python shuts down (below). Together 3-6 ms of each hook.
            gc.disable()
        if command is None:
            args = build_parser(argv[0] if argv else None).parse_args(argv)
            command = functools.partial(args.run, args)
        return int(command())
    except ProvenanceError as err:
        print(one_line(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("paperprov: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141
    finally:
        if quick:
            gc.freeze()  # nothing a hook leaves needs a collection to end it: its files are closed
        if start and time.monotonic() - began > START_AFTER:
            _start_server()


if __name__ == "__main__":
    sys.exit(main())
