"""paperprov-lint on real repositories: duplicate labels whichever file is staged, only
the problems a change introduces (unless --all), configurable labelled environments, a
long walk kept for the next commit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from provenance.evidence.gitstate import lint_walk_store
from provenance.hooks import lint as lint_module
from provenance.hooks.lint import lint
from provenance.record.assemble import build_record
from provenance.scan.tex import remembered, walker
from tests.helpers import Repo, cli, commit, install_hooks, run_cli

CONFIG = "paper: {name: p, main: paper/main.tex}\n"
MAIN = ("\\documentclass{article}\n\\usepackage{amsthm}\n\\newtheorem{lemma}{Lemma}\n\\newtheorem{remark}{Remark}\n"
        "\\begin{document}\n\\input{a}\n\\input{b}\n\\end{document}\n")
FIGURE = "\\begin{figure}\n\\caption{%s}\\label{fig:bound}\n\\end{figure}\n"


def paper(repo: Repo, a: str, b: str, config: str = CONFIG) -> None:
    repo.commit("Paper\n\nAssisted-by: none", {"provenance.yaml": config, "paper/main.tex": MAIN,
                                                "paper/a.tex": a, "paper/b.tex": b})


def test_a_duplicate_label_fails_the_commit_of_either_file(repo: Repo) -> None:
    paper(repo, "\\section{A}\nText.\n", "\\section{B}\n" + FIGURE % "The bound")
    install_hooks(repo, ("pre-commit",))
    # the new figure comes first in the paper: the old one is in a file not staged
    proc = commit(repo, "New figure", {"paper/a.tex": "\\section{A}\n" + FIGURE % "A new bound"})
    assert proc.returncode != 0
    assert "paper/a.tex:3: label 'fig:bound' is also defined at paper/b.tex:3; rename one" in proc.stderr
    # the record says so too, and names the second figure by its caption, not its place
    record = build_record(load(repo.path))
    assert any("label 'fig:bound' is defined 2 times (paper/a.tex:3, paper/b.tex:3)" in w for w in record.warnings)
    assert [a.unit.id for a in record.units if a.unit.kind == "figure"] == ["fig:bound", "paper/b.tex#figure:the-bound"]
    status = run_cli(repo.path, "status")
    assert "label 'fig:bound' is defined 2 times" in status.stdout


def test_only_the_problems_a_change_introduces_are_reported(repo: Repo) -> None:
    old = "".join(f"\\begin{{lemma}}\nOld {i}.\n\\end{{lemma}}\n" for i in range(3))
    paper(repo, "\\section{A}\n" + old, "\\section{B}\n")
    install_hooks(repo, ("pre-commit",))
    labelled = "\\begin{lemma}\\label{lem:new}\nNew.\n\\end{lemma}\n"
    proc = commit(repo, "One more lemma", {"paper/a.tex": "\\section{A}\n" + labelled + old})
    assert proc.returncode == 0, proc.stderr  # the three old unlabelled lemmas are not this commit's doing
    proc = commit(repo, "Another", {"paper/a.tex": "\\section{A}\n" + labelled + old + "\\begin{lemma}\nNew 2.\n\\end{lemma}\n"})
    assert proc.returncode != 0
    assert [ln for ln in proc.stderr.splitlines() if ln.startswith("paperprov:")] == [
        "paperprov: paper/a.tex:14: lemma has no \\label; add \\label{...} right after \\begin{lemma}"]
    every = cli(repo.path, "hook", "lint", "--all", "paper/a.tex")
    assert every.returncode == 1 and every.stderr.count("has no \\label") == 4


def test_remarks_need_no_label_unless_configured(repo: Repo) -> None:
    body = "\\section{A}\n\\begin{remark}\nR.\n\\end{remark}\n\\begin{lemma}\nL.\n\\end{lemma}\n"
    paper(repo, body, "\\section{B}\n")
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == [
        "paper/a.tex:5: lemma has no \\label; add \\label{...} right after \\begin{lemma}"]
    repo.write("provenance.yaml", CONFIG + "lint: {require_label: [remark]}\n")
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == [
        "paper/a.tex:2: remark has no \\label; add \\label{...} right after \\begin{remark}"]


def test_printed_names_decide_for_environments_of_any_name(repo: Repo) -> None:
    main = MAIN.replace("\\newtheorem{lemma}{Lemma}", "\\newtheorem{lem}{Lemma}\\newtheorem{ex}{Example}")
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": main, "paper/b.tex": "",
                          "paper/a.tex": "\\begin{lem}\nL.\n\\end{lem}\n\\begin{ex}\nE.\n\\end{ex}\n"})
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == [
        "paper/a.tex:1: lem has no \\label; add \\label{...} right after \\begin{lem}"]


def test_first_commit_reports_everything(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    repo = Repo(tmp_path / "new")
    repo.write("provenance.yaml", CONFIG)
    repo.write("paper/main.tex", MAIN)
    repo.write("paper/a.tex", "\\begin{lemma}\nL.\n\\end{lemma}\n")
    repo.write("paper/b.tex", "")
    repo.git("add", "-A")
    assert lint(repo.path, ["paper/a.tex"]) == [
        "paper/a.tex:1: lemma has no \\label; add \\label{...} right after \\begin{lemma}"]


def test_linting_python_without_markers_creates_neither_the_model_nor_the_configuration(repo: Repo) -> None:
    repo.write("provenance.yaml", CONFIG)
    repo.write("code/run.py", "print('no marker here')\n")
    code = ("import sys\nfrom provenance.cli.main import main\nprint(main(sys.argv[1:]))\n"
            "heavy = ('provenance.model', 'provenance.config.schema', 'dataclasses', 'yaml')\n"
            "print([m for m in heavy if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code, "hook", "lint", "code/run.py"], cwd=repo.path,
                          capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["0", "[]"]


def test_a_long_walk_is_kept_for_the_next_commit(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    prose = "\\section{A}\nSome prose.\nMore prose.\n\\begin{lemma}\\label{lem:a}\nL.\n\\end{lemma}\n"
    paper(repo, prose, "\\section{B}\n")
    store = lint_walk_store(repo.path, "paper/main.tex")
    assert store is not None
    monkeypatch.setattr(lint_module, "KEEP_WALK_AFTER", 60.0)  # a walk this short is not kept
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == [] and not store.exists()
    monkeypatch.setattr(lint_module, "KEEP_WALK_AFTER", 0.0)  # as if it had taken long
    remembered._last.clear()  # the next commit's process
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == [] and store.exists()

    # A sentence added on a line of its own leaves the walk as it was but for the lines
    # below, which move: the next commit reads it back and walks nothing.
    repo.write("paper/a.tex", prose.replace("Some prose.", "Some prose.\nA sentence of its own."))
    remembered._last.clear()
    with monkeypatch.context() as m:
        m.setattr(walker, "_walk", lambda *a, **k: pytest.fail("walked again"))
        assert lint(repo.path, ["paper/a.tex"], all_problems=True) == []
    # A new lemma changes the walk: walked again, and found as a walk from nothing finds it.
    repo.write("paper/a.tex", prose + "\\begin{lemma}\nNew \\uses{lem:none}.\n\\end{lemma}\n")
    remembered._last.clear()
    kept = lint(repo.path, ["paper/a.tex"], all_problems=True)
    assert kept == ["paper/a.tex:7: lemma has no \\label; add \\label{...} right after \\begin{lemma}",
                    "paper/a.tex:8: \\uses{lem:none} names no \\label in the paper; fix the label"]
    shutil.rmtree(store.parent)
    remembered._last.clear()
    monkeypatch.setattr(lint_module, "KEEP_WALK_AFTER", 60.0)
    assert lint(repo.path, ["paper/a.tex"], all_problems=True) == kept
