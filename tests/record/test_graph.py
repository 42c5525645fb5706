"""What each statement rests on, and cycles in `uses`."""

from __future__ import annotations

from collections.abc import Sequence

from provenance.model import Attribution, BadCheck, CheckResult, Rests, Review, Summary, Unit
from provenance.record.graph import StatementGraph, format_cycle
from provenance.recordjson import summary_to_dict


def closure(units: Sequence[Attribution]) -> dict[str, Rests]:
    return StatementGraph.of(units).closure()


def cycles(units: Sequence[Attribution]) -> list[list[str]]:
    return StatementGraph.of(units).cycles()


def st(label: str, uses: tuple[str, ...] = (), origin: str = "human", reviews: tuple[Review, ...] = (),
       checks: tuple[CheckResult, ...] = (), line: int = 1) -> Attribution:
    unit = Unit(id=label, kind="statement", file="paper/main.tex", lines=(line, line + 2), label=label,
                env="lemma", display="Lemma", uses=uses)
    return Attribution(unit=unit, origin=origin, ai_fraction=1.0 if origin == "ai" else 0.0,
                       reviewed_by=reviews, checks=checks)


def proof(of: str, uses: tuple[str, ...] = (), origin: str = "human", n: int = 1) -> Attribution:
    unit = Unit(id=f"paper/main.tex#proof:{n}", kind="proof", file="paper/main.tex", lines=(50 + n, 52 + n),
                parent=of, uses=uses)
    return Attribution(unit=unit, origin=origin, ai_fraction=1.0 if origin == "ai" else 0.0)


def other(uid: str, kind: str, origin: str = "ai") -> Attribution:
    return Attribution(unit=Unit(id=uid, kind=kind, file="paper/main.tex", lines=(1, 99), label=uid),
                       origin=origin, ai_fraction=1.0)


CURRENT = (Review("Ada Author", "c0ffee", False, "note"),)
STALE = (Review("Ada Author", "c0ffee", True, "note"),)


def test_a_statement_rests_on_what_its_proof_uses_transitively() -> None:
    units = [
        other("sec:model", "section"),
        st("lem:mono", origin="ai", checks=(CheckResult("t.py::mono", "passed"),)),
        st("lem:pyth", origin="ai", reviews=CURRENT, checks=(CheckResult("t.py::pyth", "failed"),)),
        proof("lem:pyth", uses=("lem:mono", "eq:norm", "sec:model"), n=1),
        st("lem:ma", uses=("lem:pyth",), origin="mixed", reviews=STALE, checks=(CheckResult("t.py::ma", "missing"),)),
        st("thm:main", origin="human", checks=(CheckResult("t.py::thm", "not-run"),)),
        proof("thm:main", uses=("lem:ma", "lem:mono", "thm:main"), origin="ai", n=2),
    ]
    got = closure(units)
    assert list(got) == ["lem:mono", "lem:pyth", "lem:ma", "thm:main"]
    assert got["lem:mono"] == Rests((), ("lem:mono",), ())
    assert got["lem:pyth"] == Rests(("lem:mono",), ("lem:mono",), (BadCheck("lem:pyth", "t.py::pyth", "failed"),))
    assert got["thm:main"] == Rests(
        rests_on=("lem:mono", "lem:pyth", "lem:ma"),
        # thm:main itself: a human statement with an unreviewed AI proof
        unreviewed_ai=("lem:mono", "lem:ma", "thm:main"),
        bad_checks=(BadCheck("lem:pyth", "t.py::pyth", "failed"), BadCheck("lem:ma", "t.py::ma", "missing"),
                    BadCheck("thm:main", "t.py::thm", "not-run")),
    )
    assert summary_to_dict(Summary(dependencies=got))["dependencies"]["thm:main"]["bad_checks"][0] == {"unit": "lem:pyth", "nodeid": "t.py::pyth",
                                                          "outcome": "failed"}
    assert not got["thm:main"].clean


def test_a_review_of_the_statement_covers_its_ai_proof() -> None:
    units = [st("lem:a", reviews=CURRENT), proof("lem:a", origin="ai")]
    assert closure(units)["lem:a"] == Rests()
    assert closure(units)["lem:a"].clean


def test_a_marker_review_counts_and_a_stale_one_does_not() -> None:
    marked = st("lem:a", origin="ai", reviews=(Review("Ada Author", None, False, "marker"),))
    assert closure([marked])["lem:a"].unreviewed_ai == ()
    assert closure([st("lem:a", origin="ai", reviews=STALE)])["lem:a"].unreviewed_ai == ("lem:a",)


def test_cycles_are_reported_with_their_labels_in_document_order() -> None:
    units = [
        st("lem:a", uses=("lem:b",), line=1),
        st("lem:b", line=10),
        proof("lem:b", uses=("lem:c", "lem:a", "lem:b"), n=1),  # lem:b names itself: not a cycle
        st("lem:c", uses=("lem:a",), line=20),
        st("lem:d", uses=("lem:d", "lem:a"), line=30),  # a self-use is no cycle either
    ]
    found = cycles(units)
    assert found == [["lem:a", "lem:b"], ["lem:a", "lem:b", "lem:c"]]
    assert [format_cycle(c) for c in found] == ["lem:a -> lem:b -> lem:a", "lem:a -> lem:b -> lem:c -> lem:a"]
    # closure terminates on cycles: each statement on one rests on the others
    assert closure(units)["lem:c"].rests_on == ("lem:a", "lem:b")
    assert closure(units)["lem:d"].rests_on == ("lem:a", "lem:b", "lem:c")


def test_no_cycles_in_an_acyclic_paper_and_long_chains_do_not_recurse() -> None:
    # deeper than Python's recursion limit
    chain = [st(f"lem:{i}", uses=(f"lem:{i - 1}",) if i else (), line=i) for i in range(1200)]
    assert cycles(chain) == []
    assert len(closure(chain)["lem:1199"].rests_on) == 1199
    ring = chain[1:] + [st("lem:0", uses=("lem:1199",))]
    assert [len(c) for c in cycles(ring)] == [1200]
