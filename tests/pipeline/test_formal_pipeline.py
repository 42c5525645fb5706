"""Formal proofs through doit: the checks task runs coqc only when a Coq file changed, and
the record, status, policy and appendix say what Coq checked and what it did not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, Repo, run_cli, run_doit

CONFIG = """\
paper: {name: small, main: main.tex}
authors: [{name: Ada Author, email: ada@example.org}]
formal:
  coq: {root: formal, logical: Small}
policy: {require_formal_proof: %s, enforce_on_build: true}
"""
MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
%% paperprov: origin=ai tool=claude-code model=m1 formal=coq:plus_zero
\begin{lemma}\label{lem:a}
$n+0=n$.
\end{lemma}
\begin{proof}
Induction.
\end{proof}
%% paperprov: origin=ai tool=claude-code model=m1
\begin{lemma}\label{lem:b}
$0+n=n$.
\end{lemma}
\begin{proof}
\uses{lem:a}
By \cref{lem:a}.
\end{proof}
\end{document}
"""
PROOF = "Proof. induction n as [|n IH]; simpl; [reflexivity | rewrite IH; reflexivity]. Qed."
COQ = f"Lemma plus_zero : forall n : nat, n + 0 = n.\n{PROOF}\n"

pytestmark = pytest.mark.usefixtures("needs_coq")


@pytest.fixture
def small(repo: Repo) -> Repo:
    repo.commit("small paper", {
        "provenance.yaml": CONFIG % "false",
        "main.tex": MAIN.replace("%%", "%"),
        "formal/Arith.v": COQ,
        "dodo.py": (ROOT / "dodo.py").read_text(),
        ".gitignore": "build/\n.doit.db*\n",
    })
    return repo


def units(path: Path) -> dict[str, dict]:
    doc = json.loads((path / "build/record.json").read_text())
    return {u["id"]: u for u in doc["units"]} | {"__summary__": doc["summary"]}


def test_record_and_appendix_say_what_coq_checked(small: Repo) -> None:
    proc = run_doit(small.path, "disclosure")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = units(small.path)
    assert got["lem:a"]["formal"] == [{"link": "coq:plus_zero", "status": "proved", "axioms": [],
                                       "detail": "Small.Arith.plus_zero"}]
    assert got["lem:b"]["formal"] == []
    assert got["__summary__"]["dependencies"]["lem:b"]["not_formally_proved"] == ["lem:b"]
    assert got["__summary__"]["dependencies"]["lem:a"]["not_formally_proved"] == []
    md = (small.path / "build/disclosure.md").read_text()
    assert "Lemma `lem:a`: AI\\-drafted, proof checked by Coq (`Small.Arith.plus_zero`)" in md
    assert "Lemma `lem:b`: AI\\-drafted, not checked." in md
    assert "1 has its proof checked by a proof assistant in this build (Coq)" in md
    assert "\\item Lemma~\\ref{lem:a}: AI-drafted, proof checked by Coq" in (small.path / "build/disclosure.tex").read_text()
    status = run_cli(small.path, "status")
    assert status.returncode == 0, status.stderr
    row = next(line for line in status.stdout.splitlines() if line.startswith("lem:a "))
    assert row.rstrip().endswith("coq proved")
    assert "lem:b: unreviewed AI: lem:a, lem:b; not formally proved: lem:b" in status.stdout


def test_checks_rerun_only_when_a_coq_file_changes_and_an_edit_shows(small: Repo) -> None:
    assert run_doit(small.path, "checks").returncode == 0
    again = run_doit(small.path, "checks")
    assert "-- checks" in again.stdout, again.stdout
    (small.path / "formal/Arith.v").write_text(COQ.replace(PROOF, "Proof. Admitted."))
    proc = run_doit(small.path, "record")
    assert ".  checks" in proc.stdout, proc.stdout
    assert units(small.path)["lem:a"]["formal"][0]["status"] == "admitted"
    (small.path / "formal/Arith.v").write_text(COQ.replace("n + 0 = n", "n + 0 = S n"))
    assert run_doit(small.path, "record").returncode == 0
    result = units(small.path)["lem:a"]["formal"][0]
    assert result["status"] == "failed" and result["detail"].startswith("formal/Arith.v:2: ")


def test_policy_names_each_statement_without_a_checked_formal_proof(small: Repo) -> None:
    (small.path / "provenance.yaml").write_text(CONFIG % "true")
    (small.path / "formal/Arith.v").write_text(COQ.replace(PROOF, "Proof. Admitted."))
    proc = run_doit(small.path, "record")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "main.tex:6: Lemma lem:a: coq:plus_zero: not proved: the Coq proof of plus_zero is admitted" in out
    assert "main.tex:13: Lemma lem:b: no formal proof (policy.require_formal_proof)" in out
    (small.path / "provenance.yaml").write_text(CONFIG % '["lem:b"]')
    out = run_doit(small.path, "record").stdout
    assert "lem:b" in out and "lem:a:" not in out


def test_a_link_without_a_configured_development_is_one_line(small: Repo) -> None:
    (small.path / "provenance.yaml").write_text(CONFIG.replace("formal:\n  coq: {root: formal, logical: Small}\n", "")
                                                % "false")
    proc = run_doit(small.path, "checks")
    assert proc.returncode != 0
    assert ("paperprov: provenance.yaml: formal.coq: statement lem:a links coq:plus_zero, but no Coq project is "
            "configured") in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
