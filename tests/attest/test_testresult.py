"""The claim checks' outcomes as a signed in-toto Test Result statement, checked by verify."""

from __future__ import annotations

import json
import os
from pathlib import Path

from provenance.attest import signing
from provenance.attest.sign import write_attestation
from provenance.attest.submission import write_submission
from provenance.attest.testresult import TEST_RESULT_PREDICATE, outcomes, predicate
from provenance.config import load
from provenance.verify.checks import verify_path
from provenance.verify.report import format_text
from tests.helpers import Repo, fake_build, make_paper

UNITS = [
    {"id": "lem:a", "checks": [{"nodeid": "tests/t.py::test_a", "outcome": "passed"},
                               {"nodeid": "tests/t.py::test_b", "outcome": "not-run"}],
     "formal": [{"link": "coq:Paper.a", "status": "proved"}]},
    {"id": "lem:b", "checks": [{"nodeid": "tests/t.py::test_a", "outcome": "failed"}],
     "formal": [{"link": "lean:Paper.b", "status": "declared"}, {"link": "coq:Paper.c", "status": "admitted"}]},
]


def test_outcomes_take_each_check_at_its_worst_and_formal_statuses_by_meaning() -> None:
    got = outcomes({"units": UNITS})
    assert got == {"tests/t.py::test_a": "failed", "tests/t.py::test_b": "not-run", "coq:Paper.a": "passed",
                   "lean:Paper.b": "not-run", "coq:Paper.c": "failed"}
    pred = predicate(got, {"provenance.yaml": "0" * 64})
    assert pred == {"result": "FAILED", "configuration": [{"name": "provenance.yaml", "digest": {"sha256": "0" * 64}}],
                    "passedTests": ["coq:Paper.a"], "warnedTests": [],
                    "failedTests": ["coq:Paper.c", "tests/t.py::test_a"],
                    "notRunTests": ["lean:Paper.b", "tests/t.py::test_b"]}
    assert predicate({"x": "not-run", "y": "passed"}, {})["result"] == "WARNED"
    assert predicate({"y": "passed"}, {})["result"] == "PASSED"
    assert outcomes({"units": [1, {"checks": "x"}, {"checks": [{"nodeid": 3}]}]}) == {}
    assert outcomes([]) == {}  # type: ignore[arg-type]


def build_with_checks(repo: Repo) -> None:
    fake_build(repo)
    record = json.loads((repo.path / "build/record.json").read_text())
    record["units"] = UNITS
    (repo.path / "build/record.json").write_text(json.dumps(record, sort_keys=True) + "\n")


def checked_paper(repo: Repo) -> Path:
    """A paper whose record links checks, attested; keys/ada.pub committed."""
    make_paper(repo)
    build_with_checks(repo)
    out = repo.path / "build/attestation.intoto.jsonl"
    write_attestation(load(repo.path), out)
    repo.commit("Add signing key ada")
    build_with_checks(repo)  # the record names the new HEAD
    write_attestation(load(repo.path), out)
    return out


def statements(att: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(signing.parse_envelope(ln, "t").payload) for ln in att.read_text().splitlines()]


def test_the_test_result_statement_is_signed_third_and_verifies(repo: Repo) -> None:
    att = checked_paper(repo)
    sts = statements(att)
    assert [s["predicateType"] for s in sts] == ["https://slsa.dev/provenance/v1", "https://paperprov.dev/record/v1",
                                                  TEST_RESULT_PREDICATE]
    tr = sts[2]
    assert [s["name"] for s in tr["subject"]] == ["build/paper.pdf", "build/record.json"]
    assert tr["predicate"]["result"] == "FAILED"
    assert [c["name"] for c in tr["predicate"]["configuration"]] == ["provenance.yaml"]
    first = att.read_bytes()
    write_attestation(load(repo.path), att)
    assert statements(att) == sts and att.read_bytes() == first  # same inputs, same payloads
    report = verify_path(repo.path)
    assert report.ok, format_text(report)
    assert "test-result statement: FAILED: 1 passed, 2 failed, 2 not run, as build/record.json says" in \
        [c.what for c in report.checks]
    bundle = write_submission(load(repo.path))
    assert verify_path(bundle).ok


def test_outcomes_that_disagree_with_the_record_fail_verification(repo: Repo) -> None:
    att = checked_paper(repo)
    signer = signing.load_signer(Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada")
    lines = []
    for st in statements(att):
        if st["predicateType"] == TEST_RESULT_PREDICATE:
            st["predicate"]["result"] = "PASSED"
            st["predicate"]["failedTests"] = []
        lines.append(signing.Envelope(json.dumps(st).encode(), signing.PAYLOAD_TYPE, ()).signed_by(signer).to_line())
    att.write_text("\n".join(lines) + "\n")
    report = verify_path(repo.path)
    assert [c.what for c in report.failed] == [
        "test-result statement: its outcomes differ from those build/record.json lists"]


def test_no_linked_check_no_test_result_statement(repo: Repo) -> None:
    make_paper(repo)
    fake_build(repo)
    att = repo.path / "build/attestation.intoto.jsonl"
    write_attestation(load(repo.path), att)
    assert len(statements(att)) == 2
