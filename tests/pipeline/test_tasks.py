"""doit build: experiments and LaTeX, failures, reproducibility, incremental rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from provenance.config import load
from tests.helpers import ROOT, Repo, git, run_doit

TINY = {
    "provenance.yaml": (
        "paper: {name: tiny, main: main.tex}\n"
        "experiments:\n"
        "  - {name: good, script: good.py, outputs: [out.txt]}\n"
        "  - {name: bad, script: bad.py, outputs: [out.txt]}\n"
        "  - {name: lazy, script: lazy.py, outputs: [promised.txt]}\n"
    ),
    "main.tex": "\\documentclass{article}\n\\begin{document}\nTiny.\n\\end{document}\n",
    "good.py": (
        "import argparse, pathlib\n"
        "p = argparse.ArgumentParser(); p.add_argument('--out'); p.add_argument('--seed', type=int)\n"
        "a = p.parse_args(); pathlib.Path(a.out, 'out.txt').write_text(f'seed={a.seed}')\n"
    ),
    "bad.py": "import sys\nprint('step 1 ok', file=sys.stderr)\nraise SystemExit('matrix is singular at step 2')\n",
    "lazy.py": "print('forgot to write anything')\n",
    "dodo.py": (ROOT_DODO := (ROOT / "dodo.py").read_text()),
}


@pytest.fixture
def tiny(repo: Repo) -> Repo:
    repo.commit("tiny paper", TINY)
    return repo


def test_experiment_writes_declared_outputs(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:good")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tiny.path / "build/experiments/good/out.txt").read_text() == "seed=0"


def test_failing_experiment_names_itself_its_last_lines_and_its_log(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:bad")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert ("paperprov: experiment bad (bad.py) failed with exit code 1; its last 2 lines "
            "(full log: build/logs/bad.log):\n    step 1 ok\n    matrix is singular at step 2\n") in out
    assert "Traceback" not in out
    assert (tiny.path / "build/logs/bad.log").read_text() == "step 1 ok\nmatrix is singular at step 2\n"


def test_experiment_that_skips_an_output_fails_the_build(tiny: Repo) -> None:
    proc = run_doit(tiny.path, "experiments:lazy")
    assert proc.returncode != 0
    assert "experiment lazy (lazy.py) did not write build/experiments/lazy/promised.txt" in proc.stdout + proc.stderr


def test_missing_tex_is_one_line_with_install_hints(tiny: Repo, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("git"), bin_dir / "git")
    tiny.write("provenance.yaml", "paper: {name: tiny, main: main.tex}\n")
    proc = run_doit(tiny.path, "paper", env={"PATH": str(bin_dir)})
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    line = next(ln for ln in out.splitlines() if "not found on PATH" in ln)
    assert line.startswith("paperprov: latexmk not found on PATH")
    assert "apt-get install latexmk" in line and "brew" in line
    assert "Traceback" not in out


def test_config_error_stops_doit_with_one_line(tiny: Repo) -> None:
    tiny.write("provenance.yaml", "paper: {name: tiny, main: main.tex}\nexperimnts: []\n")
    proc = run_doit(tiny.path, "list")
    assert proc.returncode != 0
    assert proc.stderr.strip() == "paperprov: provenance.yaml: experimnts: unknown key; expected one of " + (
        "paper, venue, experiments, authors, attribution, policy, annotations, checks, signing, formal, "
        "evidence, declarations, executor, lint, latex, submission, code")


def _doit_ran(output: str) -> set[str]:
    return {ln[3:].strip() for ln in output.splitlines() if ln.startswith(".  ")}


def _build(path: Path, *tasks: str) -> str:
    proc = run_doit(path, *tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _outputs(path: Path) -> dict[str, bytes]:
    cfg = load(path)
    files = ["build/paper.pdf", "build/record.json", *[t for e in cfg.experiments for t in e.targets]]
    return {f: (path / f).read_bytes() for f in files}


def test_two_builds_of_one_commit_in_two_directories_are_byte_identical(
    built_example: tuple[Path, Path], tmp_path: Path
) -> None:
    root, _ = built_example
    other = tmp_path / "elsewhere" / "deeper"
    git(tmp_path, "clone", "-q", str(root), str(other))
    _build(other, "paper")
    first, second = _outputs(root), _outputs(other)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between the two builds"
    assert first["build/paper.pdf"].startswith(b"%PDF")


def test_editing_a_section_reruns_latex_but_no_experiment(built: Repo) -> None:
    assert _doit_ran(_build(built.path, "paper")) == set()  # no-op
    section = sorted((built.path / "paper" / "sections").glob("*.tex"))[0]
    section.write_text(section.read_text() + "\nOne more sentence.\n")
    ran = _doit_ran(_build(built.path, "paper"))
    assert "paper" in ran
    assert not any(t.startswith("experiments:") for t in ran)


def test_editing_one_experiment_reruns_it_and_the_paper_only(built: Repo) -> None:
    cfg = load(built.path)
    target = cfg.experiments[-1]
    script = built.path / target.script
    script.write_text(script.read_text() + "\n# a comment that changes the file\n")
    ran = _doit_ran(_build(built.path, "paper"))
    assert f"experiments:{target.name}" in ran and "paper" in ran
    others = {f"experiments:{e.name}" for e in cfg.experiments if e.name != target.name}
    assert not (ran & others)


def test_doit_clean_removes_what_the_build_made(built: Repo) -> None:
    assert (built.path / "build/paper.pdf").exists()
    proc = run_doit(built.path, "clean", "paper", "record", "disclosure", "experiments")
    assert proc.returncode == 0, proc.stderr
    assert not (built.path / "build/paper.pdf").exists()
    assert not (built.path / "build/record.json").exists()
    assert not any((built.path / "build/experiments").rglob("*.json"))


def test_malformed_marker_stops_doit_with_file_and_line(tiny: Repo) -> None:
    tiny.write("main.tex", "\\documentclass{article}\n\\begin{document}\n% paperprov: origin=robot\n"
                           "\\section{A}\nText.\n\\end{document}\n")
    tiny.write("provenance.yaml", "paper: {name: tiny, main: main.tex}\n")
    proc = run_doit(tiny.path, "record")
    assert proc.returncode != 0
    assert proc.stderr.strip() == (
        "paperprov: main.tex:3: paperprov origin='robot' is not one of human|ai|mixed|unknown")


def test_bibliography_outside_the_papers_directory_is_found(needs_tex: None, repo: Repo) -> None:
    """\\bibliography{../refs} (a .bib shared at the repository root) failed: latexmk ran
    BibTeX inside build/latex/, where ../refs is another path. A \\cite in an \\include'd
    file checks that BibTeX still reads the included .aux."""
    repo.commit("paper with a shared bibliography", {
        "provenance.yaml": "paper: {name: bib, main: paper/main.tex}\n",
        "dodo.py": ROOT_DODO,
        "refs.bib": "@book{knuth, author={Donald Knuth}, title={Seminumerical Algorithms}, year={1969}, publisher={AW}}\n",
        "paper/main.tex": ("\\documentclass{article}\n\\begin{document}\n\\include{sections/intro}\n"
                           "\\bibliographystyle{plain}\n\\bibliography{../refs}\n\\end{document}\n"),
        "paper/sections/intro.tex": "\\section{Intro}\nAs shown in \\cite{knuth}.\n",
    })
    proc = run_doit(repo.path, "paper")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = subprocess.run(["pdftotext", "build/paper.pdf", "-"], cwd=repo.path, capture_output=True,
                          text=True, check=True).stdout
    assert "As shown in [1]." in text and "Seminumerical Algorithms" in text


def test_missing_bibliography_file_is_named_in_the_one_line_error(needs_tex: None, repo: Repo) -> None:
    """LaTeX's log has no error line when only the .bib is missing; the message used to
    be 'no error line found in the log'."""
    repo.commit("paper citing a .bib that is not there", {
        "provenance.yaml": "paper: {name: bib, main: main.tex}\n",
        "dodo.py": ROOT_DODO,
        "main.tex": ("\\documentclass{article}\n\\begin{document}\nSee \\cite{knuth}.\n"
                     "\\bibliographystyle{plain}\n\\bibliography{refs-typo}\n\\end{document}\n"),
    })
    proc = run_doit(repo.path, "paper")
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("paperprov:")]
    assert lines == ["paperprov: latexmk failed on main.tex: bibliography file not found: refs-typo.bib "
                     "(paths are relative to the main file's directory) (log: build/latex/main.log)"]
