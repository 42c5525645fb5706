"""The client half of `paperprov serve`, the request both halves speak, and the rule
for the socket's directory both keep (`socket_dir`: the server before it listens, a
status before it starts one).

main() calls `served` for a command in main.SERVED once a stat has shown that the socket
is there. The request carries what the command would see had this process run it: its
argv, cwd, environment, umask and how its stdio streams are set up, with fds 0, 1 and 2
themselves attached (SCM_RIGHTS), so the server's child writes where this process would.
The server answers `run PID` (its child took the request: this process sends `go` and
waits for `exit CODE`) or `no REASON` (nothing ran: the caller runs the command itself).
The `go` makes giving up safe: a child that does not receive it ends without running.

Wire format: a 4-byte big-endian length, then the request's fields joined by NUL bytes
(argv, paths and the environment are C strings, so none holds a NUL): PROTOCOL, `run`
or `stop`, and for `run` the fields `request` lists. Answers are lines.

This runs in every served command's process before anything else of paperprov is
imported, so it uses the C halves of socket and signal: their Python modules import enum
(7-9 ms measured, an eighth of what a served status takes; socket.send_fds is the same
sendmsg call).
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # no stub; see the module docstring for why not `signal`
import _socket
import io
import os
import stat
import sys

from provenance import __version__
from provenance.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see main.py)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

PROTOCOL = b"paperprov-serve/1"
# How long the server may take to fork a child and answer. It needs a few milliseconds;
# a server stopped with Ctrl-Z still accepts connections (the kernel queues them), and
# a command must not wait on it for ever.
ANSWER_TIMEOUT = 1.0
SUN_PATH_MAX = 107  # sockaddr_un.sun_path is 108 bytes on Linux, the last one a NUL
FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)
# The child sets these up from the request's own fields (stdio, dont_write_bytecode);
# every other PYTHON* variable changes what a process is from its start.
OWN_VARIABLES = (b"PYTHONDONTWRITEBYTECODE", b"PYTHONUNBUFFERED", b"PYTHONIOENCODING")
ENDED = ("paperprov: the server's process ended before it answered; run the command again "
         "(or set PAPERPROV_SERVER=off)")


def package_dir() -> str:
    """The provenance package this process runs: a server of another checkout must not answer."""
    import provenance

    return os.path.abspath(os.path.dirname(provenance.__file__))


def interpreter(environ: Mapping[bytes, bytes]) -> bytes:
    """What a Python process fixes when it starts and a forked child cannot change: the
    interpreter and its flags, where imports come from, the default encodings, the
    identity files are made with, and PYTHON* variables. A client where any of these
    differs from the server runs the command itself (sys.path[0] is left out: it is the
    script's directory or the cwd, and the child takes the client's)."""
    flags = [getattr(sys.flags, name) for name in sys.flags.__match_args__ if name != "dont_write_bytecode"]
    variables = sorted((k, v) for k, v in environ.items() if k.startswith(b"PYTHON") and k not in OWN_VARIABLES)
    default = io.TextIOWrapper(io.BytesIO()).encoding  # what open() without an encoding uses
    facts = (sys.version, sys.prefix, flags, sys.warnoptions, sys._xoptions, sys.path[1:], default,
             sys.getfilesystemencoding(), os.geteuid(), os.getegid(), sorted(os.getgroups()), variables)
    return repr(facts).encode("ascii", "backslashreplace")


def stdio_spec(stream: TextIO) -> bytes:
    """How Python set up one of this process's stdio streams (from the locale, -u, a
    terminal or not), for the child to set its own up the same way."""
    raw = isinstance(stream.buffer, io.FileIO)  # -u or PYTHONUNBUFFERED: stdout and stderr unbuffered
    through = getattr(stream, "write_through", False)
    parts = (stream.encoding, stream.errors, int(stream.line_buffering), int(through), int(raw))
    return ":".join(map(str, parts)).encode("ascii")


def request(argv: Sequence[str]) -> bytes:
    """The `run` request for the command line `argv` (sys.argv[1:]) of this process."""
    mask = os.umask(0o077)
    os.umask(mask)
    streams = [stdio_spec(s) for s in (sys.stdin, sys.stdout, sys.stderr)]
    fields = [PROTOCOL, b"run", __version__.encode(), os.fsencode(package_dir()), interpreter(os.environb),
              os.fsencode(os.getcwd()), b"%o" % mask, b"%d" % sys.dont_write_bytecode, *streams,
              os.fsencode(sys.executable), os.fsencode(sys.path[0]), b"%d" % (len(argv) + 1),
              *map(os.fsencode, [sys.argv[0], *argv]), *(k + b"=" + v for k, v in os.environb.items())]
    return b"\0".join(fields)


def framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big")


def peer_ids(sock: _socket.socket) -> tuple[int, int, int]:
    """The pid, effective uid and gid of the process at the other end (SO_PEERCRED)."""
    raw = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    pid, uid, gid = (int.from_bytes(raw[i:i + 4], sys.byteorder) for i in (0, 4, 8))
    return pid, uid, gid


def read_line(sock: _socket.socket, limit: int = 4096) -> bytes:
    """One answer line without its newline; b"" when the other end closed first. Each
    side sends its next line only after reading the other's, so none is read past."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(limit - len(data))
        if not chunk or len(data) + len(chunk) >= limit:
            return b""
        data += chunk
    return data[:-1]


