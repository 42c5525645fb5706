"""Helpers for the hook tests: a temporary repository with the REAL pre-commit framework
installed, running `python -m provenance hook ...` with this interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Repo, git

HOOK_TYPES = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit")


def config_yaml(python: str = sys.executable) -> str:
    def hook(hid: str, kind: str, stage: str, extra: str = "") -> str:
        return (f"  - {{id: {hid}, name: {hid}, entry: '{python} -m provenance hook {kind}', "
                f"language: system, stages: [{stage}]{extra}}}\n")

    return (
        "repos:\n- repo: local\n  hooks:\n"
        + hook("paperprov-tag", "tag", "prepare-commit-msg")
        + hook("paperprov-policy", "policy", "commit-msg")
        + hook("paperprov-lint", "lint", "pre-commit", ", files: '\\.(tex|py)$'")
        + hook("paperprov-no-private-keys", "no-private-keys", "pre-commit")
        + hook("paperprov-attach-tags", "attach-tags", "post-commit", ", always_run: true, pass_filenames: false")
    )


def install_hooks(repo: Repo, types: tuple[str, ...] = HOOK_TYPES) -> None:
    """Commit the config (pre-commit refuses an unstaged one) and install the stages
    asked for (each installed stage costs a pre-commit start on every commit)."""
    repo.commit("Add pre-commit config", {".pre-commit-config.yaml": config_yaml()})
    args = [sys.executable, "-m", "pre_commit", "install"]
    for t in types:
        args += ["--hook-type", t]
    proc = subprocess.run(args, cwd=repo.path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def commit(repo: Repo, message: str, files: dict[str, str | bytes] | None = None,
           env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`git commit -m MESSAGE` with the hooks (no --no-verify); returns the process."""
    for rel, text in (files or {}).items():
        repo.write(rel, text)
    repo.git("add", "-A")
    import os

    full = dict(os.environ)
    full.update(env or {})
    cmd = ["git", "commit", "-q", *args] + (["-m", message] if message else [])
    return subprocess.run(cmd, cwd=repo.path, env=full, capture_output=True, text=True)


def write_message(repo: Repo, text: str) -> Path:
    path = repo.path / ".git" / "COMMIT_EDITMSG"
    path.write_text(text, encoding="utf-8")
    return path


def message(repo: Repo, rev: str = "HEAD") -> str:
    return git(repo.path, "log", "-1", "--format=%B", rev)


def assisted_by(repo: Repo, rev: str = "HEAD") -> list[str]:
    out = git(repo.path, "log", "-1", "--format=%(trailers:key=Assisted-by,valueonly)", rev)
    return [line for line in out.splitlines() if line.strip()]


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`paperprov ARGS` in process (same parser, same error handling as the command,
    without a Python start each time); the result looks like run_cli's."""
    import contextlib
    import io
    import os

    from provenance.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
