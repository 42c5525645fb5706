"""A unit covers every line LaTeX reads from its start to its end, in whatever files:
sections through \\input, \\include, \\import, \\subimport and \\subfile; floats and
proofs that \\input their body."""

from __future__ import annotations

from pathlib import Path

from provenance.scan.tex import walker
from provenance.scan.tex.trace import Trace

DOC = "\\documentclass{article}\n\\usepackage{amsthm}\n\\newtheorem{lemma}{Lemma}\n\\begin{document}\n%s\\end{document}\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def units(root: Path, body: str, **files: str) -> dict[str, tuple[str, tuple[int, int], tuple[tuple[str, int, int], ...]]]:
    write(root, {"main.tex": DOC % body, **{k.replace("__", "/") + ".tex": v for k, v in files.items()}})
    return {u.id: (u.file, u.lines, u.spans) for u in walker.scan(root, "main.tex")}


def test_a_section_followed_by_input_covers_the_input_file(tmp_path: Path) -> None:
    intro = "".join(f"Line {i} of the introduction.\n" for i in range(1, 30))
    got = units(tmp_path, "\\section{Introduction}\\label{sec:intro}\n\\input{sections/introduction}\n"
                          "\\section{Model}\\label{sec:model}\nText.\n", sections__introduction=intro)
    assert got["sec:intro"] == ("main.tex", (5, 6), (("main.tex", 5, 6), ("sections/introduction.tex", 1, 29)))
    assert got["sec:model"] == ("main.tex", (7, 8), (("main.tex", 7, 8),))


def test_every_input_form_is_followed_and_nested_sections_end_at_their_level(tmp_path: Path) -> None:
    got = units(
        tmp_path,
        "\\section{One}\n\\include{ch/a}\n\\import{ch/}{b}\nMore of one.\n\\subsection{Sub}\n\\subimport{ch/}{c}\n"
        "\\section{Two}\n\\subfile{ch/d}\n",
        ch__a="A text.\n", ch__b="B text.\n\\subsection{Inner}\nInner text.\n", ch__c="C text.\n",
        ch__d="\\documentclass[../main.tex]{subfiles}\n\\begin{document}\nD text.\n\\end{document}\n")
    assert got["main.tex#section:one"][2] == (
        ("main.tex", 5, 6), ("ch/a.tex", 1, 1), ("main.tex", 7, 7), ("ch/b.tex", 1, 3), ("main.tex", 8, 10),
        ("ch/c.tex", 1, 1))
    assert got["ch/b.tex#subsection:inner"][2] == (("ch/b.tex", 2, 3), ("main.tex", 8, 8))
    assert got["main.tex#subsection:sub"][2] == (("main.tex", 9, 10), ("ch/c.tex", 1, 1))
    # a subfile's own preamble lines are read too, and belong to the section they are in
    assert got["main.tex#section:two"][2] == (("main.tex", 11, 12), ("ch/d.tex", 1, 3))


def test_a_section_in_an_input_file_runs_on_in_the_file_that_input_it(tmp_path: Path) -> None:
    got = units(tmp_path, "\\input{a}\nText after a, still in its last section.\n\\input{b}\n",
                a="\\section{A}\nA text.\n", b="% header comment\n\\appendix\n\\section{B}\nB text.\n")
    assert got["a.tex#section:a"][2] == (("a.tex", 1, 2), ("main.tex", 6, 6))
    # b.tex's comment and \appendix before its heading belong to b, not to section A
    assert got["b.tex#section:b"][2] == (("b.tex", 3, 4),)


def test_a_float_or_proof_that_inputs_its_body_covers_it(tmp_path: Path) -> None:
    got = units(tmp_path, "\\begin{lemma}\\label{lem:a}\nA.\n\\end{lemma}\n\\begin{proof}\n\\input{proofs/a}\n\\end{proof}\n"
                          "\\begin{table}\n\\input{tab}\n\\caption{Numbers}\\label{tab:n}\n\\end{table}\n",
                proofs__a="Long proof.\nQED.\n", tab="\\begin{tabular}{c}1\\end{tabular}\n")
    assert got["main.tex#proof:of-lem-a"][2] == (("main.tex", 8, 9), ("proofs/a.tex", 1, 2), ("main.tex", 10, 10))
    assert got["tab:n"][2] == (("main.tex", 11, 12), ("tab.tex", 1, 1), ("main.tex", 13, 14))


def test_generated_files_are_followed_but_not_covered(tmp_path: Path) -> None:
    write(tmp_path, {"build/disclosure.tex": "\\section{Disclosure}\nGenerated.\n"})
    got = units(tmp_path, "\\section{Last}\nText.\n\\appendix\n\\InputIfFileExists{build/disclosure.tex}{}{}\n")
    # The generated section ends nothing: the build may not have written it yet, and the
    # record of a commit must not depend on that. The last section runs to \end{document}.
    assert got["main.tex#section:last"][2] == (("main.tex", 5, 8),)
    (tmp_path / "build/disclosure.tex").unlink()
    assert units(tmp_path, "\\section{Last}\nText.\n\\appendix\n\\InputIfFileExists{build/disclosure.tex}{}{}\n") == got


def test_trace_cut_merges_adjacent_ranges_and_never_runs_backwards() -> None:
    t = Trace()
    t.open("m.tex", 1, ["a", "b", "c", "d"])
    t.close(2, by_input=True)
    t.open("x.tex", 1, [])
    t.close(0)
    t.open("m.tex", 3)
    t.close(4)
    assert t.cut((0, 1), (2, 4)) == (("m.tex", 1, 4),)  # an empty file between: one range
    assert t.cut((2, 4), (0, 1)) == (("m.tex", 4, 4),)


def test_a_section_of_an_input_file_ends_on_its_last_line_even_a_closing_end(tmp_path: Path) -> None:
    # Commands alone on a line open a file (they belong to it, not to the section
    # before); further down, an \end{proof} is the section's last line like any other.
    chapter = ("\\appendix\n\\section{A}\\label{sec:a}\nText.\n\\begin{proof}\nWords.\n\\end{proof}\n\n"
               "\\section{B}\\label{sec:b}\nMore.\n")
    got = units(tmp_path, "\\section{Intro}\\label{sec:intro}\nIntro text.\n\\input{ch}\n", ch=chapter)
    assert got["sec:intro"][2] == (("main.tex", 5, 6),)  # not ch.tex's \appendix
    assert got["sec:a"] == ("ch.tex", (2, 6), (("ch.tex", 2, 6),))