def server_lock(path: str) -> str:
    """The file a server on the socket `path` holds a lock on while it runs (serve._lock): a
    socket file cannot tell, a killed server leaves it behind."""
    return os.path.join(os.path.dirname(path), "serve.lock")


def socket_dir(path: str) -> None:
    """Make the socket's directory (0700) if it is missing, and refuse one that is not
    the user's alone: whoever can write into it can put a server of theirs there."""
    size = len(os.fsencode(path))
    if size > SUN_PATH_MAX:
        raise UsageError(f"the socket path {path} is {size} bytes, longer than the {SUN_PATH_MAX} a Unix "
                         "socket allows; set XDG_RUNTIME_DIR to a shorter directory")
    folder = os.path.dirname(path)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror}; set XDG_RUNTIME_DIR to a directory of "
                         "yours") from None
    st = os.lstat(folder)  # not stat: a symlink in /tmp may point anywhere
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{folder} is not a directory; remove it and start the server again")
    if st.st_uid != os.geteuid():
        raise UsageError(f"{folder} belongs to uid {st.st_uid}, not to you; set XDG_RUNTIME_DIR to a "
                         "directory of yours")
    if st.st_mode & 0o077:
        raise UsageError(f"{folder} is open to group or others (mode {stat.S_IMODE(st.st_mode):o}); "
                         f"run `chmod 700 {folder}` and start the server again")


def connect(path: str) -> _socket.socket | None:
    """A connection to the server on `path`, or None: no server accepts there (a stale
    socket), or its directory or process belongs to someone else."""
    try:
        st = os.stat(os.path.dirname(path))
        if st.st_uid != os.geteuid() or st.st_mode & 0o077:
            return None  # a directory others can write into may hold anyone's socket
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
    except OSError:
        return None
    try:
        sock.settimeout(ANSWER_TIMEOUT)
        sock.connect(path)
        if peer_ids(sock)[1] == os.geteuid():
            return sock
    except OSError:
        pass
    sock.close()
    return None


class Forward:
    """SIGINT, SIGTERM and SIGHUP this process receives while the child runs go to the
    child, whose handlers act on them as they would in a command run here (Ctrl-C
    reaches only this process: the child is in the server's process group)."""

    def __init__(self) -> None:
        self.pid = 0
        self.got: list[int] = []
        self.old = {sig: _signal.signal(sig, self.handle) for sig in FORWARDED}

    def handle(self, sig: int, frame: object) -> None:
        self.got.append(sig)
        if self.pid:
            self.kill(sig)

    def kill(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass  # it has ended; its exit code is on its way

    def start(self, pid: int) -> None:
        self.pid = pid
        for sig in self.got:  # those that came before the child was known
            self.kill(sig)

    def restore(self) -> None:
        for sig, handler in self.old.items():
            _signal.signal(sig, _signal.SIG_DFL if handler is None else handler)

    def give_back(self) -> None:
        """No child ran: the signals that came meanwhile are this process's again."""
        self.restore()
        for sig in self.got:
            os.kill(os.getpid(), sig)


def _start(sock: _socket.socket, argv: Sequence[str]) -> int | None:
    """Send the request; the child's pid once it took it, None when nothing will run."""
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        return None  # started with one of fds 0-2 closed: nothing to hand over
    try:
        payload = request(argv)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # what this process printed comes before what the child prints
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))  # socket.send_fds' array("i")
        sock.sendmsg([framed(payload)], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        sock.sendall(payload)
        answer = read_line(sock)
        if not answer.startswith(b"run "):
            return None  # `no REASON`, or the server closed: nothing ran
        pid = int(answer[4:])
        sock.sendall(b"go\n")
    except (OSError, ValueError):  # no stdin (EBADF), a timeout, a garbled answer: nothing ran
        return None
    sock.settimeout(None)
    return pid


def _ended(forward: Forward) -> int:
    """The child ended without an exit code. When this process forwarded a signal that
    ended it, this process ends by that signal too, as the command run here would have."""
    forward.restore()
    for sig in forward.got[-1:]:
        _signal.signal(sig, _signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    print(ENDED, file=sys.stderr)
    return 1


def served(path: str, argv: Sequence[str]) -> int | None:
    """The exit code of the command line `argv` run by the server on `path`, or None when
    the server did not run it (none accepts, or it cannot: another version or checkout
    of paperprov, another interpreter, or its code changed): the caller runs it itself."""
    sock = connect(path)
    if sock is None:
        return None
    forward = Forward()
    try:
        pid = _start(sock, argv)
        if pid is None:
            forward.give_back()
            return None
        forward.start(pid)
        try:
            answer = read_line(sock)
        except OSError:
            answer = b""
        if answer.startswith(b"exit ") and answer[5:].isdigit():
            return int(answer[5:])
        return _ended(forward)
    finally:
        forward.restore()
        sock.close()
