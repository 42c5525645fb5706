"""Submission policy: one line per offending unit, saying what would fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import Config, parse
from provenance.errors import PolicyError
from provenance.model import Attribution, CheckResult, Record, Review, Unit
from provenance.record.policy import enforce, evaluate

STALE = (Review("Ada Author", "c0ffee", True, "note"),)
CURRENT = (Review("Ada Author", "c0ffee", False, "note"),)


def config(tmp_path: Path, policy: str) -> Config:
    (tmp_path / "paper").mkdir(exist_ok=True)
    (tmp_path / "paper/main.tex").write_text("\\documentclass{article}\n")
    return parse(f"paper: {{name: demo, main: paper/main.tex}}\npolicy: {policy}\n", tmp_path)


def unit(uid: str, kind: str = "statement", origin: str = "human", line: int = 1, label: bool = True,
         decided_by: str = "blame",
         parent: str | None = None, file: str = "paper/main.tex", reviews: tuple[Review, ...] = (),
         checks: tuple[CheckResult, ...] = (), conflicts: tuple[str, ...] = (), fraction: float = 0.0) -> Attribution:
    u = Unit(id=uid, kind=kind, file=file, lines=(line, line + 3), label=uid if label else None,
             display="Lemma" if kind == "statement" else "", parent=parent)
    return Attribution(unit=u, origin=origin, ai_fraction=fraction, reviewed_by=reviews, checks=checks,
                       conflicts=conflicts, decided_by=decided_by)


RECORD = Record(commit="c0ffee", dirty=False, units=(
    unit("sec:intro", kind="section", origin="human", line=1),
    unit("lem:mono", origin="ai", line=10, decided_by="marker", checks=(CheckResult("tests/claims/test_chain.py::test_mono", "passed"),)),
    unit("lem:pyth", origin="mixed", line=20, fraction=0.5, reviews=STALE,
         checks=(CheckResult("tests/claims/test_chain.py::test_pyth", "failed"),)),
    unit("paper/main.tex#proof:1", kind="proof", origin="ai", line=24, label=False, parent="lem:pyth", fraction=1.0),
    unit("lem:ma", origin="ai", line=30, fraction=1.0, reviews=CURRENT),
    unit("paper/main.tex#proof:2", kind="proof", origin="ai", line=34, label=False, parent="lem:ma", fraction=1.0),
    unit("thm:main", origin="human", line=40, conflicts=("thm:main declared human but 95% of its lines come from AI-tagged commits",),
         checks=(CheckResult("tests/claims/test_chain.py::test_thm", "missing"),
                 CheckResult("tests/claims/test_chain.py::test_rate", "error"))),
    unit("experiments/chain.py::run_chain", kind="function", origin="unknown", line=5, label=False,
         file="experiments/chain.py"),
))


def test_no_policy_no_lines(tmp_path: Path) -> None:
    cfg = config(tmp_path, "{}")
    assert evaluate(cfg, RECORD) == []
    enforce(cfg, RECORD)  # does not raise


def test_require_review_of_ai_names_each_unit_and_the_command_that_fixes_it(tmp_path: Path) -> None:
    cfg = config(tmp_path, "{require_review_of_ai: true}")
    assert evaluate(cfg, RECORD) == [
        "paper/main.tex:10: Lemma lem:mono: AI-drafted (origin ai, declared by marker) with no review; "
        "have an author read it and run `paperprov review lem:mono --by NAME`",
        "paper/main.tex:20: Lemma lem:pyth: partly AI-written (origin mixed, 50% of lines from AI-tagged commits) and the review by "
        "Ada Author is stale (the text changed since); have an author read it and run `paperprov review lem:pyth --by NAME`",
        # the proof is fixed by reviewing its statement; lem:ma's proof is covered by lem:ma's review
        "paper/main.tex:24: paper/main.tex#proof:1: AI-drafted (origin ai, 100% of lines from AI-tagged commits) and the review by "
        "Ada Author is stale (the text changed since); have an author read it and run `paperprov review lem:pyth --by NAME`",
    ]


def test_forbid_conflicts_and_require_checks_pass_share_one_line_per_unit(tmp_path: Path) -> None:
    cfg = config(tmp_path, "{forbid_conflicts: true, require_checks_pass: true}")
    assert evaluate(cfg, RECORD) == [
        "paper/main.tex:20: Lemma lem:pyth: check tests/claims/test_chain.py::test_pyth failed, fix the statement or the check",
        "paper/main.tex:40: Lemma thm:main: conflict: thm:main declared human but 95% of its lines come from AI-tagged "
        "commits; make the declaration and the commit tags agree; "
        "check tests/claims/test_chain.py::test_thm missing, no such test; fix the node id or write the check; "
        "check tests/claims/test_chain.py::test_rate error, the check itself errored; fix it",
    ]


def test_max_unknown_fraction_summarises_then_lists_the_unknown_units(tmp_path: Path) -> None:
    assert evaluate(config(tmp_path, "{max_unknown_fraction: 0.125}"), RECORD) == []  # 1 of 8 is allowed
    assert evaluate(config(tmp_path, "{max_unknown_fraction: 0.1}"), RECORD) == [
        "provenance.yaml: policy.max_unknown_fraction: 1 of 8 units (12%) have unknown origin, more than 10%; "
        "declare the origin of those listed below",
        "experiments/chain.py:5: experiments/chain.py::run_chain: origin unknown; declare it "
        "(`# paperprov: origin=human|ai|mixed` before the unit, or an annotations entry in provenance.yaml)",
    ]


def test_enforce_raises_a_summary_line_then_one_line_per_unit(tmp_path: Path) -> None:
    cfg = config(tmp_path, "{require_review_of_ai: true, require_checks_pass: true, forbid_conflicts: true,"
                           " max_unknown_fraction: 0.0}")
    with pytest.raises(PolicyError) as exc:
        enforce(cfg, RECORD)
    lines = str(exc.value).splitlines()
    assert lines[0] == "the record does not meet the policy in provenance.yaml (5 unit(s) to fix):"
    assert [ln.split(": ")[0].strip() for ln in lines[1:]] == [
        "provenance.yaml", "paper/main.tex:10", "paper/main.tex:20", "paper/main.tex:24", "paper/main.tex:40",
        "experiments/chain.py:5"]


def test_an_empty_record_meets_any_policy(tmp_path: Path) -> None:
    cfg = config(tmp_path, "{require_review_of_ai: true, max_unknown_fraction: 0.0}")
    assert evaluate(cfg, Record(commit=None, dirty=False, units=())) == []
