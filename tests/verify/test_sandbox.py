"""`verify --rebuild` runs the authors' code only for a bundle that verifies against
trusted keys, and then inside bubblewrap: no network, the system read-only, only its own
directory writable, a fresh HOME, a time and a memory limit. Real bwrap, never mocked."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
import zipfile
from pathlib import Path

import pytest

from provenance.attest.sign import write_attestation
from provenance.attest.submission import write_submission
from provenance.config import load
from provenance.verify.sandbox import Limits, environment, run
from tests.helpers import IN_CI, ROOT, Repo, attested, fake_build, run_cli


@pytest.fixture
def needs_bwrap() -> None:
    if shutil.which("bwrap") is None:
        if IN_CI:
            pytest.fail("bwrap missing in CI: install.sh must install bubblewrap")
        pytest.skip("bubblewrap not installed")


def sandboxed(tmp_path: Path, code: str, limits: Limits = Limits()) -> tuple[int | None, str, Path]:
    writable = tmp_path / "writable"
    writable.mkdir()
    env = environment(writable, {})
    code_rc, tail = run([sys.executable, "-I", "-c", code], writable, writable, env, limits)
    return code_rc, tail, writable


PROBE = """
import json, os, socket, sys
out = {}
for name, path in (("outside", sys.argv[1] if len(sys.argv) > 1 else %(outside)r), ("repo", %(repo)r)):
    try:
        with open(path, "w") as fh:
            fh.write("x")
        out[name] = "wrote"
    except OSError as e:
        out[name] = e.strerror
try:
    socket.create_connection(("127.0.0.1", %(port)d), timeout=3)
    out["net"] = "connected"
except OSError as e:
    out["net"] = e.strerror or str(e)
out["home"] = os.environ["HOME"]
out["secret"] = os.environ.get("PAPERPROV_TEST_SECRET")
out["reviewer_home"] = os.path.exists(%(home_file)r)
out["proc_sys_writable"] = os.access("/proc/sys/kernel/core_pattern", os.W_OK)
open("result.json", "w").write(json.dumps(out))
"""


def test_the_sandbox_has_no_network_a_read_only_system_and_a_fresh_home(
        needs_bwrap: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    home_file = Path(os.path.expanduser("~")) / ".reviewer-secret"
    home_file.write_text("token\n")
    monkeypatch.setenv("PAPERPROV_TEST_SECRET", "s3cret")
    outside, in_repo = tmp_path / "outside.txt", ROOT / "sandbox-was-here.txt"
    code = PROBE % {"outside": str(outside), "repo": str(in_repo), "port": listener.getsockname()[1],
                    "home_file": str(home_file)}
    rc, tail, writable = sandboxed(tmp_path, code)
    listener.close()
    assert rc == 0, tail
    out = json.loads((writable / "result.json").read_text())
    assert not outside.exists() and not in_repo.exists()  # nothing reached the reviewer's files
    assert out["repo"] == "Read-only file system"
    assert out["net"] in ("Network is unreachable", "Connection refused", "Cannot assign requested address")
    assert out["home"] == str(writable / "home") and out["secret"] is None and out["reviewer_home"] is False
    assert out["proc_sys_writable"] is False


@pytest.mark.parametrize("sandbox", [True, False])
def test_the_time_limit_stops_every_process_of_the_build(needs_bwrap: None, tmp_path: Path, sandbox: bool) -> None:
    code = ("import subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(4); open(\"late\", \"w\").write(\"x\")'])\n"
            "time.sleep(60)\n")
    rc, _, writable = sandboxed(tmp_path, code, Limits(sandbox=sandbox, timeout_minutes=0.03))
    assert rc is None
    time.sleep(5)
    assert not (writable / "late").exists()  # the grandchild died with the build


@pytest.mark.parametrize("sandbox", [True, False])
def test_the_memory_limit_holds_in_and_out_of_the_sandbox(needs_bwrap: None, tmp_path: Path, sandbox: bool) -> None:
    rc, tail, _ = sandboxed(tmp_path, "x = bytearray(2 << 30)\n", Limits(sandbox=sandbox, memory_gib=1))
    assert rc == 1 and tail == "MemoryError"


EVIL = """import argparse, pathlib
p = argparse.ArgumentParser(); p.add_argument("--out"); p.add_argument("--seed", type=int)
a = p.parse_args()
pathlib.Path(%r).write_text("the authors' code ran here\\n")
"""


@pytest.fixture
def evil(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    """A bundle that verifies, whose experiment writes outside the repository."""
    pwned = tmp_path / "pwned"
    attested(repo)
    repo.commit("Experiment", {"experiments/sq.py": EVIL % str(pwned)}, date="2026-01-02T05:00:00Z")
    fake_build(repo)
    write_attestation(load(repo.path), repo.path / "build/attestation.intoto.jsonl")
    return write_submission(load(repo.path)), pwned


def test_no_rebuild_without_trusted_keys(needs_bwrap: None, evil: tuple[Path, Path], repo: Repo) -> None:
    bundle, pwned = evil
    proc = run_cli(repo.path, "verify", str(bundle), "--rebuild")
    assert proc.returncode == 1
    assert ("FAIL rebuild: not run: it runs the authors' code, so only for a bundle signed by keys you trust; "
            "pass --trusted-keys") in proc.stdout
    assert not pwned.exists()


def test_no_rebuild_when_a_check_failed(needs_bwrap: None, evil: tuple[Path, Path], repo: Repo, tmp_path: Path) -> None:
    bundle, pwned = evil
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data.replace(b"the authors' code ran here", b"THE AUTHORS' CODE RAN HERE") if
                          info.filename == "source.tar" else data)
    proc = run_cli(repo.path, "verify", str(tampered), "--rebuild", "--trusted-keys", "keys/")
    assert proc.returncode == 1
    assert "FAIL source.tar: 2 of 3 attested input files match; differ or missing: experiments/sq.py" in proc.stdout
    assert "FAIL rebuild: not run: 2 check(s) above failed; a rebuild runs the authors' code only for a bundle " \
           "that verifies" in proc.stdout
    assert not pwned.exists()


def test_a_trusted_bundle_is_rebuilt_inside_the_sandbox(needs_bwrap: None, evil: tuple[Path, Path], repo: Repo) -> None:
    bundle, pwned = evil
    proc = run_cli(repo.path, "verify", str(bundle), "--rebuild", "--trusted-keys", "keys/")
    assert "rebuild: not run" not in proc.stdout
    assert "FAIL rebuild: failed (paperprov: experiment sq (experiments/sq.py) did not write" in proc.stdout
    assert not pwned.exists()  # it wrote into the sandbox's own /tmp, which is gone


def test_without_bwrap_the_rebuild_is_refused_with_how_to_install(evil: tuple[Path, Path], repo: Repo) -> None:
    bundle, _ = evil
    proc = run_cli(repo.path, "verify", str(bundle), "--rebuild", "--trusted-keys", "keys/",
                   env={"PATH": "/nonexistent"})
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == ("paperprov: verify --rebuild runs the authors' code in a bubblewrap sandbox, and bwrap "
                           "is not installed; install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; "
                           "Fedora: sudo dnf install bubblewrap; Arch: pacman -S bubblewrap), or pass --no-sandbox "
                           "to run the authors' code unsandboxed\n")


def test_rebuild_options_need_rebuild(repo: Repo) -> None:
    proc = run_cli(repo.path, "verify", ".", "--no-sandbox")
    assert proc.returncode == 1 and "go with --rebuild" in proc.stderr
