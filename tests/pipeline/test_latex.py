"""The paper task: the engine, shell escape and latexmk options from `latex:`, the paper's
own latexmkrc under paperprov's enforced settings, biblatex with biber, byte-identical
PDFs under every engine, and failures in one line that says how the engine ended."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, Repo, git, run_doit

DODO = (ROOT / "dodo.py").read_text()
FONTSPEC_DOC = ("\\documentclass{article}\n\\usepackage{fontspec}\n\\begin{document}\nCaf\\'e and \\texttt{x}.\n"
                "\\end{document}\n")


def paper(repo: Repo, main: str, config: str = "", files: dict[str, str] | None = None) -> Repo:
    repo.commit("paper", {"provenance.yaml": "paper: {name: p, main: paper/main.tex}\n" + config,
                          "dodo.py": DODO, "paper/main.tex": main, **(files or {})})
    return repo


def build(repo: Repo) -> subprocess.CompletedProcess[str]:
    return run_doit(repo.path, "paper")


def producer(repo: Repo) -> str:
    return subprocess.run(["pdfinfo", "build/paper.pdf"], cwd=repo.path, capture_output=True, text=True).stdout


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("paperprov:")]


def test_the_papers_latexmkrc_chooses_the_engine_and_paperprov_keeps_output_and_shell_escape(
        needs_tex: None, repo: Repo) -> None:
    """A paper whose latexmkrc picks XeLaTeX, sends output elsewhere and turns shell escape
    on in its own command: the engine is honoured; the output directory and shell escape
    are paperprov's."""
    rc = ("$pdf_mode = 5;\n$out_dir = 'elsewhere';\n"
          "$xelatex = 'xelatex -shell-escape %O %S';\n")
    doc = FONTSPEC_DOC.replace("Caf", "\\immediate\\write18{touch pwned}Caf")
    paper(repo, doc, files={"paper/latexmkrc": rc})
    proc = build(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "xdvipdfmx" in producer(repo)
    assert not (repo.path / "paper/elsewhere").exists() and (repo.path / "build/latex/main.pdf").is_file()
    assert not (repo.path / "paper/pwned").exists()
    # The latexmkrc is an input of the paper: editing it rebuilds.
    (repo.path / "paper/latexmkrc").write_text(rc + "# edited\n")
    assert "paper" in build(repo).stdout


def test_latex_engine_in_provenance_yaml_wins_over_the_latexmkrc(needs_tex: None, repo: Repo) -> None:
    paper(repo, FONTSPEC_DOC, "latex: {engine: lualatex}\n", files={"paper/.latexmkrc": "$pdf_mode = 5;\n"})
    proc = build(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "LuaTeX" in producer(repo)


def test_shell_escape_is_off_unless_configured(needs_tex: None, repo: Repo) -> None:
    doc = "\\documentclass{article}\\begin{document}\\immediate\\write18{touch pwned}x\\end{document}\n"
    paper(repo, doc)
    assert build(repo).returncode == 0 and not (repo.path / "paper/pwned").exists()
    repo.write("provenance.yaml", "paper: {name: p, main: paper/main.tex}\nlatex: {shell_escape: true}\n")
    assert build(repo).returncode == 0 and (repo.path / "paper/pwned").exists()


@pytest.mark.parametrize("engine", ["pdflatex", "xelatex", "lualatex"])
def test_two_checkouts_give_the_same_pdf_bytes_under_every_engine(
        needs_tex: None, repo: Repo, tmp_path: Path, engine: str) -> None:
    doc = FONTSPEC_DOC if engine != "pdflatex" else FONTSPEC_DOC.replace("\\usepackage{fontspec}\n", "")
    paper(repo, doc, f"latex: {{engine: {engine}, extra_args: [-latexoption=-synctex=0]}}\n")
    other = tmp_path / "somewhere" / "else"
    git(tmp_path, "clone", "-q", str(repo.path), str(other))
    assert build(repo).returncode == 0
    assert run_doit(other, "paper").returncode == 0
    assert (repo.path / "build/paper.pdf").read_bytes() == (other / "build/paper.pdf").read_bytes()


def test_biblatex_with_biber_builds(needs_tex: None, repo: Repo) -> None:
    doc = ("\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
           "\\begin{document}\nAs shown in \\cite{knuth}.\n\\printbibliography\n\\end{document}\n")
    bib = "@book{knuth, author={Donald Knuth}, title={Seminumerical Algorithms}, year={1969}, publisher={AW}}\n"
    paper(repo, doc, files={"paper/refs.bib": bib})
    proc = build(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = subprocess.run(["pdftotext", "build/paper.pdf", "-"], cwd=repo.path, capture_output=True, text=True).stdout
    assert "As shown in [1]." in text and "Seminumerical Algorithms" in text


def test_an_error_is_named_by_the_engine_its_status_and_file_line(needs_tex: None, repo: Repo) -> None:
    paper(repo, "\\documentclass{article}\n\\begin{document}\n\\input{sections/intro}\n\\end{document}\n",
          files={"paper/sections/intro.tex": "Fine.\n\\undefinedmacro\n"})
    assert error_lines(build(repo)) == [
        "paperprov: pdflatex exited with status 1 on pass 1 compiling paper/main.tex: "
        "paper/sections/intro.tex:2: Undefined control sequence. (log: build/latex/main.log)"]


def test_an_engine_a_latexmkrc_runs_under_the_pdflatex_rule_is_named_as_itself(needs_tex: None, repo: Repo) -> None:
    # leanblueprint's latexmkrc: $pdflatex = 'xelatex ...'; latexmk calls the rule pdflatex.
    paper(repo, FONTSPEC_DOC.replace("Caf", "\\undefinedmacro Caf"),
          files={"paper/latexmkrc": "$pdf_mode = 1;\n$pdflatex = 'xelatex %O %S';\n"})
    assert error_lines(build(repo)) == [
        "paperprov: xelatex exited with status 1 on pass 1 compiling paper/main.tex: "
        "paper/main.tex:4: Undefined control sequence. (log: build/latex/main.log)"]


def test_a_missing_package_is_named_with_the_file_and_line_that_loads_it(needs_tex: None, repo: Repo) -> None:
    paper(repo, "\\documentclass{article}\n\\usepackage{nosuchpackagexyz}\n\\begin{document}\nx\n\\end{document}\n")
    [line] = error_lines(build(repo))
    # The line TeX names is where it stood when it asked for the file (the line after, here).
    assert re.fullmatch(r"paperprov: pdflatex exited with status 1 on pass 1 compiling paper/main\.tex: "
                        r"paper/main\.tex:[23]: LaTeX Error: File `nosuchpackagexyz\.sty' not found\. "
                        r"\(log: build/latex/main\.log\)", line), line


def test_a_crashed_engine_is_named_with_its_signal_and_pass(needs_tex: None, repo: Repo) -> None:
    """pdfTeX killed by SIGSEGV (sent by a \\write18 command to its own parent, so a real
    pdflatex really ends on the signal)."""
    doc = "\\documentclass{article}\n\\begin{document}\nx\\immediate\\write18{kill -SEGV $PPID}\n\\end{document}\n"
    paper(repo, doc, "latex: {shell_escape: true}\n")
    assert error_lines(build(repo)) == [
        "paperprov: pdflatex crashed (signal 11, SIGSEGV) on pass 1 compiling paper/main.tex: "
        "the log ends without an error message (log: build/latex/main.log)"]
