"""`paperprov serve`: a pre-forking server for the commands in main.SERVED (the pattern
of Rails' Spring and nailgun).

A command spends 0.15-0.2 s starting Python and importing paperprov before its own work.
The server imports what the served commands need once (PRELOAD) and waits on the user's
socket (main.server_socket). For each request it forks a child that takes the client's
place (its fds 0-2, cwd, environment, umask, argv, stdio set-up, see cli/client.py) and
runs main.main(argv); the client waits for the child's exit code, sent before the child
writes its caches (fsutil.keep; a next child on the same directory waits for those).
The server runs no command and starts no thread, so forking it is safe. A request it
cannot serve as the client would run it (another version, checkout or interpreter; a
module changed on disk since it was loaded) is answered `no`: the client runs it itself.
"""

from __future__ import annotations

import fcntl
import functools
import gc
import hashlib
import importlib
import os
import select
import signal
import socket
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from provenance import __version__
from provenance.cli import child, client
from provenance.errors import UsageError
from provenance.scan.depcache import stamp

Stamp = list[int] | None  # depcache.stamp: mtime and size, None when gone

# What `status` imports, its lazy imports included (inside functions, so that the commit
# hooks and other commands do not pay for them); tests/cli/test_serve.py checks that a
# served status imports no provenance module more.
PRELOAD = (
    "provenance.cli.main", "provenance.cli.commands.status", "provenance.paths", "provenance.config",
    "provenance.config.validate", "provenance.config.formal", "provenance.record.cache",
    "provenance.record.assemble", "provenance.record.checks", "provenance.record.formal",
    "provenance.record.review", "provenance.record.anonymize", "provenance.record.table",
    "provenance.evidence.collect", "provenance.scan.sources", "provenance.scan.tex.walker",
    "provenance.scan.tex.stored", "provenance.scan.pycode", "provenance.scan.claims", "provenance.hooks.session",
    "yaml",  # config/reader.py imports it when provenance.yaml is parsed again
    "concurrent.futures",  # evidence/collect.py, when it blames
)
REQUEST_TIMEOUT = 2.0  # for a client to send its request: the server serves one at a time
MAX_REQUEST = 1 << 20
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
HANDLED = (*STOPPING, signal.SIGCHLD)


@dataclass
class Server:
    """The server's state; its children get a copy and close what is in it (_leave_server)."""

    path: str
    lock: int
    idle: float
    stamps: dict[str, Stamp]
    interpreter: bytes
    listener: socket.socket | None = None
    inode: tuple[int, int] = (0, 0)
    wake: tuple[int, ...] = ()
    children: dict[int, tuple[str, float, str]] = field(default_factory=dict)  # command, start, directory
    last: float = 0.0
    stopping: str = ""


