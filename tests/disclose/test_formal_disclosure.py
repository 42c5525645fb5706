"""What the appendix and the statement graph say about formal proofs (pure: no coqc)."""

from __future__ import annotations

from provenance.disclose import formalview
from provenance.model import Attribution, FormalResult, Unit
from provenance.record.graph import StatementGraph


def att(uid: str, kind: str = "statement", origin: str = "ai", parent: str | None = None,
        uses: tuple[str, ...] = (), formal: tuple[FormalResult, ...] = ()) -> Attribution:
    unit = Unit(uid, kind, "p.tex", (1, 2), label=uid if kind == "statement" else None, parent=parent, uses=uses)
    return Attribution(unit=unit, origin=origin, ai_fraction=1.0, formal=formal)


PAPER = [
    att("def:x"),
    att("lem:a", formal=(FormalResult("coq:a", "proved", (), "P.a"),)),
    att("pa", "proof", parent="lem:a"),
    att("lem:b", origin="human", formal=(FormalResult("lean:B.b", "declared", (), "no toolchain"),)),
    att("pb", "proof", parent="lem:b", uses=("lem:a",)),
    att("thm:c", formal=(FormalResult("coq:c", "admitted", ("P.c",), "P.c"),)),
    att("pc", "proof", parent="thm:c", uses=("lem:b", "def:x")),
    att("lem:d"),
    att("pd", "proof", parent="lem:d"),
]


def test_each_statement_with_a_proof_says_whether_a_proof_assistant_checked_it() -> None:
    section = formalview.section(PAPER, {a.unit.id: a.unit.id for a in PAPER})
    assert section is not None
    assert [(line.ref, line.text, line.names, line.note) for line in section.lines] == [
        ("lem:a", "AI-drafted, proof checked by Coq", ("P.a",), "closed under the global context"),
        ("lem:b", "human-written, not checked: a Lean proof is declared by the authors", ("B.b",),
         "no Lean toolchain checked it"),
        ("thm:c", "AI-drafted, not proved: the Coq proof is admitted", ("P.c",), "rests on P.c"),
        ("lem:d", "AI-drafted, not checked", (), ""),
    ]
    assert (section.checked, section.declared, section.unchecked, section.checkers) == (1, 1, 2, ("Coq",))
    assert [formalview.cell(a) for a in PAPER if a.unit.kind == "statement"] == [
        "", "Coq-checked", "Lean declared", "Coq admitted", ""]


def test_the_rests_on_closure_lists_statements_not_formally_proved() -> None:
    deps = StatementGraph.of(PAPER).closure()
    assert deps["thm:c"].not_formally_proved == ("lem:b", "thm:c")  # def:x has no proof to check
    assert deps["lem:a"].not_formally_proved == ()
    plain = [att(a.unit.id, a.unit.kind, parent=a.unit.parent, uses=a.unit.uses) for a in PAPER]
    assert all(not r.not_formally_proved for r in StatementGraph.of(plain).closure().values())  # no formal links: no noise
    assert formalview.section(plain, {}) is None
