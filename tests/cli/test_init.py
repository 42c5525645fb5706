from __future__ import annotations

import json
from pathlib import Path

from provenance.config import load
from tests.helpers import Repo, run_cli, run_doit

MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
\input{sections/intro}
\include{sections/results}
\end{document}
"""


def make_paper(repo: Repo) -> None:
    repo.write("tex/main.tex", MAIN)
    repo.write("tex/sections/intro.tex", "% \\documentclass{article} in a comment does not count\n\\section{Intro}\nHi.\n")
    repo.write("tex/sections/results.tex", "\\section{Results}\n\\begin{lemma}\\label{lem:a}True.\\end{lemma}\n")
    repo.write(".gitignore", "*.aux\n")
    repo.commit("A small multi-file paper")


def test_init_detects_main_and_writes_a_loadable_config(repo: Repo) -> None:
    make_paper(repo)
    proc = run_cli(repo.path, "init")
    assert proc.returncode == 0, proc.stderr
    assert "main file tex/main.tex" in proc.stdout
    cfg = load(repo.path)
    assert cfg.paper.main == "tex/main.tex"
    assert cfg.paper.name == "repo"
    assert cfg.authors[0].name == "Ada Author"  # from the git identity
    assert "# paperprov configuration" in (repo.path / "provenance.yaml").read_text()
    gitignore = (repo.path / ".gitignore").read_text().splitlines()
    assert gitignore[0] == "*.aux" and "build/" in gitignore and ".doit.db*" in gitignore
    listed = run_doit(repo.path, "list")
    assert listed.returncode == 0, listed.stderr
    assert "paper " in listed.stdout and "record " in listed.stdout


def test_init_refuses_to_overwrite_without_force(repo: Repo) -> None:
    make_paper(repo)
    repo.write("dodo.py", "# mine\n")
    proc = run_cli(repo.path, "init")
    assert proc.returncode == 1
    assert "dodo.py already exist" in proc.stderr and "--force" in proc.stderr
    assert (repo.path / "dodo.py").read_text() == "# mine\n"
    assert not (repo.path / "provenance.yaml").exists()
    forced = run_cli(repo.path, "init", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "from provenance.tasks import" in (repo.path / "dodo.py").read_text()


def test_init_with_two_documents_asks_which(repo: Repo) -> None:
    repo.write("a.tex", "\\documentclass{article}\n")
    repo.write("b.tex", "\\documentclass{beamer}\n")
    proc = run_cli(repo.path, "init")
    assert proc.returncode == 1
    assert "a.tex, b.tex" in proc.stderr and "--main" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert run_cli(repo.path, "init", "--main", "b.tex").returncode == 0
    assert load(repo.path).paper.main == "b.tex"


def test_init_keeps_hostile_author_names_out_of_yaml_structure(repo: Repo) -> None:
    make_paper(repo)
    hostile = {"GIT_AUTHOR_NAME": 'Eve "}\nvenue: acl #', "GIT_AUTHOR_EMAIL": "e@x\\"}
    assert run_cli(repo.path, "init", env=hostile).returncode == 0
    cfg = load(repo.path)
    assert cfg.venue == "none"
    assert cfg.authors[0].name.startswith('Eve "}')


def test_init_writes_the_same_dodo_as_the_example() -> None:
    from provenance.cli.commands.init import DODO
    from tests.helpers import ROOT

    assert (ROOT / "dodo.py").read_text() == DODO


def test_example_ships_the_same_paperprov_sty_that_init_installs() -> None:
    from tests.helpers import ROOT

    assert (ROOT / "paper/paperprov.sty").read_bytes() == (ROOT / "provenance/data/paperprov.sty").read_bytes()


def test_a_paper_adopted_with_init_builds_end_to_end(needs_tex: None, repo: Repo, tmp_path: Path) -> None:
    make_paper(repo)
    assert run_cli(repo.path, "init").returncode == 0
    repo.commit("Adopt paperprov")
    proc = run_doit(repo.path, "build", env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (repo.path / "build/paper.pdf").read_bytes().startswith(b"%PDF")
    record = json.loads((repo.path / "build/record.json").read_text())
    assert [u["id"] for u in record["units"] if u["kind"] == "statement"] == ["lem:a"]
    assert record["dirty"] is False and record["commit"] == repo.git("rev-parse", "HEAD").strip()
    assert (repo.path / "build/attestation.intoto.jsonl").stat().st_size > 0


def test_init_writes_the_untagged_assumption_commented_with_its_meaning(repo: Repo) -> None:
    make_paper(repo)
    assert run_cli(repo.path, "init").returncode == 0
    text = (repo.path / "provenance.yaml").read_text()
    assert "  # untagged: human\n" in text
    assert "the appendix states this as the authors' assumption" in text
    assert load(repo.path).attribution.untagged == "unknown"  # no claim unless the authors make it
    (repo.path / "provenance.yaml").write_text(text.replace("  # untagged: human\n", "  untagged: human\n"))
    assert load(repo.path).attribution.untagged == "human"
    assert load(repo.path).lint.require_label[:2] == ("theorem", "lemma")


def test_init_adopts_a_leanblueprint_with_its_lake_project(repo: Repo) -> None:
    # leanblueprint's layout: blueprint/src/{print,web}.tex, a Lake project at the top.
    for doc in ("print", "web"):
        repo.write(f"blueprint/src/{doc}.tex", "\\documentclass{report}\n\\begin{document}\n\\input{content}\n"
                                               "\\end{document}\n")
    repo.write("blueprint/src/content.tex", "\\begin{theorem}\\label{thm:a}\\lean{Foo.bar}\\leanok\nA.\\end{theorem}\n")
    repo.write("lakefile.toml", 'name = "Foo"\n')
    repo.commit("A blueprint")
    proc = run_cli(repo.path, "init")
    assert proc.returncode == 0, proc.stderr
    assert "main file blueprint/src/print.tex" in proc.stdout
    cfg = load(repo.path)
    assert cfg.formal.lean is not None and cfg.formal.lean.root == "." and cfg.formal.coq is None


def test_init_finds_a_lake_project_one_directory_down_and_none_where_there_is_none(repo: Repo) -> None:
    make_paper(repo)
    assert run_cli(repo.path, "init").returncode == 0
    assert load(repo.path).formal.lean is None
    repo.write("formal/lakefile.lean", "import Lake\n")
    proc = run_cli(repo.path, "init", "--force")
    assert proc.returncode == 0, proc.stderr
    lean = load(repo.path).formal.lean
    assert lean is not None and lean.root == "formal"


def test_init_sets_the_engine_a_paper_asks_for_or_needs(repo: Repo) -> None:
    for doc, engine in [("% !TEX program = lualatex\n\\documentclass{article}\n", "lualatex"),
                        ("\\documentclass{article}\n\\usepackage[no-math]{fontspec}\n", "xelatex"),
                        ("\\documentclass{article}\n% \\usepackage{fontspec}\n", None)]:
        repo.write("paper/main.tex", doc + "\\begin{document}\nx\n\\end{document}\n")
        proc = run_cli(repo.path, "init", "--force")
        assert proc.returncode == 0, proc.stderr
        assert load(repo.path).latex.engine == engine
    repo.write("paper/main.tex", "\\documentclass{article}\n\\usepackage{fontspec}\n")
    repo.write("paper/latexmkrc", "$pdf_mode = 5;\n")  # the paper's latexmkrc decides, as latexmk would
    assert run_cli(repo.path, "init", "--force").returncode == 0
    assert load(repo.path).latex.engine is None


def test_init_asks_when_the_documentclass_file_is_read_by_another(repo: Repo) -> None:
    # The HoTT book's layout: hott-online.tex sets options, then \input{main}; main.tex
    # alone does not compile. Neither is chosen silently.
    repo.write("main.tex", "\\documentclass[\\OPTfontsize]{book}\n\\begin{document}\nx\n\\end{document}\n")
    repo.write("hott-online.tex", "% a wrapper\n\\input{opt-letter}\n\\input main\n")
    repo.write("opt-letter.tex", "\\def\\OPTfontsize{11pt}\n")
    repo.write("notes.tex", "% \\input{main} in a comment reads nothing\n")
    repo.commit("A book with options files")
    proc = run_cli(repo.path, "init")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "could be the main one (hott-online.tex, main.tex); pass --main" in proc.stderr
    assert run_cli(repo.path, "init", "--main", "hott-online.tex").returncode == 0
    assert load(repo.path).paper.main == "hott-online.tex"
