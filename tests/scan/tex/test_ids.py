"""Unit ids: the label, else one made from kind and title that does not move when a
section is inserted before the unit; unique; duplicate labels recorded."""

from __future__ import annotations

from pathlib import Path

from provenance.scan.tex import walker
from provenance.scan.tex.ids import slug

DOC = ("\\documentclass{article}\n\\usepackage{amsthm}\n\\newtheorem{lemma}{Lemma}\n\\newtheorem{remark}{Remark}\n"
       "\\begin{document}\n%s\\end{document}\n")


def ids(root: Path, body: str) -> list[str]:
    (root / "main.tex").write_text(DOC % body, encoding="utf-8")
    return [u.id for u in walker.scan(root, "main.tex")]


def test_slugs_are_short_lowercase_ascii_words() -> None:
    assert slug("Résultats: the $O(k^2/T)$ bound!") == "resultats-the-o-k-2-t-bound"
    assert slug("A very long title that goes on and on well past the limit of forty") == \
        "a-very-long-title-that-goes-on-and-on"
    assert slug("$$") == ""


def test_inserting_a_section_before_another_keeps_its_id(tmp_path: Path) -> None:
    body = ("\\section{Introduction}\nText.\n\\begin{lemma}[Monotonicity]\nA.\n\\end{lemma}\n\\begin{proof}\nB.\n"
            "\\end{proof}\n\\begin{remark}\nR.\n\\end{remark}\n\\begin{figure}\\caption{Excess error. Log scale.}"
            "\\end{figure}\n")
    before = ids(tmp_path, body)
    assert before == ["main.tex#section:introduction", "main.tex#lemma:monotonicity", "main.tex#proof:of-monotonicity",
                      "main.tex#remark:1", "main.tex#figure:excess-error"]
    after = ids(tmp_path, "\\section{Preliminaries}\n\\begin{remark}\nNew.\n\\end{remark}\n" + body)
    assert after[2:] == ["main.tex#section:introduction", "main.tex#lemma:monotonicity", "main.tex#proof:of-monotonicity",
                         "main.tex#remark:2", "main.tex#figure:excess-error"]


def test_same_titles_are_told_apart_in_document_order(tmp_path: Path) -> None:
    got = ids(tmp_path, "\\section{Proofs}\n\\subsection{Setup}\n\\section{More}\n\\subsection{Setup}\n"
                        "\\section{Proofs}\\label{x}\n\\section{Proofs}\n")
    assert got == ["main.tex#section:proofs", "main.tex#subsection:setup", "main.tex#section:more",
                   "main.tex#subsection:setup-2", "x", "main.tex#section:proofs-2"]


def test_every_label_is_recorded_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "b.tex").write_text("\\begin{equation}\\label{eq:a}x\\end{equation}\n", encoding="utf-8")
    (tmp_path / "main.tex").write_text(DOC % "\\section{S}\\label{eq:a}\n\\input{b}\n", encoding="utf-8")
    _, deps = walker.scan_paper(tmp_path, "main.tex")
    assert deps.labels == (("eq:a", "main.tex", 6), ("eq:a", "b.tex", 1))
    assert deps.duplicate_labels() == {"eq:a": (("main.tex", 6), ("b.tex", 1))}
