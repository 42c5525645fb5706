"""The server's child: it takes the client's place and runs the command (cli/serve.py
forks it for each request, cli/client.py is the other end).

The request (client.request) says what the client's process is: its cwd, environment,
umask, argv, sys.executable and sys.path[0], how Python set up its stdio streams, with
fds 0-2 themselves passed along. The child becomes that process, runs main.main(argv)
(never the client's path again), ends as Python ends a program (atexit, flushing) and
sends the exit code.
"""

from __future__ import annotations

import atexit
import fcntl
import io
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import NamedTuple, NoReturn, cast

from provenance import fsutil
from provenance.cli import client

GAVE_UP = 75  # EX_TEMPFAIL: the child of a client that stopped waiting ran nothing
WRITES_WAIT = 30.0  # at most, for another child on the same directory to write its caches


class Request(NamedTuple):
    """A `run` request (client.request): the client's process, field by field."""

    version: bytes
    package: bytes
    interpreter: bytes
    cwd: bytes
    umask: int
    no_bytecode: bool
    stdio: tuple[bytes, ...]
    executable: str
    path0: str
    argv: list[str]
    environ: dict[bytes, bytes]

    def directory(self) -> str:
        """The directory the command works on: `status`'s DIR, else the client's cwd."""
        cwd = os.fsdecode(self.cwd)
        named = [a for a in self.argv[2:] if not a.startswith("-")]
        return os.path.join(cwd, named[-1]) if named else cwd


def decode(fields: list[bytes]) -> Request:
    """A `run` request's fields after PROTOCOL and `run`, in client.request's order."""
    version, package, interpreter, cwd, mask, no_bytecode, *rest = fields
    stdio, (executable, path0, count), rest = tuple(rest[:3]), rest[3:6], rest[6:]
    n = int(count)
    if len(stdio) != 3 or len(rest) < n:
        raise ValueError("a request cut short")
    argv = [os.fsdecode(a) for a in rest[:n]]
    environ = {k: v for k, _, v in (e.partition(b"=") for e in rest[n:]) if k}
    return Request(version, package, interpreter, cwd, int(mask, 8), no_bytecode == b"1", stdio,
                   os.fsdecode(executable), os.fsdecode(path0), argv, environ)


def serve(conn: socket.socket, request: Request, fds: list[int], leave: Callable[[], None],
          writes: str) -> NoReturn:
    """Take the client's place, run the command, send its exit code, then write the
    caches it kept (holding the lock file `writes`, one per directory, meanwhile); never
    return into the server's loop (os._exit, whatever happens)."""
    code = 70  # EX_SOFTWARE: the plumbing below failed (its traceback is printed)
    try:
        leave()  # the server's socket, lock and signal handling
        log = fcntl.fcntl(2, fcntl.F_DUPFD_CLOEXEC, 3)  # the server's stderr, for after the answer
        try:
            _adopt(request, fds)
        except OSError as exc:  # its cwd is gone, say: the client runs it and shows why
            conn.sendall(f"no the server's child could not take the client's place: {exc}\n".encode())
            code = GAVE_UP
        else:
            conn.sendall(b"run %d\n" % os.getpid())
            code = GAVE_UP
            if client.read_line(conn) == b"go":
                _locked(writes, fcntl.LOCK_SH, close=True)  # the last child here has written its caches
                fsutil.answer_first()
                code = _finish(_run(request.argv[1:]))
                conn.sendall(b"exit %d\n" % code)
                _let_go(conn, log)
                _locked(writes, fcntl.LOCK_EX, close=False)  # held until this process ends
                fsutil.write_kept()
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def _locked(path: str, how: int, close: bool) -> None:
    """Lock `path` `how` (flock) once no other process holds it the other way, waiting
    WRITES_WAIT at most (then go on without: a cache missing or written twice costs only
    time); `close`: let go at once (only waiting for a writer), else hold it until this
    process ends."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return
    deadline = time.monotonic() + WRITES_WAIT
    while True:
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                close = True
                break
            time.sleep(0.002)
    if close:
        os.close(fd)


def _let_go(conn: socket.socket, log: int) -> None:
    """Leave the client's streams and connection before writing the caches, so that
    nothing waits on this process any more: not the client, not a pipe's reader (`status
    --json | jq` ends when the last writer closes). What is printed from now on goes to the
    server's stderr (its log when detached)."""
    conn.close()
    null = os.open(os.devnull, os.O_RDWR)
    for fd, source in ((0, null), (1, null), (2, log)):
        os.dup2(source, fd)
    os.close(null)
    os.close(log)  # sys.stdout and stderr write to fds 1 and 2: now those


def _adopt(request: Request, fds: list[int]) -> None:
    """Become the client's process: its cwd, environment, umask, argv and fds 0-2."""
    os.chdir(request.cwd)
    os.environb.clear()
    os.environb.update(request.environ)
    time.tzset()  # the local time zone was read from the server's TZ
    fsutil.use_umask(request.umask)  # fsutil keeps the mode it gives files from the umask
    sys.argv, sys.executable = request.argv, request.executable
    sys.path[0] = request.path0
    sys.dont_write_bytecode = request.no_bytecode
    # Above 2 first: a received fd may itself be 0, 1 or 2 when the server runs without one.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in fds]
    for fd in fds:
        os.close(fd)
    for target, fd in enumerate(high):
        os.dup2(fd, target)
        os.close(fd)
    _streams(request.stdio)


def _streams(specs: tuple[bytes, ...]) -> None:
    """sys.stdin, stdout and stderr made as Python made the client's (create_stdio):
    the same encoding, errors, buffering and names."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        encoding, errors, line, through, bare = specs[fd].decode("ascii").split(":")
        unbuffered = fd > 0 and bare == "1"
        # open() as Python's start-up calls it: its buffer size is the fd's st_blksize
        buffer = open(fd, "wb" if fd else "rb", 0 if unbuffered else -1, closefd=False)
        raw = buffer if unbuffered else cast(io.BufferedWriter, buffer).raw
        cast(io.FileIO, raw).name = f"<{name}>"
        stream = io.TextIOWrapper(buffer, encoding, errors, "\n", line == "1", through == "1")
        setattr(stream, "mode", "w" if fd else "r")  # noqa: B010  (read-only to type checkers)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run(argv: list[str]) -> int:
    """main(argv)'s exit status, as Python makes one of what a program's top level raises."""
    from provenance.cli.main import main

    try:
        return main(argv) & 0xFF
    except SystemExit as exc:  # argparse's errors and --help
        if exc.code is None or isinstance(exc.code, int):
            return (exc.code or 0) & 0xFF
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()  # a bug, shown as Python shows it
        return 1


def _finish(code: int) -> int:
    """What Python does at exit: the atexit functions (the preloaded modules' and the
    command's), then flushing stdout and stderr; a failed flush makes the status 120."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:
            try:
                sys.stderr.write(f"Exception ignored in: {stream!r}\n{type(exc).__name__}: {exc}\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            code = 120
    return code
