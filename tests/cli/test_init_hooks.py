"""paperprov's hooks in another repository: `paperprov init --hooks` writes the block the
README shows, naming the release tag; pre-commit installs paperprov itself from the hook
repository (`language: python`), so the hooks run in a shell without any venv."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from provenance import __version__
from provenance.cli.commands.hooksconfig import HOOK_IDS, hooks_block
from tests.helpers import ROOT, Repo, cli, git


def test_readme_shows_the_block_init_writes_and_it_names_this_version(repo: Repo) -> None:
    repo.write("main.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n")
    proc = cli(repo.path, "init", "--hooks")
    assert proc.returncode == 0, proc.stderr
    written = (repo.path / ".pre-commit-config.yaml").read_text()
    assert written == hooks_block()
    assert written in (ROOT / "README.md").read_text()
    assert f"  rev: v{__version__}\n" in written and __version__ == "0.2.0"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version = "0\.2\.0"$', pyproject, re.MULTILINE)
    assert f"rev: v{__version__}" in (ROOT / ".pre-commit-hooks.yaml").read_text()


def test_hooks_are_declared_language_python() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert tuple(h["id"] for h in hooks) == HOOK_IDS
    assert {h["language"] for h in hooks} == {"python"}
    assert all(h["entry"].startswith("paperprov hook ") for h in hooks)


def test_init_hooks_in_an_adopted_repository_never_edits_an_existing_config(repo: Repo) -> None:
    repo.write("main.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n")
    assert cli(repo.path, "init").returncode == 0
    mine = "repos:\n- repo: https://example.org/other-hooks\n  rev: v1\n  hooks: [{id: x}]\n"
    repo.write(".pre-commit-config.yaml", mine)
    proc = cli(repo.path, "init", "--hooks")
    assert proc.returncode == 0, proc.stderr
    assert (repo.path / ".pre-commit-config.yaml").read_text() == mine
    assert "add paperprov's hooks under its `repos:` yourself" in proc.stdout
    assert f"- repo: https://github.com/paperprov/paperprov\n  rev: v{__version__}\n" in proc.stdout


def test_released_hooks_run_from_the_tag_in_a_shell_without_a_venv(repo: Repo, tmp_path: Path) -> None:
    """The hook repository at tag v0.2.0 (a clone of this checkout, the tag moved to what
    is tested if the release tag came with it), the block init writes,
    `pre-commit install`, then a commit made by an agent in a shell whose PATH has no
    paperprov: pre-commit built paperprov's environment itself, and the commit is tagged."""
    hooks_repo = tmp_path / "paperprov"
    git(tmp_path, "clone", "-q", str(ROOT), str(hooks_repo))
    git(hooks_repo, "tag", "-f", f"v{__version__}")  # at the code under test, released or not
    repo.write("main.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n")
    assert cli(repo.path, "init", "--hooks", "--hooks-repo", str(hooks_repo)).returncode == 0
    repo.git("add", "-A")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.path,
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    bare = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    bare["PATH"] = "/usr/bin:/bin"
    bare["CLAUDECODE"] = "1"  # Claude Code's marker: the tag hook adds Assisted-by
    proc = subprocess.run(["git", "commit", "-q", "-m", "Adopt paperprov"], cwd=repo.path, env=bare,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Assisted-by: claude-code:" in repo.git("log", "-1", "--format=%B")
    for hook in ("tag", "policy", "lint", "no-private-keys", "attach-tags"):
        assert f"paperprov-{hook}" in (repo.path / ".pre-commit-config.yaml").read_text()
