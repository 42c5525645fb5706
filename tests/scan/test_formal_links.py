"""Which statements link which formal proofs, read from markers, annotations and \\lean."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from provenance.config import Annotation
from provenance.errors import SourceError
from provenance.model import Marker, Unit
from provenance.scan.formal import linked_names, links
from provenance.scan.markers import parse_marker
from provenance.scan.tex.walker import scan
from tests.helpers import ROOT


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


BLUEPRINT = r"""\documentclass{article}
\usepackage{amsthm}
\usepackage{paperprov}
%s
\newtheorem{lemma}{Lemma}
\begin{document}
\begin{lemma}\label{lem:a}\lean{Foo.a, Foo.a'}\leanok
Alpha.
\end{lemma}
\begin{proof}\leanok
Beta.
\end{proof}
\begin{lemma}\label{lem:b}
\lean{Foo.b}
Gamma. \leanokay
\end{lemma}
\lean{Stray}
\end{document}
"""


def test_leanblueprint_macros_link_statements_and_claim_them(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text(BLUEPRINT % "", encoding="utf-8")
    units = scan(tmp_path, "main.tex")
    assert [(u.id, u.formal, u.leanok) for u in units] == [
        ("lem:a", ("lean:Foo.a", "lean:Foo.a'"), True), ("main.tex#proof:of-lem-a", (), True),
        ("lem:b", ("lean:Foo.b",), False)]  # \leanokay is another word; \lean outside a statement says nothing
    assert links(units) == {"lem:a": {"lean:Foo.a": True, "lean:Foo.a'": True}, "lem:b": {"lean:Foo.b": False}}
    (tmp_path / "main.tex").write_text((BLUEPRINT % "").replace("Foo.b", "Foo b"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"main.tex:14: \\lean\{Foo b\}: not a Lean declaration name"):
        scan(tmp_path, "main.tex")



def test_proves_names_the_statement_a_proof_proves(tmp_path: Path) -> None:
    text = (BLUEPRINT % "").replace("\\end{document}", "\\begin{proof}\\proves{lem:a}\\leanok\nDelta.\n\\end{proof}\n"
                                                       "\\end{document}")
    (tmp_path / "main.tex").write_text(text, encoding="utf-8")
    proofs = [(u.id, u.parent) for u in scan(tmp_path, "main.tex") if u.kind == "proof"]
    assert proofs == [("main.tex#proof:of-lem-a", "lem:a"), ("main.tex#proof:of-lem-a-2", "lem:a")]  # not lem:b, the nearer


def test_a_lean_name_after_a_line_ending_comment_and_with_subscripts_is_read(tmp_path: Path) -> None:
    # sphere-eversion's blueprint: \lean{%<newline>  StepLandscape.improveStep_rel_compl_K₁}
    text = (BLUEPRINT % "").replace("\\lean{Foo.b}", "\\lean{%\n  Foo.b_K₁,%\n  Foo.c}")
    (tmp_path / "main.tex").write_text(text, encoding="utf-8")
    assert next(u for u in scan(tmp_path, "main.tex") if u.id == "lem:b").formal == ("lean:Foo.b_K₁", "lean:Foo.c")
    (tmp_path / "main.tex").write_text(text.replace("Foo.c}", "Foo\n c}"), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        scan(tmp_path, "main.tex")
    assert "\n" not in str(err.value) and "\\lean{Foo c}: not a Lean declaration name" in str(err.value)


@pytest.mark.parametrize("preamble", ["", r"\newcommand{\lean}[1]{}\newcommand{\leanok}{}"])
def test_paperprov_sty_lets_lean_macros_print_nothing_or_be_defined_by_the_paper(
        tmp_path: Path, needs_tex: None, preamble: str) -> None:
    shutil.copy(ROOT / "provenance/data/paperprov.sty", tmp_path / "paperprov.sty")
    (tmp_path / "main.tex").write_text((BLUEPRINT % preamble).replace(r"\leanokay", ""), encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    text = subprocess.run(["pdftotext", "main.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "Alpha." in text and "Foo" not in text and "Stray" not in text
