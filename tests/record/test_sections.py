"""Sections whose text is \\input from other files, end to end on real git histories:
origin, AI share, evidence, review digest, policy hint, enclosing declarations and the
summary all cover every line of the section, in whatever file."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.config import load
from provenance.record.assemble import build_record
from provenance.record.cache import write_record
from provenance.record.policy import evaluate
from tests.helpers import Repo, run_cli

CONFIG = "paper: {name: t, main: paper/main.tex}\nauthors: [{name: Ada Author, email: ada@example.org}]\n"
MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
%(marker)s\section{Introduction}
\input{sections/introduction}
\section{Model}\label{sec:model}
\input{sections/model}
\end{document}
"""
INTRO = "".join(f"Line {i} of the introduction, as the agent wrote it.\n" for i in range(1, 28)) + \
    "\\subsection{Contributions}\nWe prove one lemma.\n"
MODEL = "\\begin{lemma}\\label{lem:a}\nEvery graph is finite.\n\\end{lemma}\n"
AI = "Assisted-by: claude-code:claude-opus-4-7"


def paper(repo: Repo, marker: str = "") -> None:
    repo.commit(f"Draft the paper\n\n{AI}", {"provenance.yaml": CONFIG, "paper/main.tex": MAIN % {"marker": marker},
                                             "paper/sections/introduction.tex": INTRO,
                                             "paper/sections/model.tex": MODEL})


def units(repo: Repo) -> dict[str, dict]:  # type: ignore[type-arg]
    out = repo.path / "build" / "record.json"
    write_record(load(repo.path), out)
    return {u["id"]: u for u in json.loads(out.read_bytes())["units"]}


def test_a_human_rewrite_of_the_input_file_makes_the_section_human(repo: Repo) -> None:
    paper(repo)
    rewritten = "".join(f"Line {i}, rewritten by hand.\n" for i in range(1, 28)) + "\\subsection{Contributions}\nOne lemma.\n"
    repo.commit("Rewrite the introduction\n\nAssisted-by: none", {"paper/sections/introduction.tex": rewritten})
    u = units(repo)
    intro = u["paper/main.tex#section:introduction"]
    assert (intro["file"], intro["lines"]) == ("paper/main.tex", [5, 6])
    assert intro["extents"] == [["paper/main.tex", 5, 6], ["paper/sections/introduction.tex", 1, 29]]
    assert intro["lines_by_origin"] == {"ai": 3, "human": 28, "untagged": 0, "unknown": 0, "uncommitted": 0}
    assert (intro["origin"], round(intro["ai_fraction"], 3)) == ("human", round(3 / 31, 3))
    blame = next(e for e in intro["evidence"] if e["source"] == "blame")
    assert "paper/sections/introduction.tex:1-29" in blame["detail"]
    status = run_cli(repo.path, "status").stdout
    assert next(ln for ln in status.splitlines() if ln.startswith("paper/main.tex#section:introduction")).split()[2] \
        == "human"
    # nested units (the subsection, the lemma) are counted once, across files:
    # main.tex 5-8, introduction.tex 1-29, model.tex 1-3
    record = build_record(load(repo.path))
    assert dict(record.summary.lines_by_origin) == {"ai": 8, "human": 28, "untagged": 0, "unknown": 0,
                                                    "uncommitted": 0}


def test_review_of_a_section_covers_its_input_file(repo: Repo) -> None:
    paper(repo)
    sid = "paper/main.tex#section:introduction"
    proc = run_cli(repo.path, "review", sid, "--by", "Ada Author")
    assert proc.returncode == 0, proc.stderr
    assert units(repo)[sid]["reviewed_by"][0]["stale"] is False
    repo.write("paper/sections/introduction.tex", INTRO.replace("Line 17 ", "Line seventeen "))
    assert units(repo)[sid]["reviewed_by"][0]["stale"] is True


def test_policy_names_the_section_by_its_stable_id(repo: Repo) -> None:
    paper(repo)
    repo.write("provenance.yaml", CONFIG + "policy: {require_review_of_ai: true}\n")
    repo.commit(f"Require reviews\n\n{AI}")
    lines = evaluate(load(repo.path), build_record(load(repo.path)))
    intro = next(ln for ln in lines if "section:introduction" in ln)
    assert intro.startswith("paper/main.tex:5: paper/main.tex#section:introduction: AI-drafted (origin ai, 100% of lines")
    assert "`paperprov review paper/main.tex#section:introduction --by NAME`" in intro


def test_a_declaration_on_the_heading_covers_what_the_input_file_holds(repo: Repo) -> None:
    paper(repo, marker="% paperprov: origin=human\n")
    model = units(repo)
    assert model["paper/main.tex#section:introduction"]["origin"] == "human"
    assert model["paper/sections/introduction.tex#subsection:contributions"]["origin"] == "human"  # in introduction.tex
    assert model["paper/sections/introduction.tex#subsection:contributions"]["decided_by"] == "marker"
    assert model["lem:a"]["origin"] == "ai"  # another section


def test_an_old_record_without_extents_still_reads(tmp_path: Path, repo: Repo) -> None:
    paper(repo)
    out = repo.path / "build" / "record.json"
    write_record(load(repo.path), out)
    doc = json.loads(out.read_bytes())
    for unit in doc["units"]:
        unit.pop("extents", None)
    for key in ("untagged_commits", "untagged"):
        doc["summary"].pop(key)
    out.write_text(json.dumps(doc))
    from provenance.recordjson import read_record

    record, _ = read_record(out)
    intro = next(a for a in record.units if a.unit.id == "paper/main.tex#section:introduction")
    assert intro.unit.spans == (("paper/main.tex", 5, 6),)
    assert record.summary.untagged == "unknown"
