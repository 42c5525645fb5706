"""Shared fixtures: real git repositories in temporary directories, never mocks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ("provenance.yaml", "dodo.py", "paper", "experiments", "tests/claims", "formal", ".gitignore")
IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Author",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Author",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests see neither the developer's git config nor agent variables of the shell
    that runs them (a test run from inside an AI agent must not tag test commits)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for var in list(os.environ):
        if var in ("CLAUDECODE", "GEMINI_CLI", "CURSOR_AGENT", "AI_AGENT", "AGENT") or var.startswith(
            ("CODEX_", "CLAUDE_CODE", "AIDER_", "PAPERPROV_")
        ):
            monkeypatch.delenv(var, raising=False)
    for k, v in IDENTITY.items():
        monkeypatch.setenv(k, v)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


class Repo:
    """A real git repository in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "commit.gpgsign", "false")
        git(path, "config", "core.autocrlf", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return git(self.path, *args, env=env)

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    def commit(self, message: str, files: dict[str, str | bytes] | None = None,
               env: dict[str, str] | None = None, date: str | None = None) -> str:
        for rel, text in (files or {}).items():
            self.write(rel, text)
        self.git("add", "-A")
        extra = dict(env or {})
        if date:
            extra.setdefault("GIT_AUTHOR_DATE", date)
            extra.setdefault("GIT_COMMITTER_DATE", date)
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message, env=extra)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        path = tmp_path / name
        path.mkdir(parents=True, exist_ok=True)
        return Repo(path)

    return make


@pytest.fixture
def repo(make_repo: Callable[[str], Repo]) -> Repo:
    return make_repo("repo")


def copy_example(dest: Path) -> Path:
    """The example paper and experiments, as a new repository with one commit."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def example(tmp_path: Path) -> Repo:
    path = copy_example(tmp_path / "example")
    r = Repo(path)
    r.commit("Example paper", date="2026-01-02T03:04:05Z")
    return r


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


@pytest.fixture
def needs_tex() -> None:
    """TeX tests skip on a laptop without TeX, but fail in CI, where TeX must be there."""
    if not tex_available():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("latexmk/pdflatex missing in CI: .ci/run must install TeX Live")
        pytest.skip("latexmk/pdflatex not installed")


@pytest.fixture
def needs_coq() -> None:
    """Coq tests skip on a machine without coqc, but fail in CI, where install.sh installs it."""
    if shutil.which("coqc") is None or shutil.which("coqdep") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("coqc/coqdep missing in CI: install.sh must install Debian's coq")
        pytest.skip("coqc not installed")


def run_doit(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "doit", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True)


def run_cli(cwd: Path, *args: str, env: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "provenance", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, input=input)
