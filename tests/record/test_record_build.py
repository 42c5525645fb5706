"""The record task end to end through doit: claim-check outcomes, reviews, policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, Repo, run_cli, run_doit

CONFIG = """\
paper: {name: small, main: main.tex}
authors: [{name: Ada Author, email: ada@example.org}]
checks:
  lem:b: [tests/test_claims.py::test_false]
policy: {require_checks_pass: true, enforce_on_build: %s}
"""
MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
\section{Results}\label{sec:r}
%% paperprov: origin=ai tool=claude-code model=m1 check=tests/test_claims.py::test_true
\begin{lemma}\label{lem:a}
Addition commutes.
\end{lemma}
\begin{lemma}\label{lem:b}
Everything is false.
\end{lemma}
\begin{proof}
\uses{lem:a}
By \cref{lem:a}.
\end{proof}
\end{document}
"""
CLAIMS = "def test_true():\n    assert 1 + 2 == 2 + 1\n\n\ndef test_false():\n    assert False\n"


@pytest.fixture
def small(repo: Repo) -> Repo:
    repo.commit("small paper", {
        "provenance.yaml": CONFIG % "false",
        "main.tex": MAIN.replace("%%", "%"),
        "tests/test_claims.py": CLAIMS,
        "dodo.py": (ROOT / "dodo.py").read_text(),
        ".gitignore": "build/\n.doit.db*\n",
    })
    return repo


def record(path: Path) -> dict[str, dict]:
    doc = json.loads((path / "build/record.json").read_text())
    return {u["id"]: u for u in doc["units"]} | {"__summary__": doc["summary"]}


def test_record_carries_check_outcomes_and_what_statements_rest_on(small: Repo) -> None:
    proc = run_doit(small.path, "record")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    units = record(small.path)
    assert [(c["nodeid"], c["outcome"]) for c in units["lem:a"]["checks"]] == [
        ("tests/test_claims.py::test_true", "passed")]
    assert [(c["nodeid"], c["outcome"]) for c in units["lem:b"]["checks"]] == [
        ("tests/test_claims.py::test_false", "failed")]
    rests = units["__summary__"]["dependencies"]["lem:b"]
    assert rests["rests_on"] == ["lem:a"]
    assert "lem:a" in rests["unreviewed_ai"]
    checks = json.loads((small.path / "build/checks.json").read_text())["checks"]
    assert checks["tests/test_claims.py::test_true"]["duration"] >= 0.0
    status = run_cli(small.path, "status")
    row = next(ln for ln in status.stdout.splitlines() if ln.startswith("lem:b "))
    assert "0/1 passed (failed) in " in row
    assert "lem:b: unreviewed AI: lem:a; checks: tests/test_claims.py::test_false (failed)" in status.stdout
    # Nothing changed: the checks task is up to date and pytest does not run again.
    again = run_doit(small.path, "record")
    assert "-- checks" in again.stdout


def test_review_is_recorded_then_goes_stale_when_the_text_changes(small: Repo) -> None:
    proc = run_cli(small.path, "review", "lem:a", "--by", "Ada Author")
    assert proc.returncode == 0, proc.stderr
    assert run_doit(small.path, "record").returncode == 0
    (review,) = record(small.path)["lem:a"]["reviewed_by"]
    assert review["by"] == "Ada Author" and review["stale"] is False
    small.write("main.tex", MAIN.replace("%%", "%").replace("Addition commutes.", "Addition commutes, always."))
    assert run_doit(small.path, "record").returncode == 0
    (review,) = record(small.path)["lem:a"]["reviewed_by"]
    assert review["stale"] is True


def test_review_by_someone_not_an_author_is_refused(small: Repo) -> None:
    proc = run_cli(small.path, "review", "lem:a", "--by", "Mallory")
    assert proc.returncode != 0
    assert "Mallory" in proc.stderr and "Ada Author" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_policy_on_build_lists_each_offending_unit(small: Repo) -> None:
    small.commit("enforce", {"provenance.yaml": CONFIG % "true"})
    proc = run_doit(small.path, "record")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "lem:b" in out and "tests/test_claims.py::test_false" in out
    assert "Traceback" not in out
