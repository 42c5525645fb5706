"""LaTeX scanning: units, theorem environments and dependencies, on papers written the
way people write them (tests/fixtures/latex/multifile compiles with real pdflatex)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.errors import SourceError
from provenance.model import Unit
from provenance.scan.tex import walker as latex
from tests.helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "latex" / "multifile"
DATA = ROOT / "provenance" / "data"


def line_of(root: Path, rel: str, needle: str) -> int:
    """The 1-based line of the one occurrence of `needle` in a fixture file."""
    lines = (root / rel).read_bytes().decode("latin-1").split("\n")
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(hits) == 1, (rel, needle, hits)
    return hits[0]


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def paper(tmp_path: Path, body: str, preamble: str = "", **files: str) -> list[Unit]:
    doc = "\\documentclass{article}\n\\usepackage{amsthm}\n" + preamble + "\\begin{document}\n" + body + "\\end{document}\n"
    write(tmp_path, {"main.tex": doc, **{k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()}})
    return latex.scan(tmp_path, "main.tex")


@pytest.fixture(scope="module")
def units() -> dict[str, Unit]:
    found = latex.scan(FIXTURE, "main.tex")
    return {u.id: u for u in found}


# -- the multi-file fixture -------------------------------------------------------------

def test_dependencies_follow_every_input_form_in_document_order() -> None:
    deps = latex.dependencies(FIXTURE, "main.tex")
    assert deps.tex == ("main.tex", "sections/intro.tex", "sections/model.tex", "sections/results.tex",
                        "tables/length.tex", "appendix/proofs.tex", "appendix/extra.tex")
    # local packages (also one loaded by another), the graphic found through \graphicspath
    # with LaTeX's extension order, the bibliography; nothing from comments or \iffalse
    assert deps.other == ("mythm.sty", "styles/extra.sty", "figures/chain.png", "refs.bib")
    assert deps.missing == ()


def test_theorem_envs_from_every_newtheorem_form_in_local_packages() -> None:
    assert dict(latex.dependencies(FIXTURE, "main.tex").theorems) == {
        "theorem": "Theorem",  # \newtheorem{theorem}{Theorem}[section]
        "lem": "Lemma",  # \newtheorem{lem}[theorem]{Lemma}
        "prop": "Proposition",
        "defn": "Definition",  # \declaretheorem[name=Definition, sibling=theorem]{defn}
        "assumption": "Assumption",  # \declaretheorem[style=remark]{assumption}
        "rem": "Remark",  # \newtheorem*{rem}{Remark}
        "claim": "Claim",  # from styles/extra.sty, loaded by mythm.sty
        "cor": "Corollary",
    }  # and not `ignored`, defined after \endinput


def test_units_in_document_order_with_ids_kinds_and_titles(units: dict[str, Unit]) -> None:
    assert [(u.id, u.kind, u.title) for u in units.values()] == [
        ("sec:intro", "section", "Introduction"),
        ("sec:contrib", "subsection", "Contributions"),
        ("sec:model", "section", "The model: agents on a DAG"),
        ("def:agent", "statement", "Agent"),
        ("lem:mono", "statement", "Monotonicity"),
        ("sections/model.tex#proof:of-lem-mono", "proof", ""),
        ("lem:pyth", "statement", "Pythagorean improvement"),
        ("sections/model.tex#proof:of-lem-pyth", "proof", ""),
        ("fig:chain", "figure", r"Excess error of the chain, $\Delta(f_t)/\Delta(f_1)$, against $t$."),
        ("sections/model.tex#rem:1", "statement", ""),
        ("sec:results", "section", "Résultats"),  # from a latin-1 file
        ("thm:main", "statement", "Main"),
        ("tab:length", "table", r"Chain length to reach $\Delta \le 10^{-3}\Delta(f_1)$."),
        ("claim:window", "statement", ""),
        ("sections/results.tex#proof:of-claim-window", "proof", ""),
        ("app:proofs", "section", "Deferred proofs"),
        ("appendix/proofs.tex#proof:of-thm-main", "proof", ""),
        ("appendix/extra.tex#proof:of-lem-mono", "proof", ""),
    ]


def test_nothing_from_comments_verbatim_iffalse_definitions_or_after_the_end(units: dict[str, Unit]) -> None:
    labels = {u.label for u in units.values()}
    assert not labels & {"thm:fake", "lem:commented", "thm:old", "sec:fake"}
    assert not any(u.title in ("Old draft", "After the end", "Not a section") for u in units.values())


def test_statement_env_and_display(units: dict[str, Unit]) -> None:
    assert (units["lem:mono"].env, units["lem:mono"].display) == ("lem", "Lemma")
    assert (units["def:agent"].env, units["def:agent"].display) == ("defn", "Definition")
    assert (units["sections/model.tex#rem:1"].env, units["sections/model.tex#rem:1"].display) == ("rem", "Remark")


def test_line_ranges_are_exact(units: dict[str, Unit]) -> None:
    def span(rel: str, first: str, last: str) -> tuple[int, int]:
        return line_of(FIXTURE, rel, first), line_of(FIXTURE, rel, last)

    m = "sections/model.tex"
    assert units["lem:mono"].lines == (line_of(FIXTURE, m, r"\begin{lem}[Monotonicity]"), 11) == (8, 11)
    assert units["lem:pyth"].lines == (line_of(FIXTURE, m, "[Pythagorean improvement]"), 23) == (17, 23)
    assert units["sections/model.tex#proof:of-lem-mono"].lines == (12, 15)
    assert units["fig:chain"].lines == (line_of(FIXTURE, m, r"\begin{figure}[t]"), line_of(FIXTURE, m, r"\end{figure}"))
    assert units["def:agent"].lines == (4, 6)
    # a section runs to its last non-blank line before the next section, or its file's end
    assert units["sec:intro"].lines == (2, 26)
    assert units["sec:contrib"].lines == (line_of(FIXTURE, "sections/intro.tex", r"\subsection{Contributions}"), 26)
    assert units["sec:model"].lines == (1, 39)
    assert units["sec:results"].lines == (2, 21)  # latin-1 bytes do not shift lines
    assert units["thm:main"].lines == span("sections/results.tex", r"\begin{theorem}[Main]", r"\end{theorem}")
    assert units["appendix/extra.tex#proof:of-lem-mono"].lines == (1, 3)


def test_parents_proof_ownership_and_proof_of_references(units: dict[str, Unit]) -> None:
    assert units["sec:contrib"].parent == "sec:intro"
    assert units["sec:model"].parent is None
    assert units["lem:mono"].parent == "sec:model"
    assert units["fig:chain"].parent == "sec:model"
    assert units["sections/model.tex#proof:of-lem-mono"].parent == "lem:mono"  # the nearest preceding statement
    assert units["sections/model.tex#proof:of-lem-pyth"].parent == "lem:pyth"
    assert units["sections/results.tex#proof:of-claim-window"].parent == "claim:window"
    assert units["appendix/proofs.tex#proof:of-thm-main"].parent == "thm:main"  # [Proof of \cref{thm:main}]
    assert units["appendix/extra.tex#proof:of-lem-mono"].parent == "lem:mono"  # [Proof of Lemma~\ref{lem:mono}]


def test_uses_explicit_and_inferred_from_proof_references(units: dict[str, Unit]) -> None:
    assert units["thm:main"].uses == ("lem:mono", "lem:pyth")  # \uses{lem:mono, lem:pyth}
    assert units["sections/model.tex#proof:of-lem-mono"].uses == ("def:agent",)
    # \cref, \eqref, \Cref, \autoref inside a proof, in order
    assert units["sections/model.tex#proof:of-lem-pyth"].uses == ("lem:mono", "eq:pyth", "def:agent", "fig:chain")
    # the statement a proof names in [Proof of ...] is its parent, not something it uses
    assert units["appendix/proofs.tex#proof:of-thm-main"].uses == ("claim:window", "lem:mono")
    assert units["sec:contrib"].uses == ()  # references outside proofs are not uses


def test_figure_and_table_includes(units: dict[str, Unit]) -> None:
    assert units["fig:chain"].includes == ("figures/chain.png",)
    assert units["tab:length"].includes == ("tables/length.tex",)


def test_markers_before_a_unit_and_in_its_first_lines(units: dict[str, Unit]) -> None:
    intro = units["sec:intro"].markers
    assert [(m.file, m.line, m.fields) for m in intro] == [
        ("sections/intro.tex", 1, (("origin", "human"), ("reviewed-by", "alice")))]
    assert [m.line for m in units["def:agent"].markers] == [3]
    mono = units["lem:mono"].markers
    assert [m.line for m in mono] == [9] and mono[0].get("reviewed-by") == "Ada Author"
    assert units["sec:model"].markers == ()  # the marker above \begin{defn} is the definition's


def test_scan_is_deterministic() -> None:
    assert latex.scan(FIXTURE, "main.tex") == latex.scan(FIXTURE, "main.tex")


def test_fixture_is_real_latex_and_uses_prints_nothing(tmp_path: Path, needs_tex: None, units: dict[str, Unit]) -> None:
    work = tmp_path / "paper"
    shutil.copytree(FIXTURE, work)
    env = dict(os.environ, TEXINPUTS=f".:{DATA}:")
    proc = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]
    text = subprocess.run(["pdftotext", "main.pdf", "-"], cwd=work, capture_output=True, text=True).stdout
    proofs = [u for u in units.values() if u.kind == "proof"]
    assert len(re.findall(r"^Proof(?: of [^.]*)?\.", text, re.M)) == len(proofs) == 5
    for u in units.values():
        if u.kind == "statement" and u.title and "$" not in u.title:
            assert f"({u.title})." in text
    assert "lem:mono, lem:pyth" not in text and "def:agent" not in text  # \uses printed nothing
    assert r"\begin{theorem}\label{thm:fake}" in text  # the verbatim block is typeset as code


# -- forms, one at a time ---------------------------------------------------------------

def test_newtheorem_forms_in_the_preamble(tmp_path: Path) -> None:
    pre = ("\\newtheorem{thm}{Theorem}[section]\n\\newtheorem{lem}[thm]{Lemma}\n\\newtheorem*{obs}{Observation}\n"
           "\\usepackage{thmtools}\n\\declaretheorem{conjecture}\n\\declaretheorem[title={Main Theorem}]{mainthm}\n")
    body = ("\\begin{lem}a\\end{lem}\n\\begin{obs}b\\end{obs}\n\\begin{conjecture}c\\end{conjecture}\n"
            "\\begin{mainthm}d\\end{mainthm}\n")
    found = paper(tmp_path, body, pre)
    assert [(u.env, u.display, u.lines) for u in found] == [
        ("lem", "Lemma", (10, 10)), ("obs", "Observation", (11, 11)), ("conjecture", "Conjecture", (12, 12)),
        ("mainthm", "Main Theorem", (13, 13))]


def test_llncs_spnewtheorem_in_a_local_class(tmp_path: Path) -> None:
    write(tmp_path, {
        "llncs.cls": "\\ProvidesClass{llncs}\n\\spnewtheorem{lemma}{Lemma}{\\bfseries}{\\itshape}\n"
                     "\\spnewtheorem*{claim}{Claim}{\\itshape}{\\rmfamily}\n",
        "main.tex": "\\documentclass{llncs}\n\\begin{document}\n\\begin{lemma}x\\end{lemma}\n"
                    "\\begin{claim}y\\end{claim}\n\\end{document}\n",
    })
    assert dict(latex.dependencies(tmp_path, "main.tex").theorems) == {"lemma": "Lemma", "claim": "Claim"}
    assert latex.dependencies(tmp_path, "main.tex").other == ("llncs.cls",)
    assert [u.display for u in latex.scan(tmp_path, "main.tex")] == ["Lemma", "Claim"]


def test_class_outside_the_repo_brings_its_known_theorems(tmp_path: Path) -> None:
    write(tmp_path, {"main.tex": "\\documentclass{llncs}\n\\begin{document}\n\\begin{property}x\\end{property}\n"
                                 "\\begin{example}y\\end{example}\n\\end{document}\n"})
    assert [(u.env, u.display) for u in latex.scan(tmp_path, "main.tex")] == [("property", "Property"), ("example", "Example")]


def test_every_input_form_and_a_missing_file(tmp_path: Path) -> None:
    files = {
        "a.tex": "\\section{A}\n", "b.tex": "\\section{B}\n", "c.tex": "\\section{C}\n", "d.tex": "\\section{D}\n",
        "parts/sub.tex": "\\documentclass[../main.tex]{subfiles}\n\\begin{document}\n\\section{Sub}\n\\end{document}\n",
        "parts/ch/one.tex": "\\section{One}\n\\input{two}\n", "parts/ch/two.tex": "\\section{Two}\n",
    }
    write(tmp_path, files)
    body = ("\\input{a}\n\\input b\n\\input{c.tex}\n\\include{d}\n\\subfile{parts/sub}\n\\import{parts/ch/}{one}\n"
            "\\input{nowhere}\n")
    found = paper(tmp_path, body, "\\usepackage{subfiles,import}\n")
    assert [(u.title, u.file, u.lines) for u in found] == [
        ("A", "a.tex", (1, 1)), ("B", "b.tex", (1, 1)), ("C", "c.tex", (1, 1)), ("D", "d.tex", (1, 1)),
        ("Sub", "parts/sub.tex", (3, 3)), ("One", "parts/ch/one.tex", (1, 1)), ("Two", "parts/ch/two.tex", (1, 1))]
    deps = latex.dependencies(tmp_path, "main.tex")
    assert deps.tex == ("main.tex", "a.tex", "b.tex", "c.tex", "d.tex", "parts/sub.tex", "parts/ch/one.tex",
                        "parts/ch/two.tex")
    assert deps.missing == ("main.tex:11: nowhere",)


def test_a_class_that_inputs_a_distribution_file_is_not_missing_anything(tmp_path: Path) -> None:
    # acmart.cls, copied into many papers: \input{glyphtounicode} comes from TeX Live.
    write(tmp_path, {"acmart.cls": "\\LoadClass{article}\n\\input{glyphtounicode}\n\\newtheorem{lemma}{Lemma}\n"})
    (tmp_path / "main.tex").write_text("\\documentclass{acmart}\n\\begin{document}\n\\input{glyphtounicode}\n"
                                       "\\begin{lemma}x\\end{lemma}\n\\end{document}\n")
    deps = latex.dependencies(tmp_path, "main.tex")
    assert deps.other == ("acmart.cls",) and deps.missing == ("main.tex:3: glyphtounicode",)
    assert [u.kind for u in latex.scan(tmp_path, "main.tex")] == ["statement"]  # the class was still read


def test_subimport_is_relative_to_the_importing_file(tmp_path: Path) -> None:
    write(tmp_path, {"chap/intro.tex": "\\subimport{sec/}{first}\n", "chap/sec/first.tex": "\\section{First}\n"})
    found = paper(tmp_path, "\\import{chap/}{intro}\n", "\\usepackage{import}\n")
    assert [(u.title, u.file) for u in found] == [("First", "chap/sec/first.tex")]


def test_paper_in_a_subdirectory_resolves_against_its_own_directory(tmp_path: Path) -> None:
    write(tmp_path, {
        "paper/main.tex": "\\documentclass{article}\n\\begin{document}\n\\input{sections/s}\n"
                          "\\begin{figure}\\includegraphics{../build/experiments/chain/fig}\\caption{C}\\end{figure}\n"
                          "\\begin{table}\\input{../build/experiments/table/table}\\end{table}\n\\end{document}\n",
        "paper/sections/s.tex": "\\section{S}\n",
    })
    found = latex.scan(tmp_path, "paper/main.tex")
    assert [(u.kind, u.file) for u in found] == [("section", "paper/sections/s.tex"), ("figure", "paper/main.tex"),
                                                 ("table", "paper/main.tex")]
    # outputs not written yet: the path LaTeX will read, the same before and after the run
    assert found[1].includes == ("build/experiments/chain/fig",)
    assert found[2].includes == ("build/experiments/table/table.tex",)
    gen = ["build/experiments/chain/fig.pdf", "build/experiments/table/table.tex"]
    found = latex.scan(tmp_path, "paper/main.tex", generated=gen)
    assert found[1].includes == ("build/experiments/chain/fig.pdf",)
    deps = latex.dependencies(tmp_path, "paper/main.tex", generated=gen)
    assert deps.tex[-1] == "build/experiments/table/table.tex" and deps.other == ("build/experiments/chain/fig.pdf",)


def test_generated_files_under_build_are_read_but_yield_no_units(tmp_path: Path) -> None:
    write(tmp_path, {"build/disclosure.tex": "\\section{AI-use disclosure}\n\\begin{lem}x\\end{lem}\n"})
    found = paper(tmp_path, "\\section{Real}\ntext\n\n\\input{build/disclosure}\n", "\\newtheorem{lem}{Lemma}\n")
    # The generated section closes no section of the paper (present or not, the same units).
    assert [(u.title, u.lines) for u in found] == [("Real", (5, 8))]


def test_disclosure_label_does_not_name_the_unlabelled_section_before_it(tmp_path: Path) -> None:
    """A last section without \\label (a Conclusion) followed by the generated appendix
    keeps its own id; the disclosure's \\label used to become the Conclusion's id."""
    write(tmp_path, {"build/disclosure.tex": "\\section{AI-use disclosure}\\label{sec:paperprov-disclosure}\ntext\n"})
    found = paper(tmp_path, "\\section{Conclusion}\nWe are done.\n\\appendix\n\\InputIfFileExists{build/disclosure.tex}{}{}\n")
    assert [(u.id, u.title, u.label) for u in found] == [("main.tex#section:conclusion", "Conclusion", None)]


def test_section_ends_before_the_next_section_even_in_another_file(tmp_path: Path) -> None:
    write(tmp_path, {"s2.tex": "\n\\section{Two}\nbody\n"})
    found = paper(tmp_path, "\\section{One}\\label{s1}\nbody\n\n\\input{s2}\n\\section{Three}\nlast\n\n")
    assert [(u.id, u.file, u.lines) for u in found] == [
        ("s1", "main.tex", (4, 5)), ("s2.tex#section:two", "s2.tex", (2, 3)), ("main.tex#section:three", "main.tex", (8, 9))]


def test_iffalse_else_and_nested_conditionals(tmp_path: Path) -> None:
    body = ("\\iffalse\n\\section{Gone}\n\\ifdraft x \\fi\n\\section{Gone too}\n\\else\n\\section{Kept}\n\\fi\n"
            "\\iffalse % \\fi in a comment does not end it\n\\section{Gone three}\n\\fi\n\\section{After}\n")
    assert [u.title for u in paper(tmp_path, body)] == ["Kept", "After"]


def test_escaped_percent_is_text_and_double_backslash_percent_is_a_comment(tmp_path: Path) -> None:
    body = "\\section{Rates of 50\\%}\\label{sec:rates}\nline\\\\% \\section{Commented}\n"
    found = paper(tmp_path, body)
    assert [(u.id, u.title) for u in found] == [("sec:rates", "Rates of 50%")]


def test_labels_go_to_the_unit_that_owns_them(tmp_path: Path) -> None:
    body = ("\\section{Title\\label{sec:in-title}}\n"
            "\\begin{lem}\n\\begin{equation}\\label{eq:inner}x\\end{equation}\n\\label{lem:late}\n\\end{lem}\n"
            "\\begin{figure}\\begin{center}\\caption{Cap}\\label{fig:centered}\\end{center}\\end{figure}\n"
            "\\subsection{Sub}\n\\begin{equation}y\\end{equation}\\label{eq:after}\n")
    found = paper(tmp_path, body, "\\newtheorem{lem}{Lemma}\n")
    assert [u.id for u in found] == ["sec:in-title", "lem:late", "fig:centered", "main.tex#subsection:sub"]


def test_unlabelled_and_duplicate_labels_get_unique_stable_ids(tmp_path: Path) -> None:
    body = "\\section{A}\\label{x}\n\\section{B}\\label{x}\n\\section{C}\n\\begin{lem}\\end{lem}\n"
    found = paper(tmp_path, body, "\\newtheorem{lem}{Lemma}\n")
    ids = [u.id for u in found]
    assert ids == ["x", "main.tex#section:b", "main.tex#section:c", "main.tex#lem:1"]
    assert found[1].label == "x"


def test_proof_named_by_ref_that_is_not_a_statement_falls_back_to_the_nearest(tmp_path: Path) -> None:
    body = ("\\begin{lem}\\label{a}\\end{lem}\n\\begin{lem}\\label{b}\\end{lem}\n"
            "\\begin{proof}[Proof of \\Cref{a}]\\end{proof}\n\\begin{proof}[Proof of (\\ref{eq:z})]\\end{proof}\n")
    found = paper(tmp_path, body, "\\newtheorem{lem}{Lemma}\n")
    assert [u.parent for u in found if u.kind == "proof"] == ["a", "b"]


def test_a_malformed_marker_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"sec.tex": "\\section{S}\n% paperprov: origin=robots\n"})
    with pytest.raises(SourceError, match=r"^sec\.tex:2: paperprov origin='robots'"):
        paper(tmp_path, "\\input{sec}\n")


def test_a_marker_that_annotates_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^main\.tex:6: paperprov marker annotates no unit"):
        paper(tmp_path, "\\section{S}\nSome text.\n% paperprov: origin=ai\nMore text.\n")


def test_markers_trailing_and_after_blank_lines(tmp_path: Path) -> None:
    body = ("% paperprov: origin=ai\n\n% explanation\n\\section{S} % paperprov: reviewed-by=bob\n"
            "\\begin{lem} % paperprov: origin=human\nx\n\\end{lem}\n")
    found = paper(tmp_path, body, "\\newtheorem{lem}{Lemma}\n")
    assert [[m.fields for m in u.markers] for u in found] == [
        [(("origin", "ai"),), (("reviewed-by", "bob"),)], [(("origin", "human"),)]]


def test_missing_main_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^paper/main\.tex: cannot read .*paper\.main in provenance\.yaml"):
        latex.scan(tmp_path, "paper/main.tex")


def test_non_utf8_bytes_never_crash(tmp_path: Path) -> None:
    write(tmp_path, {"main.tex": b"\\documentclass{article}\n\\begin{document}\n\\section{Caf\xe9 \xff\xfe}\n\\end{document}\n"})
    assert [u.title for u in latex.scan(tmp_path, "main.tex")] == ["Caf\xe9 \xff\xfe"]


def test_unbalanced_source_does_not_crash(tmp_path: Path) -> None:
    body = "\\section{Unclosed\n\\begin{lem}\nno end\n\\begin{proof}[oops\n"
    found = paper(tmp_path, body, "\\newtheorem{lem}{Lemma}\n")
    assert [u.kind for u in found] == ["section", "statement", "proof"]
    assert all(u.lines[0] <= u.lines[1] for u in found)


def test_input_if_file_exists_reads_the_file_when_there_and_is_quiet_when_not(tmp_path: Path) -> None:
    body = "\\InputIfFileExists{build/disclosure.tex}{}{}\n\\InputIfFileExists{s.tex}{}{\\typeout{none}}\n"
    write(tmp_path, {"s.tex": "\\section{S}\n"})
    found = paper(tmp_path, body)
    assert [u.title for u in found] == ["S"]
    deps = latex.dependencies(tmp_path, "main.tex")
    assert deps.tex == ("main.tex", "s.tex") and deps.missing == ()
    write(tmp_path, {"build/disclosure.tex": "\\section{Disclosure}\n"})
    assert latex.dependencies(tmp_path, "main.tex").tex == ("main.tex", "build/disclosure.tex", "s.tex")


PIECES = ["\\begin{lem}", "\\end{lem}", "\\begin{proof}", "[Proof of \\cref{a}]", "\\end{proof}", "{", "}", "[", "]",
          "%", "\\%", "\\\\", "\\section{", "\\subsection*", "\\label{a}", "\\label{b}", "\\iffalse", "\\else", "\\fi",
          "\\verb|", "|", "\\begin{verbatim}", "\\end{verbatim}", "\\input{", "missing}", "\\uses{a,b}", "\\ref{c}",
          "\\begin{figure}", "\\caption{", "\\end{figure}", "\\includegraphics{x}", "\\newtheorem{lem}{Lemma}",
          "\\end{document}", "\\endinput", "% paperprov: origin=ai", "text", " ", "\n", "\n\n", "\\", "$x$", "\xe9"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_any_token_soup_gives_sane_units_or_one_source_error(tmp_path: Path, pieces: list[str]) -> None:
    text = "\\newtheorem{lem}{Lemma}\n" + "".join(pieces)
    (tmp_path / "main.tex").write_bytes(text.encode("latin-1"))
    n_lines = text.count("\n") + 1
    try:
        found = latex.scan(tmp_path, "main.tex")
    except SourceError as err:
        assert str(err).startswith("main.tex:") and "\n" not in str(err)
        return
    ids = [u.id for u in found]
    assert len(ids) == len(set(ids))
    for u in found:
        assert 1 <= u.lines[0] <= u.lines[1] <= n_lines
        assert u.parent is None or u.parent in ids


def test_restatable_statements_and_subfigure_captions(tmp_path: Path) -> None:
    body = ("\\begin{restatable}[Main bound]{theorem}{mainthm}\\label{thm:main}\nx\n\\end{restatable}\n"
            "\\begin{figure}\n\\begin{subfigure}{.5\\linewidth}\\includegraphics{a}\\caption{Left}\\label{fig:a}"
            "\\end{subfigure}\n\\caption{Both panels}\\label{fig:both}\n\\end{figure}\n\\mainthm*\n")
    write(tmp_path, {"a.pdf": b"%PDF-1.4\n"})
    found = paper(tmp_path, body, "\\usepackage{thmtools,subcaption}\n\\newtheorem{theorem}{Theorem}\n")
    assert [(u.id, u.kind, u.env, u.title, u.lines, u.includes) for u in found] == [
        ("thm:main", "statement", "theorem", "Main bound", (6, 8), ()),
        ("fig:both", "figure", "", "Both panels", (9, 12), ("a.pdf",))]


def test_a_header_marker_in_a_file_without_units_is_no_error(tmp_path: Path) -> None:
    write(tmp_path, {"macros.tex": "% paperprov: origin=ai role=generated\n\\newcommand{\\R}{\\mathbb{R}}\n"})
    assert [u.title for u in paper(tmp_path, "\\input{macros}\n\\section{S}\n")] == ["S"]
