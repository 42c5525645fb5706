"""`paperprov serve` and the commands it serves, against real processes: a server started
as a subprocess on a socket in a short temporary runtime directory, clients run as
`python -m provenance`, compared byte for byte with PAPERPROV_SERVER=off runs."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, Repo, paper, run_cli, section

OFF = {"PAPERPROV_SERVER": "off"}


class Server:
    """A `paperprov serve` process; its stderr (one line per request) in a file."""

    def __init__(self, runtime: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), **(env or {})}
        self.log = runtime / f"serve-{time.monotonic_ns()}.err"
        self.socket = runtime / "paperprov" / "serve.sock"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "provenance", "serve", *args], cwd="/",
                                         env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err)
        deadline = time.monotonic() + 30
        while "listening on" not in self.text() and self.proc.poll() is None:
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.02)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def served(self, count: int = 0) -> list[str]:
        """The server's line for each request its children ran, once there are `count`
        (a child's line comes when the server reaps it, just after its client ended)."""
        deadline = time.monotonic() + 10
        while True:
            lines = [ln for ln in self.text().splitlines() if ": exit " in ln]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def serve(runtime: Path) -> Iterator[Callable[..., Server]]:
    """Start servers on `runtime`; every one is killed (by its PID) when the test ends."""
    started: list[Server] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Server:
        started.append(Server(runtime, "--idle", "120", *args, env=env))
        return started[-1]

    yield start
    for server in started:
        server.kill()


def cli(cwd: Path, runtime: Path, *args: str, env: dict[str, str] | None = None,
        umask: int = -1) -> subprocess.CompletedProcess[bytes]:
    """`python -m provenance ARGS` as run_cli runs it, its output kept as bytes."""
    full = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), **(env or {})}
    return subprocess.run([sys.executable, "-m", "provenance", *args], cwd=cwd, env=full,
                          capture_output=True, umask=umask)


def same(a: subprocess.CompletedProcess[bytes], b: subprocess.CompletedProcess[bytes]) -> None:
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


def make(repo: Repo) -> None:
    repo.commit("Paper\n\nAssisted-by: none", {**paper("ai"), "paper/sections/base.tex": section("base")})
    repo.commit("AI\n\nAssisted-by: claude-code:claude-opus-4-1", {"paper/sections/ai.tex": section("ai")})


def test_status_through_the_server_is_byte_identical(repo: Repo, runtime: Path,
                                                     serve: Callable[..., Server]) -> None:
    make(repo)
    server = serve()
    for args in (("status", "--json"), ("status",), ("status", "--json", str(repo.path))):
        through = cli(repo.path, runtime, *args)
        assert through.returncode == 0, through.stderr
        same(through, cli(repo.path, runtime, *args, env=OFF))
    served = server.served(3)
    assert len(served) == 3 and all(": exit 0 in " in ln for ln in served), server.text()
    assert served[0].split(" ", 3)[3].startswith("status --json: exit 0")


def test_the_child_takes_the_clients_environment_and_umask(repo: Repo, runtime: Path,
                                                           serve: Callable[..., Server]) -> None:
    make(repo)
    server = serve()
    bad = {"PAPERPROV_ANONYMOUS": "bogus"}  # read from the environment when provenance.yaml is loaded
    through = cli(repo.path, runtime, "status", env=bad)
    assert through.returncode == 1 and b"PAPERPROV_ANONYMOUS" in through.stderr
    same(through, cli(repo.path, runtime, "status", env={**bad, **OFF}))
    assert cli(repo.path, runtime, "status", "--json", umask=0o077).returncode == 0
    assert len(server.served(2)) == 2, server.text()  # the child ended: its caches are written
    made = [p for p in (repo.path / ".git" / "paperprov").rglob("*") if p.is_file()]
    assert made and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in made)
    assert len(server.served(2)) == 2, server.text()


