"""The claim checks' outcomes as an in-toto Test Result statement
(`https://in-toto.io/attestation/test-result/v0.1`, in-toto/attestation
spec/predicates/test-result.md), signed next to the SLSA and record statements.

- subject: the artifacts whose claims were tested: build/paper.pdf and build/record.json
  (the record names each statement and its checks; both are subjects of the other
  statements too, with the same digests);
- predicate.result: `FAILED` when a check failed (failed, error, missing) or a linked
  formal proof was refused (admitted, axioms, missing, failed); else `WARNED` when some
  did not run (not-run, and formal proofs only declared or linked, which nothing here
  checked); else `PASSED`;
- passedTests / failedTests: pytest node ids, and formal links as `coq:NAME` /
  `lean:NAME`; `warnedTests` is left empty (the spec means tests that passed with
  warnings) and the ones not run go under `notRunTests`, an extension field the spec's
  parsing rules tell other readers to ignore (so `result` alone says the run is
  incomplete);
- configuration: the files the checks ran from (test files, conftest.py files, the
  modules they import, the formal developments) and provenance.yaml, by sha256.

Outcomes come from the record (a check linked to several statements counts once, at its
worst), never from build/checks.json's durations, so the statement is a function of the
commit like the others. No check and no formal proof linked: no statement.
"""

from __future__ import annotations

from typing import Any

TEST_RESULT_PREDICATE = "https://in-toto.io/attestation/test-result/v0.1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PASSED_FORMAL = ("proved",)
FAILED_FORMAL = ("admitted", "axioms", "missing", "failed")
_WORST = {"failed": 0, "not-run": 1, "passed": 2}


def _kind(outcome: str, formal: bool) -> str:
    if formal:
        return "passed" if outcome in PASSED_FORMAL else "failed" if outcome in FAILED_FORMAL else "not-run"
    return "passed" if outcome == "passed" else "failed" if outcome in ("failed", "error", "missing") else "not-run"


def outcomes(record: dict[str, Any]) -> dict[str, str]:
    """Each check (node id or formal link) -> passed | failed | not-run, from a record's
    JSON; a check linked to several units at its worst. Hostile input gives fewer checks,
    never an exception."""
    out: dict[str, str] = {}
    units = record.get("units") if isinstance(record, dict) else None
    for u in units if isinstance(units, list) else ():
        if not isinstance(u, dict):
            continue
        found = [(c.get("nodeid"), c.get("outcome"), False) for c in u.get("checks") or () if isinstance(c, dict)]
        found += [(f.get("link"), f.get("status"), True) for f in u.get("formal") or () if isinstance(f, dict)]
        for name, outcome, formal in found:
            if isinstance(name, str) and isinstance(outcome, str):
                kind = _kind(outcome, formal)
                if name not in out or _WORST[kind] < _WORST[out[name]]:
                    out[name] = kind
    return out


def predicate(checks: dict[str, str], configuration: dict[str, str]) -> dict[str, Any]:
    by = {k: sorted(n for n, o in checks.items() if o == k) for k in ("passed", "failed", "not-run")}
    result = "FAILED" if by["failed"] else "WARNED" if by["not-run"] else "PASSED"
    return {
        "result": result,
        "configuration": [{"name": n, "digest": {"sha256": d}} for n, d in sorted(configuration.items())],
        "passedTests": by["passed"],
        "warnedTests": [],
        "failedTests": by["failed"],
        "notRunTests": by["not-run"],
    }


def test_result_statement(*, record: dict[str, Any], subjects: dict[str, str],
                          configuration: dict[str, str]) -> dict[str, Any] | None:
    checks = outcomes(record)
    if not checks:
        return None
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": n, "digest": {"sha256": d}} for n, d in sorted(subjects.items())],
        "predicateType": TEST_RESULT_PREDICATE,
        "predicate": predicate(checks, configuration),
    }
