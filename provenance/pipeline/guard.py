"""What must hold before doit touches a paper's tree: one build at a time, and a
dependency database doit can open.

doit imports dodo.py (which imports provenance.tasks) and then opens its database,
before any task creator runs; so `enter` runs when provenance.tasks is imported by a
`doit` process, and only then.

- The lock: build/.lock, held (fcntl.flock) by a doit command that can run or change
  tasks until the process exits, the holder's pid written in it. A second build in the
  same tree WAITS for the first, saying so once ("another build is running in this tree
  (pid N); waiting for it to finish"), then finds most tasks up to date. Waiting (as
  cargo does) rather than failing: an editor's save hook and a terminal may both start
  a build. `doit list`, `info`, `help`, `dumpdb` and `tabcompletion` do not wait.
- The database (.doit.db, or --db-file): a file that is not an SQLite database, or fails
  SQLite's quick_check, is moved aside to NAME.corrupt with one line saying so, and doit
  starts a fresh one (every task runs once). Files of doit's json or dbm backends are
  left alone.
A lock file that cannot be created (build/ read-only, a full disk) is one line naming
the path and the error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from provenance.errors import BuildError, ProvenanceError, one_line

LOCK = "build/.lock"
READ_ONLY_COMMANDS = ("list", "info", "help", "dumpdb", "tabcompletion")
_LOADER_OPTIONS = ("-f", "--file", "-d", "--dir")  # options of doit's loader that take a value
_SQLITE = b"SQLite format 3\0"
_held: list[IO[str]] = []  # the lock stays open (and held) until the process exits


def under_doit(argv0: str) -> bool:
    p = Path(argv0)
    return p.name == "doit" or p.parts[-2:] == ("doit", "__main__.py")


def doit_command(args: list[str]) -> str:
    """The doit command `args` run (doit's own rule: loader options first, then a command
    name, else `run`)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _LOADER_OPTIONS else 1
    return args[i] if i < len(args) and args[i] in READ_ONLY_COMMANDS + ("run", "clean", "forget", "ignore",
                                                                         "reset-dep", "strace", "auto") else "run"


def acquire(root: Path, announce: IO[str] = sys.stderr) -> None:
    import fcntl

    path = root / LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until exit)
    except OSError as exc:
        raise BuildError(f"{LOCK}: cannot create it ({exc.strerror}); make build/ writable "
                         "(or free space on its disk) and run doit again") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        pid = fh.read(20).strip() or "?"
        print(f"paperprov: another build is running in this tree (pid {pid}); waiting for it to finish",
              file=announce, flush=True)
        fcntl.flock(fh, fcntl.LOCK_EX)
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
    except OSError:
        pass  # a full disk: the lock holds all the same; only the pid goes unsaid
    _held.append(fh)


def _corrupt(db: Path) -> str | None:
    """Why `db` is not a usable SQLite database, or None (also for other backends' files)."""
    import sqlite3

    with open(db, "rb") as fh:
        head = fh.read(16)
    if not head or head.startswith((b"{", b"\xce\x9a\x57\x13", b"\x13\x57\x9a\xce", b"\xcf\x9a\x57\x13")):
        return None  # empty (SQLite makes a new one), doit's json backend, or gdbm
    if head != _SQLITE:
        return "not an SQLite database"
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None if row and row[0] == "ok" else f"quick_check: {row[0] if row else 'no answer'}"


def repair_db(root: Path, name: str, announce: IO[str] = sys.stderr) -> None:
    db = root / name
    if not db.is_file():
        return
    problem = _corrupt(db)
    if problem is None:
        return
    aside = db.with_name(db.name + ".corrupt")
    try:
        os.replace(db, aside)
    except OSError as exc:
        raise BuildError(f"{name}: doit's database is corrupt ({problem}) and cannot be moved aside "
                         f"({exc.strerror}); delete {name} and run doit again") from None
    print(f"paperprov: {name} was corrupt ({problem}); moved it to {aside.name}, so every task runs once",
          file=announce, flush=True)


def _db_file(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg.startswith("--db-file="):
            return arg.split("=", 1)[1]
        if arg == "--db-file" and i + 1 < len(args):
            return args[i + 1]
    return ".doit.db"


def enter(argv: list[str] | None = None, root: Path | None = None) -> None:
    """Take the build lock and check doit's database, when a `doit` process imports the
    tasks; any problem is one line and exit status 1."""
    argv = sys.argv if argv is None else argv
    if not argv or not under_doit(argv[0]):
        return
    root = Path.cwd() if root is None else root
    try:
        if doit_command(argv[1:]) not in READ_ONLY_COMMANDS:
            acquire(root)  # first: never move a database aside under a running build
        repair_db(root, _db_file(argv[1:]))
    except ProvenanceError as err:
        sys.exit(one_line(err))
    except KeyboardInterrupt:
        sys.exit("paperprov: interrupted")