def test_user_errors_are_the_same_one_line(tmp_path: Path, runtime: Path, serve: Callable[..., Server]) -> None:
    server = serve()
    plain = tmp_path / "plain"
    plain.mkdir()
    missing = cli(plain, runtime, "status")
    assert missing.returncode == 1 and missing.stdout == b""
    assert len(missing.stderr.splitlines()) == 1 and b"provenance.yaml" in missing.stderr
    same(missing, cli(plain, runtime, "status", env=OFF))
    (plain / "provenance.yaml").write_text("paper: [\n")
    broken = cli(plain, runtime, "status", "--json")
    assert broken.returncode == 1 and len(broken.stderr.splitlines()) == 1
    same(broken, cli(plain, runtime, "status", "--json", env=OFF))
    usage = cli(plain, runtime, "status", "--no-such-option")
    assert usage.returncode == 2
    same(usage, cli(plain, runtime, "status", "--no-such-option", env=OFF))
    assert [ln.rsplit(" in ", 1)[0].split(": ")[-1] for ln in server.served(3)] == ["exit 1", "exit 1", "exit 2"]


def test_a_stale_socket_is_ignored_and_replaced(repo: Repo, runtime: Path, serve: Callable[..., Server]) -> None:
    make(repo)
    killed = serve()
    killed.kill()  # SIGKILL: the socket file stays behind
    assert killed.socket.exists()
    through = cli(repo.path, runtime, "status", "--json")
    assert through.returncode == 0, through.stderr
    same(through, cli(repo.path, runtime, "status", "--json", env=OFF))
    again = serve()  # the new server replaces the stale socket and serves
    same(cli(repo.path, runtime, "status", "--json"), through)
    assert len(again.served(1)) == 1, again.text()


def test_changed_code_is_run_in_process_and_ends_the_server(repo: Repo, tmp_path: Path, runtime: Path,
                                                            serve: Callable[..., Server]) -> None:
    make(repo)
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "provenance", copy / "provenance", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(copy)}
    server = serve(env=env)
    assert cli(repo.path, runtime, "status", env=env).returncode == 0
    assert len(server.served(1)) == 1, server.text()
    module = copy / "provenance" / "record" / "table.py"
    later = module.stat().st_mtime_ns + 2_000_000_000
    os.utime(module, ns=(later, later))
    through = cli(repo.path, runtime, "status", "--json", env=env)
    assert through.returncode == 0, through.stderr
    same(through, cli(repo.path, runtime, "status", "--json", env={**env, **OFF}))
    assert server.proc.wait(timeout=10) == 0
    assert len(server.served()) == 1
    assert f"{module} changed since the server loaded it" in server.text()


def test_stop_idle_and_a_second_server(repo: Repo, runtime: Path, serve: Callable[..., Server]) -> None:
    server = serve()
    second = run_cli(repo.path, "serve", env={"XDG_RUNTIME_DIR": str(runtime)})
    assert second.returncode == 1 and second.stderr.count("\n") == 1
    assert "already running" in second.stderr and "serve --stop" in second.stderr
    stop = run_cli(repo.path, "serve", "--stop", env={"XDG_RUNTIME_DIR": str(runtime)})
    assert stop.returncode == 0 and stop.stdout.count("\n") == 1 and "stopped" in stop.stdout, stop.stderr
    assert server.proc.wait(timeout=10) == 0 and not server.socket.exists()
    none = run_cli(repo.path, "serve", "--stop", env={"XDG_RUNTIME_DIR": str(runtime)})
    assert none.returncode == 0 and "no server is running" in none.stdout
    idle = Server(runtime, "--idle", "0.5")
    try:
        assert idle.proc.wait(timeout=15) == 0
    finally:
        idle.kill()
    assert "no request for 0.5 s" in idle.text() and not idle.socket.exists()


