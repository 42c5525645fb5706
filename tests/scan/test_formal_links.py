"""Which statements link which formal proofs, read from markers, annotations and \\lean."""

from __future__ import annotations

import pytest

from provenance.config import Annotation
from provenance.errors import SourceError
from provenance.model import Marker, Unit
from provenance.scan.formal import linked_names, links
from provenance.scan.markers import parse_marker


def unit(uid: str, kind: str = "statement", parent: str | None = None, formal: tuple[str, ...] = (),
         leanok: bool = False, marker: str = "") -> Unit:
    markers = (parse_marker(f"% paperprov: {marker}", "p.tex", 1),) if marker else ()
    return Unit(uid, kind, "p.tex", (2, 3), label=uid if kind == "statement" else None, parent=parent,
                formal=formal, leanok=leanok, markers=tuple(m for m in markers if m is not None))


def test_links_gather_markers_proofs_lean_macros_and_annotations() -> None:
    units = [
        unit("lem:a", marker="origin=ai formal=coq:a formal=coq:a2"),
        unit("p.tex#proof:1", "proof", parent="lem:a", marker="formal=lean:A.a"),
        unit("lem:b", formal=("lean:B.b",)),
        unit("p.tex#proof:2", "proof", parent="lem:b", leanok=True),
        unit("lem:c", formal=("lean:C.c",), leanok=True),
        unit("p.tex#proof:3", "proof", parent="lem:c"),
        unit("lem:d"),
    ]
    notes = [Annotation(index=0, fields=(("formal", "coq:d"),), label="lem:d")]
    got = links(units, notes)
    assert got == {
        "lem:a": {"coq:a": True, "coq:a2": True, "lean:A.a": True},
        "lem:b": {"lean:B.b": True},  # \leanok in its proof: claimed finished
        "lem:c": {"lean:C.c": False},  # \leanok on the statement only; its proof has none
        "lem:d": {"coq:d": True},
    }
    assert linked_names(got, "coq") == ["a", "a2", "d"]
    assert linked_names(got, "lean") == ["A.a", "B.b", "C.c"]


def test_a_formal_link_on_a_section_is_an_error_naming_the_line() -> None:
    section = Unit("sec:x", "section", "p.tex", (5, 9), markers=(Marker("p.tex", 4, (("formal", "coq:a"),)),))
    with pytest.raises(SourceError, match=r"p.tex:4: formal= links a theorem-like statement .* this is a section"):
        links([section])


@pytest.mark.parametrize(("line", "message"), [
    ("% paperprov: formal=isabelle:x", "p.tex:1: paperprov formal='isabelle:x' must be coq:NAME or lean:NAME"),
    ("% paperprov: formal=coq:a;b", "p.tex:1: paperprov formal='coq:a;b': 'a;b' is not a coq name"),
])
def test_malformed_formal_markers_are_errors(line: str, message: str) -> None:
    with pytest.raises(SourceError) as err:
        parse_marker(line, "p.tex", 1)
    assert str(err.value).startswith(message)
