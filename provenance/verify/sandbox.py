"""Running the authors' build on a reviewer's machine, bounded: bubblewrap and resource limits.

`verify --rebuild` runs code from the bundle (the experiments, LaTeX). Under bubblewrap
(`bwrap`) it gets:
- no network (a new, empty network namespace), no view of other processes (a new PID
  namespace, killed as a whole when verify exits: --die-with-parent), no capabilities;
- the system read-only (`/` bound read-only), with /tmp, /var/tmp, /run, /home, /root and
  the reviewer's HOME replaced by empty tmpfs (so no private key, token or socket of the
  reviewer's is visible); the Python running paperprov and the PATH are bound back
  read-only where they lie under those;
- one writable directory: the rebuild's own temporary directory, which also holds a
  fresh HOME and TMPDIR;
- /proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus read-only: when verify runs as
  root, the build is uid 0 without capabilities, and bubblewrap 0.8 left /proc/sys
  writable to it (measured: a sandboxed `echo > /proc/sys/kernel/core_pattern` changed
  the host's setting);
- in both modes (also --no-sandbox): an environment of PATH, locale, HOME and TMPDIR
  only (no tokens from the reviewer's environment), an address-space limit
  (RLIMIT_AS; cgroups need a systemd user session or delegation that CI and many
  machines lack, and an rlimit is inherited by every process the build starts), a file
  size limit, no core dumps, and a time limit after which the whole process group dies.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ToolMissing

PROC_COVER = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus")
HIDDEN = ("/tmp", "/var/tmp", "/run", "/home", "/root")
INSTALL = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap; "
           "Arch: pacman -S bubblewrap), or pass --no-sandbox to run the authors' code unsandboxed")


@dataclass(frozen=True)
class Limits:
    sandbox: bool = True
    timeout_minutes: float = 30.0
    memory_gib: float = 8.0
    file_bytes: int = 2 << 30


def _hidden() -> list[str]:
    home = os.path.realpath(os.path.expanduser("~"))
    out = [h for h in HIDDEN if os.path.isdir(h)]
    if home != "/" and os.path.isdir(home) and not any(Path(home).is_relative_to(h) for h in out):
        out.append(home)
    return out


def _needed() -> list[str]:
    """What the rebuild reads from under the hidden directories: this Python and its
    packages (paperprov included, also an editable install), and the PATH."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             str(Path(__file__).resolve().parent.parent.parent)}
    paths.update(p for p in sys.path if p)
    paths.update(p for p in os.environ.get("PATH", "").split(os.pathsep) if p)
    real = {os.path.realpath(p) for p in paths if os.path.isdir(p)}
    hidden = _hidden()
    keep = sorted(p for p in real if any(Path(p).is_relative_to(h) for h in hidden))
    # A directory inside one already kept comes along with it.
    return [p for p in keep if not any(p != q and Path(p).is_relative_to(q) for q in keep)]


def bwrap_command(writable: Path, argv: list[str], cwd: Path) -> list[str]:
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for p in PROC_COVER:
        if os.path.exists(p):
            cmd += ["--ro-bind", p, p]
    for h in _hidden():
        cmd += ["--tmpfs", h]
    for p in _needed():
        cmd += ["--ro-bind", p, p]
    return cmd + ["--bind", str(writable), str(writable), "--chdir", str(cwd), "--", *argv]


def environment(writable: Path, extra: dict[str, str]) -> dict[str, str]:
    home, tmp = writable / "home", writable / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "HOME": str(home), "TMPDIR": str(tmp), "GIT_CONFIG_NOSYSTEM": "1"}
    env.update(extra)
    return env


def _limiter(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # in the child, between fork and exec
        memory = int(limits.memory_gib * (1 << 30))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def check_sandbox() -> None:
    """ToolMissing (one line saying what to do) unless bwrap can make the sandbox here."""
    if shutil.which("bwrap") is None:
        raise ToolMissing(f"verify --rebuild runs the authors' code in a bubblewrap sandbox, and bwrap is not "
                          f"installed; {INSTALL}")
    with tempfile.TemporaryDirectory(prefix="paperprov-probe-") as tmp:
        code, tail = run([sys.executable, "-I", "-c", "pass"], Path(tmp), Path(tmp), environment(Path(tmp), {}),
                         Limits(timeout_minutes=1))
    if code != 0:
        raise ToolMissing(f"bwrap cannot make a sandbox on this machine ({tail}); it needs unprivileged user "
                          "namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also "
                          "kernel.apparmor_restrict_unprivileged_userns=0), or pass --no-sandbox")


def run(argv: list[str], writable: Path, cwd: Path, env: dict[str, str], limits: Limits) -> tuple[int | None, str]:
    """(exit code, or None after the time limit; the last line of its output)."""
    cmd = bwrap_command(writable, argv, cwd) if limits.sandbox else argv
    with tempfile.TemporaryFile() as log:  # outside the writable directory, bounded by RLIMIT_FSIZE
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_limiter(limits))
        try:
            code: int | None = proc.wait(timeout=limits.timeout_minutes * 60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the build's every process, not only the first
            proc.wait()
            code = None
        log.seek(max(0, log.seek(0, os.SEEK_END) - 4096))
        lines = [ln.strip() for ln in log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return code, (lines[-1][:300] if lines else "no message")