def test_detach_returns_once_the_server_accepts(repo: Repo, runtime: Path) -> None:
    make(repo)
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    started = run_cli(repo.path, "serve", "--detach", "--idle", "60", env=env)
    assert started.returncode == 0 and started.stdout.count("\n") == 1, started.stderr
    pid = int(started.stdout.split("as pid ")[1].split(";")[0])
    try:
        through = cli(repo.path, runtime, "status", "--json")  # at once: no waiting for the socket
        assert through.returncode == 0
        same(through, cli(repo.path, runtime, "status", "--json", env=OFF))
        log = (runtime / "paperprov" / "serve.log").read_text()
        assert f"listening on {runtime}/paperprov/serve.sock (pid {pid})" in log
        assert "status --json: exit 0 in " in log
        assert run_cli(repo.path, "serve", "--stop", env=env).returncode == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_the_socket_directory_is_the_users_alone(repo: Repo, runtime: Path, serve: Callable[..., Server]) -> None:
    make(repo)
    server = serve()
    folder = server.socket.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o750)  # a client ignores a socket others could have put there
    try:
        assert cli(repo.path, runtime, "status", "--json").returncode == 0
        folder.chmod(0o700)
        assert cli(repo.path, runtime, "status").returncode == 0
        assert [ln.split(" ", 3)[3].split(":")[0] for ln in server.served(1)] == ["status"], server.text()
        folder.chmod(0o750)
        server.kill()
        refused = run_cli(repo.path, "serve", env={"XDG_RUNTIME_DIR": str(runtime)})
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1
        assert f"run `chmod 700 {folder}`" in refused.stderr
    finally:
        folder.chmod(0o700)
    if os.geteuid() == 0:  # only root can give the directory to someone else
        os.chown(folder, 65534, -1)
        try:
            refused = run_cli(repo.path, "serve", env={"XDG_RUNTIME_DIR": str(runtime)})
            assert refused.returncode == 1 and refused.stderr.count("\n") == 1
            assert f"{folder} belongs to uid 65534, not to you" in refused.stderr
        finally:
            os.chown(folder, 0, -1)


def test_a_socket_path_too_long_is_one_line(tmp_path: Path) -> None:
    long = tmp_path / ("d" * 100)
    long.mkdir()
    proc = run_cli(tmp_path, "serve", env={"XDG_RUNTIME_DIR": str(long)})
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "longer than the 107 a Unix socket allows" in proc.stderr


NO_SERVER = """
import sys
import provenance.cli.main as cli
assert "socket" not in sys.modules and "provenance.cli.client" not in sys.modules, "imported for --help too"
sys.argv = ["paperprov", "status", "--json", sys.argv[1]]
import contextlib, io
with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
    assert cli.main() == 0
print("provenance.cli.client" in sys.modules)
"""


