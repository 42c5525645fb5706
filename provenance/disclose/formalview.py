"""What the disclosure says about formal proofs: per statement, its origin next to what a
proof assistant checked ("AI-drafted, proof checked by Coq" / "AI-drafted, not
checked"), a short cell for the tables and the graph's nodes, and the counts that
separate what was checked from what is only declared.

Apart from view.py so that the view gains one field per row and one for the section;
refs are view.Ref values, passed through untouched (this module does not import view.py,
which imports it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from provenance.model import Attribution, FormalResult
from provenance.record.formal import checker, proved

ORIGIN_WORDS = {"ai": "AI-drafted", "mixed": "partly AI-drafted", "human": "human-written", "unknown": "of unknown origin"}


@dataclass(frozen=True)
class FormalLine:
    ref: object  # view.Ref of the statement
    origin: str  # "AI-drafted", ...
    verdict: str  # "proof checked by Coq", "not checked", "not proved (admitted in Coq)", ...
    names: tuple[str, ...]  # the formal names checked (full names where the assistant gave them)
    note: str  # allowed axioms, the admitted lemma or axioms, the first compile error
    checked: bool  # a proof assistant checked the proof, and it holds

    @property
    def text(self) -> str:
        return f"{self.origin}, {self.verdict}"


@dataclass(frozen=True)
class FormalSection:
    lines: tuple[FormalLine, ...]
    checked: int  # statements whose proof a proof assistant checked
    declared: int  # statements with a formal proof only declared by the authors (not checked here)
    unchecked: int  # the other statements with a proof
    checkers: tuple[str, ...]  # the proof assistants that checked something ("Coq")


def cell(a: Attribution) -> str:
    """A statement's formal status in a few words: "Coq-checked", "Coq admitted",
    "Lean declared"; "" when it links no formal proof."""
    if not a.formal:
        return ""
    best = next((r for r in a.formal if r.status == "proved"), a.formal[0])
    who = checker(best.link)
    return f"{who}-checked" if best.status == "proved" else f"{who} {best.status}"


def _verdict(results: Sequence[FormalResult]) -> tuple[str, tuple[str, ...], str, bool]:
    if not results:
        return "not checked", (), "", False
    good = [r for r in results if r.status == "proved"]
    if good:
        who = " and ".join(dict.fromkeys(checker(r.link) for r in good))
        allowed = sorted({ax for r in good for ax in r.axioms})
        note = f"assuming the allowed axioms {', '.join(allowed)}" if allowed else "closed under the global context"
        return f"proof checked by {who}", tuple(r.detail or r.link for r in good), note, True
    r = results[0]
    who, name = checker(r.link), r.link.partition(":")[2]
    verdicts = {
        "admitted": (f"not proved: the {who} proof is admitted", f"rests on {', '.join(r.axioms)}"),
        "axioms": (f"not proved: the {who} proof rests on axioms", ", ".join(r.axioms)),
        "missing": (f"not checked: {who} has no such name", r.detail),
        "failed": (f"not checked: the {who} development does not compile", r.detail),
        "declared": (f"not checked: a {who} proof is declared by the authors", "no Lean toolchain checked it"),
        "linked": (f"not checked: linked to {who}, not claimed finished", ""),
    }
    verdict, note = verdicts.get(r.status, (f"not checked: {who} was not run", r.detail))
    full = r.detail if r.status in ("admitted", "axioms") and r.detail else name
    return verdict, (full,), note, False


def section(units: Sequence[Attribution], refs: Mapping[str, object]) -> FormalSection | None:
    """The appendix's formal-proof part; None when no statement links a formal proof.
    Lists every statement with a proof in the paper or a formal link, in paper order."""
    if not any(a.formal for a in units):
        return None
    proofs = {a.unit.parent for a in units if a.unit.kind == "proof"}
    lines = []
    for a in units:
        if a.unit.kind != "statement" or not (a.formal or a.unit.id in proofs):
            continue
        verdict, names, note, ok = _verdict(a.formal)
        lines.append(FormalLine(ref=refs[a.unit.id], origin=ORIGIN_WORDS.get(a.origin, "of unknown origin"),
                                verdict=verdict, names=names if a.formal else (), note=note, checked=ok))
    statements = [a for a in units if a.unit.kind == "statement"]
    declared = sum(1 for a in statements if not proved(a.formal) and any(r.status == "declared" for r in a.formal))
    checked = sum(1 for line in lines if line.checked)
    checkers = tuple(sorted({checker(r.link) for a in statements for r in a.formal if r.status == "proved"}))
    return FormalSection(lines=tuple(lines), checked=checked, declared=declared,
                         unchecked=len(lines) - checked - declared, checkers=checkers)
