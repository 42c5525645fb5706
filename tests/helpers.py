"""What the tests share: real git repositories in temporary directories, the example
paper, the commands as processes, the real pre-commit framework, and small papers that
several test modules build on. Never mocks."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ("provenance.yaml", "dodo.py", "paper", "experiments", "tests/claims", "formal", ".gitignore")
EXAMPLE_DATE = "2026-01-02T03:04:05Z"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Author",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Author",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Variables of the shell running the tests that would change what the code does.
AGENT_VARS = ("CLAUDECODE", "GEMINI_CLI", "CURSOR_AGENT", "AI_AGENT", "AGENT", "ANTHROPIC_MODEL", "GEMINI_MODEL",
              "CLAUDE_CONFIG_DIR")
AGENT_PREFIXES = ("CODEX_", "CLAUDE_CODE", "AIDER_", "PAPERPROV_", "ANTHROPIC_DEFAULT_")


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

    def __init__(self, path: Path, init: bool = True) -> None:
        self.path = path
        if init:
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


def copy_example(dest: Path) -> Path:
    """The example paper and experiments, as files (no repository yet)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


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


# -- the commit hooks through the real pre-commit framework ------------------------------

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


# -- a small attested paper (attestation, submission and verify tests) --------------------

TINY_CONFIG = """\
paper: {name: tiny, main: paper/main.tex}
experiments:
  - name: sq
    script: experiments/sq.py
    outputs: [table.tex, results.json]
signing: {name: ada}
"""
TINY_MAIN = "\\documentclass{article}\n\\begin{document}\nHello.\n\\input{../build/experiments/sq/table}\n\\end{document}\n"
TINY_SCRIPT = "import sys\nprint('squares')\n"


def make_paper(repo: Repo, date: str = "2026-01-02T03:04:05Z") -> Repo:
    """A small paper repository with one commit."""
    repo.commit("Tiny paper", {
        "provenance.yaml": TINY_CONFIG,
        "paper/main.tex": TINY_MAIN,
        "experiments/sq.py": TINY_SCRIPT,
        ".gitignore": "build/\ndist/\n.doit.db*\n",
    }, date=date)
    return repo


def fake_build(repo: Repo, pdf: bytes = b"%PDF-1.5\n% a paper\n%%EOF\n") -> None:
    """The files a build leaves (a PDF byte string is data here, not a mocked TeX)."""
    commit = repo.git("rev-parse", "HEAD").strip()
    record = {"schema": "paperprov/record/v1", "commit": commit, "dirty": False, "partial": False,
              "warnings": [], "units": [], "summary": {"units": 0}}
    repo.write("build/paper.pdf", pdf)
    repo.write("build/experiments/sq/table.tex", "\\begin{tabular}{c}1\\\\4\\end{tabular}\n")
    repo.write("build/experiments/sq/results.json", '{"squares": [1, 4, 9]}\n')
    repo.write("build/record.json", json.dumps(record, indent=2, sort_keys=True) + "\n")
    repo.write("build/disclosure.tex", "\\section{AI use disclosure}\n")
    repo.write("build/disclosure.md", "# AI use disclosure\n")
    repo.write("build/ai-usage-card.json", '{"schema": "paperprov/ai-usage-card/v1"}\n')
    repo.write("build/ai-usage-card.md", "# AI Usage Card\n")
    repo.write("build/gaidet.md", "# Disclosure of Delegation to Generative AI\n")
    repo.write("build/report/index.html", "<!DOCTYPE html>\n<title>Provenance report: tiny</title>\n")
    # The SOURCE_DATE_EPOCH each output was built with, as the pipeline records it.
    from provenance.config import load
    from provenance.evidence.epochs import experiment_epochs
    from provenance.evidence.gitrun import source_date_epoch
    from provenance.paths import PAPER_EPOCH, experiment_epoch

    for name, epoch in experiment_epochs(load(repo.path)).items():
        repo.write(experiment_epoch(name), f"{epoch}\n")
    repo.write(PAPER_EPOCH, f"{source_date_epoch(repo.path)}\n")


def attested(repo: Repo) -> Path:
    """A paper repo with build outputs and a signed attestation; keys/ada.pub committed."""
    make_paper(repo)
    fake_build(repo)
    from provenance.attest.sign import write_attestation
    from provenance.config import load

    out = repo.path / "build/attestation.intoto.jsonl"
    write_attestation(load(repo.path), out)
    repo.commit("Add signing key ada", date="2026-01-02T04:00:00Z")
    fake_build(repo)  # the record names the new HEAD
    write_attestation(load(repo.path), out)
    return out


# -- papers made of \\input sections (record and status tests) ---------------------------

SECTIONS_CONFIG = "paper: {name: t, main: paper/main.tex}\n"
SECTIONS_MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
\input{sections/base}
%(inputs)s
\end{document}
"""


def section(name: str, marker: str = "") -> str:
    return (f"{marker}\\section{{{name.title()}}}\\label{{sec:{name}}}\n"
            f"\\begin{{lemma}}\\label{{lem:{name}}}\nEvery {name} graph is finite.\n\\end{{lemma}}\n"
            f"\\begin{{proof}}\nBy \\cref{{lem:base}} and \\ref{{eq:missing}}.\n\\end{{proof}}\n")


def paper(*names: str) -> dict[str, str]:
    inputs = "".join(f"\\input{{sections/{n}}}\n" for n in names)
    return {"provenance.yaml": SECTIONS_CONFIG, "paper/main.tex": SECTIONS_MAIN % {"inputs": inputs}}


def copy_built(built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A copy of a tree built once per session (`built`: the tree and the HOME whose key
    signed it), signing with the same key: a built tree to change in milliseconds."""
    src, home = built
    dest = tmp_path / "example"
    shutil.copytree(src, dest, symlinks=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return Repo(dest, init=False)