def test_without_a_server_the_client_is_not_imported(repo: Repo, runtime: Path) -> None:
    """The hooks and --help never pay for the client; a status without a socket pays a stat."""
    make(repo)
    proc = subprocess.run([sys.executable, "-c", NO_SERVER, str(repo.path)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "False\n"


PRELOADED = """
import contextlib, io, sys, threading
from provenance.cli import serve
if sys.argv[2] == "preload":
    serve.preload()
    assert threading.active_count() == 1, "the server must not start threads: it forks"
before = set(sys.modules)
from provenance.cli.main import main
edit = sys.argv[1] + "/paper/main.tex"
for args in (["status", "--json", sys.argv[1]], ["status", sys.argv[1]], "edit", ["status", "--json", sys.argv[1]]):
    if args == "edit":
        open(edit, "a").write("\\n% an edit\\n")
        continue
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        assert main(args) == 0
print(" ".join(sorted(m for m in set(sys.modules) - before if m.split(".")[0] == "provenance")))
"""


def test_preload_holds_every_module_a_status_imports(example: Repo) -> None:
    """The example paper has experiments, linked checks and formal proofs: the most of
    status's lazy imports. Without the preload the same runs import modules (the check
    can fail)."""
    runs = {}
    for mode in ("preload", "none"):
        proc = subprocess.run([sys.executable, "-c", PRELOADED, str(example.path), mode], cwd=ROOT,
                              capture_output=True, text=True, env={**os.environ, **OFF})
        assert proc.returncode == 0, proc.stderr
        runs[mode] = proc.stdout.split()
        example.git("checkout", "--", "paper/main.tex")
    assert runs["preload"] == []
    assert "provenance.record.cache" in runs["none"]


SLOW_GIT = """#!/bin/sh
touch "$MARKER"
sleep 3
exec "$REAL_GIT" "$@"
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_to_the_client_ends_the_command_as_in_process(repo: Repo, tmp_path: Path, runtime: Path,
                                                               serve: Callable[..., Server], sig: int) -> None:
    """The client hands SIGINT and SIGTERM to the child: Ctrl-C is `paperprov:
    interrupted` and 130, SIGTERM ends both processes by the signal, as in-process."""
    make(repo)
    server = serve()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(SLOW_GIT)
    (bin_dir / "git").chmod(0o755)
    ended = {}
    for mode, extra in (("served", {}), ("in-process", OFF)):
        marker = tmp_path / f"git-started-{mode}"
        env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PATH": f"{bin_dir}:{os.environ['PATH']}",
               "MARKER": str(marker), "REAL_GIT": str(shutil.which("git")), **extra}
        proc = subprocess.Popen([sys.executable, "-m", "provenance", "status"], cwd=repo.path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not marker.exists():  # the command (here, or in the server's child) is running git
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        ended[mode] = (proc.returncode, out, err)
    assert ended["served"] == ended["in-process"]
    assert ended["served"][0] == (130 if sig == signal.SIGINT else -signal.SIGTERM)
    assert len(server.served(1)) == 1, server.text()


def test_edits_served_after_the_server_read_ahead_give_the_record_made_afresh(repo: Repo, runtime: Path,
                                                                                serve: Callable[..., Server]) -> None:
    from provenance.config import load
    from provenance.record.cache import record_json

    make(repo)
    server = serve()
    source = repo.path / "paper/sections/ai.tex"
    text = source.read_text()
    edits = [text.replace("\\end{lemma}", "A sentence more.\n\\end{lemma}"),
             text.replace("\\end{lemma}", "A sentence more, reworded.\n\nAnd a paragraph.\n\\end{lemma}"),
             text]
    for n, edited in enumerate(edits, 1):
        source.write_text(edited)
        through = cli(repo.path, runtime, "status", "--json")
        assert through.returncode == 0, through.stderr
        # Made from nothing remembered: what the server's child read ahead changed nothing.
        assert through.stdout == record_json(load(repo.path), use_cache=False)
        assert len(server.served(n)) == n, server.text()
    assert "could not read ahead" not in server.text()


def test_a_served_status_keeps_its_caches_after_it_answered(repo: Repo, runtime: Path,
                                                             serve: Callable[..., Server]) -> None:
    make(repo)
    server = serve()
    cache = repo.path / ".git/paperprov/record.json"
    first = cli(repo.path, runtime, "status", "--json")
    assert first.returncode == 0, first.stderr
    assert len(server.served(1)) == 1, server.text()  # the child ended: its writes are done
    kept = cache.stat()
    assert cache.read_bytes().split(b"\n", 1)[1] == first.stdout  # the record's bytes, under their key
    again = cli(repo.path, runtime, "status", "--json")
    assert again.stdout == first.stdout
    assert len(server.served(2)) == 2, server.text()
    # Answered from it, not made again: a record made again replaces the file (another inode).
    assert (cache.stat().st_ino, cache.stat().st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert "Traceback" not in server.text()


def test_a_child_starts_once_the_last_one_on_its_directory_has_written(tmp_path: Path) -> None:
    import fcntl

    from provenance.cli.child import _locked

    lock = tmp_path / "writes-lock"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('writing', flush=True)\n"
        "time.sleep(0.5)\n")], stdout=subprocess.PIPE)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
        start = time.monotonic()
        _locked(str(lock), fcntl.LOCK_SH, close=True)  # as the next child does before its command
        assert writer.poll() is not None or time.monotonic() - start >= 0.3  # it waited for the writer
    finally:
        writer.wait()
    _locked(str(lock), fcntl.LOCK_EX, close=False)  # not closed: this process holds it now
    other = subprocess.run([sys.executable, "-c", (
        "import fcntl, os\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    print('held')\n")],
        capture_output=True, text=True)
    assert other.stdout == "held\n"