def _log(message: str) -> None:
    try:
        print(f"paperprov serve: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # a closed terminal must not end the server; SIGHUP does that


def _lock(path: str) -> int:
    """A lock held for the server's life (and its children's closed at once): whether a
    server runs (client.server_lock)."""
    lock = os.open(client.server_lock(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        raise UsageError(f"a server is already running on {path}; `paperprov serve --stop` stops it") from None
    return lock


def _listen(server: Server) -> None:
    try:
        st = os.lstat(server.path)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISSOCK(st.st_mode):
            raise UsageError(f"{server.path} is not a socket; remove it and start the server again")
        os.unlink(server.path)  # left by a server that was killed (the lock is ours)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(server.path)
    listener.listen(64)
    listener.setblocking(False)
    st = os.stat(server.path)
    server.listener, server.inode = listener, (st.st_dev, st.st_ino)


def _release(server: Server) -> None:
    """Unlink the socket (if it is still this server's) and let the lock go: another
    server can start once this returns, while children still running finish."""
    if server.listener is None:
        return
    try:
        st = os.stat(server.path)
        if (st.st_dev, st.st_ino) == server.inode:
            os.unlink(server.path)
    except OSError:
        pass
    server.listener.close()
    server.listener = None
    os.close(server.lock)
    server.lock = -1


def _module_files() -> list[str]:
    names = [n for n in list(sys.modules) if n == "provenance" or n.startswith("provenance.")]
    return sorted({f for f in (getattr(sys.modules[n], "__file__", None) for n in names) if f})


def preload() -> dict[str, Stamp]:
    """Import PRELOAD; the mtime and size of every provenance module then loaded."""
    for name in PRELOAD:
        importlib.import_module(name)
    return {f: stamp(f) for f in _module_files()}


def changed(stamps: dict[str, Stamp]) -> str | None:
    """The first module file that is not as it was loaded (an edit, a checkout, an
    upgrade): a child would run the code of before it."""
    return next((f for f, s in stamps.items() if stamp(f) != s), None)


def start(path: str, idle: float, detach: bool) -> int:
    """Serve on `path` until `idle` seconds pass without a request, or a stop."""
    if not sys.platform.startswith("linux"):
        raise UsageError("paperprov serve runs on Linux only; elsewhere every command runs in-process")
    interpreter = client.interpreter(os.environb)  # before any import could touch sys.path
    client.socket_dir(path)
    server = Server(path, _lock(path), idle, preload(), interpreter)
    gc.freeze()  # the preloaded objects' pages stay shared with the children, not copied
    _listen(server)
    if detach and _detach(path):
        return 0
    _log(f"listening on {path} (pid {os.getpid()}); `paperprov serve --stop` stops it")
    try:
        _loop(server)
    finally:
        _release(server)
    _log(f"stopped: {server.stopping}")
    return 0


def _detach(path: str) -> bool:
    """Fork the server into the background; True in the process that returns. The socket
    already accepts connections (the kernel queues them until the server takes them)."""
    log = os.path.join(os.path.dirname(path), "serve.log")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        print(f"paperprov serve: running in the background as pid {pid}; its log is {log}")
        return True
    os.setsid()  # no terminal's hangup or Ctrl-C reaches it
    os.chdir("/")  # it must not keep a directory busy; each child moves to its client's
    null = os.open(os.devnull, os.O_RDWR)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    for fd, source in ((0, null), (1, out), (2, out)):
        os.dup2(source, fd)
    os.close(null)
    os.close(out)
    return False


def _loop(server: Server) -> None:
    listener = server.listener
    assert listener is not None
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    server.wake = (wake_r, wake_w)
    signal.set_wakeup_fd(wake_w)  # a signal makes select() return: a child ended, or stop

    def stop(sig: int, frame: object) -> None:
        server.stopping = f"signal {signal.Signals(sig).name}"

    signal.signal(signal.SIGCHLD, lambda sig, frame: None)
    for sig in STOPPING:
        signal.signal(sig, stop)
    server.last = time.monotonic()
    while not server.stopping:
        left = server.last + server.idle - time.monotonic()
        if left <= 0:
            server.stopping = f"no request for {server.idle:g} s"
            break
        ready, _, _ = select.select([listener.fileno(), wake_r], [], [], left)
        if wake_r in ready:
            while len(os.read(wake_r, 512)) == 512:
                pass
        done = _reap(server)
        if listener.fileno() in ready:
            _accept(server, listener)
        elif done:
            _warm(done, lambda: bool(select.select([listener.fileno()], [], [], 0)[0]))


def _reap(server: Server) -> set[str]:
    """Collect the children that ended; the directories they worked on."""
    done: set[str] = set()
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return done
        if pid == 0:
            return done
        command, began, directory = server.children.pop(pid, ("?", time.monotonic(), ""))
        ms = (time.monotonic() - began) * 1000
        _log(f"{pid} {command}: exit {os.waitstatus_to_exitcode(status)} in {ms:.0f} ms")
        if directory:
            done.add(directory)


def _warm(directories: set[str], waiting: Callable[[], bool]) -> None:
    """Read ahead what the next status of these repositories unpickles (record.cache.warm),
    now that the last one has written its caches: its child finds them in memory. A
    request that comes meanwhile (`waiting()`) ends it: requests come first."""
    from provenance.record.cache import warm

    for directory in sorted(directories):
        try:
            warm(Path(directory), waiting)
        except Exception as exc:  # noqa: BLE001  (a cache it cannot read is no reason to stop serving)
            _log(f"could not read ahead for {directory}: {exc}")
    gc.freeze()  # as at the start: what was read stays out of the collector's passes


def _accept(server: Server, listener: socket.socket) -> None:
    try:
        conn, _ = listener.accept()
    except (BlockingIOError, InterruptedError):
        return  # the client gave up before it was taken
    with conn:
        try:
            conn.settimeout(REQUEST_TIMEOUT)
            pid, uid, _ = client.peer_ids(conn)
            if uid == os.geteuid():
                _answer(server, conn)
            else:  # root may connect to a user's socket; it is not served a user's process
                _log(f"closed a connection from pid {pid} of uid {uid}")
        except OSError as exc:
            _log(f"a request failed: {exc}")


def _answer(server: Server, conn: socket.socket) -> None:
    header, fds, flags, _ = socket.recv_fds(conn, 4, 3)
    try:
        size = int.from_bytes(header, "big")
        if len(header) < 4 or flags & socket.MSG_CTRUNC or size > MAX_REQUEST:
            return
        payload = b""
        while len(payload) < size:
            chunk = conn.recv(size - len(payload))
            if not chunk:
                return
            payload += chunk
        fields = payload.split(b"\0")
        if fields[0] != client.PROTOCOL:
            conn.sendall(b"no this server speaks " + client.PROTOCOL + b"\n")
        elif fields[1:2] == [b"stop"]:
            server.stopping = "asked to (paperprov serve --stop)"
            _release(server)
            conn.sendall(b"stopped %d\n" % os.getpid())
        else:
            server.last = time.monotonic()
            _run_request(server, conn, fields[2:], fds)
    finally:
        for fd in fds:
            os.close(fd)


def _refusal(server: Server, request: child.Request) -> str:
    """Why the request cannot be served as the client would run it ("" when it can)."""
    if request.version != __version__.encode():
        return f"paperprov {request.version.decode(errors='replace')} asked, this server runs {__version__}"
    if request.package != os.fsencode(client.package_dir()):
        return "another checkout of paperprov asked"
    if request.interpreter != server.interpreter:
        return "another Python interpreter, or other settings of it, asked"
    moved = changed(server.stamps)
    if moved:
        server.stopping = f"{moved} changed since the server loaded it"
        return f"{moved} changed since the server loaded it"
    return ""


def _run_request(server: Server, conn: socket.socket, fields: list[bytes], fds: list[int]) -> None:
    try:
        request = child.decode(fields)
    except ValueError:
        conn.sendall(b"no a malformed request\n")
        return
    why = _refusal(server, request) or ("" if len(fds) == 3 else "no stdin, stdout and stderr came with it")
    command = " ".join(a if a.isprintable() else repr(a) for a in request.argv[1:])
    if why:
        _log(f"{command}: not served ({why}); the client runs it itself")
        conn.sendall(b"no " + why.encode(errors="replace") + b"\n")
        return
    directory = request.directory()
    # One lock file per directory, where its child holds a lock while it writes its caches.
    writes = os.path.join(os.path.dirname(server.path), f"writes-{hashlib.sha256(os.fsencode(directory)).hexdigest()[:16]}")
    sys.stdout.flush()
    sys.stderr.flush()  # nothing of the server's may come out of the child's streams
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)  # nor may its signal handlers run there
    pid = os.fork()
    if pid == 0:
        child.serve(conn, request, fds, functools.partial(_leave_server, server), writes)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
    server.children[pid] = (command, time.monotonic(), directory)


def _leave_server(server: Server) -> None:
    """The child keeps nothing of the server: not its socket, lock or signal handling."""
    if server.listener is not None:
        server.listener.close()
        os.close(server.lock)
    signal.set_wakeup_fd(-1)
    for fd in server.wake:
        os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt, as in a fresh Python
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)


def stop(path: str) -> str:
    """Ask the server on `path` to stop; the line to print."""
    sock = client.connect(path)
    if sock is None:
        return f"paperprov serve: no server is running on {path}"
    payload = client.PROTOCOL + b"\0stop"
    try:
        sock.sendall(client.framed(payload) + payload)
        answer = client.read_line(sock)
    except OSError:
        answer = b""
    finally:
        sock.close()
    if not answer.startswith(b"stopped "):
        raise UsageError(f"the server on {path} did not stop ({answer.decode(errors='replace') or 'no answer'}); "
                         "if it is suspended (Ctrl-Z), resume or kill it")
    return f"paperprov serve: stopped the server (pid {answer[8:].decode()}) on {path}"
