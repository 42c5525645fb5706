"""The reviewer's check of the Test Result statement (attest/testresult.py), when the
attestation has one: its subjects are the attested PDF and record, its outcomes are the
ones the bundle's record.json lists, and the files it says the checks ran from are
attested inputs with the same digests."""

from __future__ import annotations

from provenance.attest import statements as manifest
from provenance.attest.testresult import TEST_RESULT_PREDICATE, outcomes, predicate
from provenance.verify.bundle import Bundle
from provenance.verify.report import Check


def check_test_result(bundle: Bundle, statements: dict[str, manifest.Statement], checks: list[Check]) -> None:
    st = statements.get(TEST_RESULT_PREDICATE)
    rec = statements.get(manifest.RECORD_PREDICATE)
    slsa = statements.get(manifest.SLSA_PREDICATE)
    if st is None or rec is None or slsa is None:
        return
    problems = []
    if not set(st.subjects) <= set(rec.subjects) or manifest.RECORD_NAME not in st.subjects:
        problems.append("its subjects are not among the record statement's, with build/record.json")
    doc = bundle.read_json(manifest.RECORD_NAME)
    found = outcomes(doc) if isinstance(doc, dict) else {}
    expected = predicate(found, {})
    keys = ("result", "passedTests", "failedTests", "notRunTests")
    if any(st.predicate.get(k) != expected[k] for k in keys):
        problems.append(f"its outcomes differ from those {manifest.RECORD_NAME} lists")
    inputs = slsa.inputs()
    config = st.predicate.get("configuration")
    for item in config if isinstance(config, list) else [None]:
        name = item.get("name") if isinstance(item, dict) else None
        digest = manifest.dig(item, "digest", "sha256")
        if not isinstance(name, str) or inputs.get(name) != digest:
            problems.append(f"configuration {name!r} is not an attested input with that digest")
            break
    summary = (f"{expected['result']}: {len(expected['passedTests'])} passed, {len(expected['failedTests'])} failed, "
               f"{len(expected['notRunTests'])} not run, as {manifest.RECORD_NAME} says")
    checks.append(Check(not problems, "test-result statement: " + ("; ".join(problems) if problems else summary)))
