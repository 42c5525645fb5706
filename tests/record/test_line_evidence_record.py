"""The record, line by line, from git-ai notes and Agent Trace records written with real
`git notes` in repositories made here: carried to HEAD through blame, line-level
evidence beating commit trailers, a known human counting as human, and a declaration
in the source still winning."""

from __future__ import annotations

import json

from provenance.config import load
from provenance.model import Evidence
from provenance.record.assemble import build_record
from tests.evidence.test_line_evidence import HUMAN, git_ai_note, trace
from tests.helpers import Repo

CONFIG = "paper: {name: t, main: main.tex}\n"
OPUS = "claude-code:claude-opus-4-1"


def main_tex(body: list[str], marker: str = "") -> str:
    return ("\\documentclass{article}\n\\begin{document}\n" + marker
            + "\\section{Intro}\\label{sec:intro}\n" + "".join(f"{b}\n" for b in body) + "\\end{document}\n")


def runs(repo: Repo) -> list[list[object]]:
    record = build_record(load(repo.path), use_cache=False)
    return [[r.start, r.end, r.origin, r.agent] for r in record.files["main.tex"]]


def note(repo: Repo, ref: str, commit: str, text: str) -> None:
    repo.write("note.txt", text)
    repo.git("notes", f"--ref={ref}", "add", "-f", "-F", "note.txt", commit)
    (repo.path / "note.txt").unlink()


def test_git_ai_lines_beat_the_commit_trailer_and_follow_blame_to_head(repo: Repo) -> None:
    body = [f"text {i}" for i in range(1, 9)]  # lines 4..11 of main.tex
    c1 = repo.commit(f"Draft\n\nAssisted-by: {OPUS}\n", {"provenance.yaml": CONFIG, "main.tex": main_tex(body)})
    # In c1, lines 6-8 were typed by a known human, lines 9-10 by a Cursor session.
    note(repo, "ai", c1, git_ai_note("main.tex", "9-10", "6-8"))
    # A human commit then inserts a line at the top of the section: everything below moves down by one.
    repo.commit("Add a line\n\nAssisted-by: none\n", {"main.tex": main_tex(["new"] + body)})
    assert runs(repo) == [
        [1, 3, "ai", OPUS],  # c1's preamble and \section line: the trailer decides
        [4, 4, "human", None],  # the inserted line: Assisted-by: none
        [5, 6, "ai", OPUS],  # c1 lines 4-5
        [7, 9, "human", None],  # c1 lines 6-8: a known human in the git-ai note, despite the AI trailer
        [10, 11, "ai", "cursor:claude-sonnet-4-5-20250514"],  # c1 lines 9-10: the git-ai session's agent
        [12, 13, "ai", OPUS],  # c1 lines 11-12 (text 8 and \end{document})
    ]
    record = build_record(load(repo.path), use_cache=False)
    sec = next(a for a in record.units if a.unit.id == "sec:intro")
    assert dict(sec.lines_by_origin)["human"] == 4 and dict(sec.lines_by_origin)["ai"] == 6
    assert {str(g) for g in sec.agents} == {OPUS, "cursor:claude-sonnet-4-5-20250514"}
    assert Evidence("git-ai", "known human Ada <ada@example.org> (3 lines)", commit=c1) in sec.evidence
    assert Evidence("git-ai", "cursor:claude-sonnet-4-5-20250514 (2 lines)", commit=c1) in sec.evidence


def test_a_known_human_range_on_an_untagged_commit_counts_as_human_evidence(repo: Repo) -> None:
    body = ["a", "b", "c"]
    c1 = repo.commit("Draft", {"provenance.yaml": CONFIG + "attribution: {untagged: unknown}\n",
                              "main.tex": main_tex(body, "% paperprov: origin=ai tool=cursor\n")})
    note(repo, "refs/notes/ai", c1, f"main.tex\n  {HUMAN} 4-7\n---\n"
         + json.dumps({"schema_version": "authorship/3.0.0", "base_commit_sha": c1, "prompts": {},
                       "humans": {HUMAN: {"author": "Ada <ada@example.org>"}}}) + "\n")
    record = build_record(load(repo.path), use_cache=False)
    sec = next(a for a in record.units if a.unit.id == "sec:intro")
    # The marker still decides the unit; the measurement (all human, from a known human) is kept as a conflict.
    assert (sec.origin, sec.decided_by, sec.measured_origin) == ("ai", "marker", "human")
    assert sec.conflicts and "declared origin=ai" in sec.conflicts[0]
    assert [[r.start, r.end, r.origin] for r in record.files["main.tex"]] == [
        [1, 3, "untagged"], [4, 7, "human"], [8, 8, "untagged"]]  # the record says what the lines are


def test_agent_trace_records_in_a_directory_and_in_notes_place_lines(repo: Repo) -> None:
    body = [f"t{i}" for i in range(1, 7)]  # lines 4..9
    c1 = repo.commit("Draft", {"provenance.yaml": CONFIG, "main.tex": main_tex(body)})
    c2 = repo.commit("Edit", {"main.tex": main_tex(body[:2] + ["u3", "u4"] + body[4:])})  # lines 6-7 changed
    repo.commit("Traces", {".agent-trace/c1.json": json.dumps(trace("main.tex", c1[:12], [{"start_line": 4, "end_line": 5}]))})
    note(repo, "refs/notes/agent-trace", c2, json.dumps(trace("main.tex", None, [
        {"start_line": 6, "end_line": 6}, {"start_line": 7, "end_line": 7, "contributor": {"type": "human"}}])))
    assert runs(repo) == [
        [1, 3, "untagged", None],
        [4, 6, "ai", "cursor:claude-opus-4-5-20251101"],  # c1 lines 4-5 (directory), c2 line 6 (note, no vcs: c2)
        [7, 7, "human", None],  # c2 line 7: a human contributor
        [8, 10, "untagged", None],  # no evidence either way
    ]


def test_trace_files_make_the_record_dirty_until_committed(repo: Repo) -> None:
    c1 = repo.commit("Draft", {"provenance.yaml": CONFIG, "main.tex": main_tex(["a"])})
    repo.write(".agent-trace/c1.json", json.dumps(trace("main.tex", c1, [{"start_line": 4, "end_line": 4}])))
    assert build_record(load(repo.path), use_cache=False).dirty is True
    repo.commit("Trace")
    record = build_record(load(repo.path), use_cache=False)
    assert record.dirty is False and record.files["main.tex"][1].origin == "ai"
