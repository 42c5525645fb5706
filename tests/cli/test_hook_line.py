"""`paperprov hook KIND ARGS...`, the line pre-commit runs on every commit, is read without
argparse (cli/main.py); it means what argparse makes of it, and anything else still goes
through argparse."""

from __future__ import annotations

import subprocess
import sys

import pytest

from provenance.cli.main import build_parser
from tests.helpers import Repo, run_cli

HOOK_LINES = [
    ["hook", "attach-tags"],
    ["hook", "lint", "--all", "paper/main.tex", "code/run.py"],
    ["hook", "lint", "-h", "--version", "-"],
    ["hook", "policy", ".git/COMMIT_EDITMSG", "message", "0123abc"],
    ["hook", "no-private-keys", "-x=1", "a file.tex", "@args"],
]


@pytest.mark.parametrize("argv", HOOK_LINES)
def test_argparse_reads_a_hook_line_as_its_kind_and_the_rest_as_given(argv: list[str]) -> None:
    args = build_parser("hook").parse_args(argv)
    assert (args.command, args.kind, args.args) == ("hook", argv[1], argv[2:])


def test_a_hook_process_does_not_import_argparse(repo: Repo) -> None:
    repo.write("notes.md", "nothing secret\n")
    code = "import sys\nfrom provenance.cli.main import main\nprint(main(sys.argv[1:]), 'argparse' in sys.modules)\n"
    proc = subprocess.run([sys.executable, "-c", code, "hook", "no-private-keys", "notes.md"], cwd=repo.path,
                          capture_output=True, text=True)
    assert proc.stdout == "0 False\n"


def test_other_lines_still_get_argparse_s_answer(repo: Repo) -> None:
    proc = run_cli(repo.path, "hook", "lnit", "paper/main.tex")
    assert proc.returncode == 2
    assert "argument kind: invalid choice: 'lnit'" in proc.stderr
