"""The AI Usage Card (JSON and Markdown) and the GAIDeT statement, from the same record."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.config import Config, Paper
from provenance.config.declarations import Declarations
from provenance.disclose import gaidet
from provenance.disclose.escape import md
from provenance.disclose.usagecard import card, markdown, write_cards
from provenance.model import Agent, Attribution, CheckResult, Record, Review, Unit
from provenance.recordjson import record_to_json

OPUS = Agent("claude-code", "claude-opus-4-1")


def att(uid: str, kind: str, origin: str, role: str | None = None, reviewed: bool = False,
        checks: tuple[CheckResult, ...] = ()) -> Attribution:
    return Attribution(unit=Unit(id=uid, kind=kind, file="paper/main.tex", lines=(1, 2)), origin=origin,
                       ai_fraction=1.0 if origin == "ai" else 0.5 if origin == "mixed" else 0.0,
                       agents=(OPUS,) if origin != "human" else (), role=role,
                       reviewed_by=(Review(by="Ada"),) if reviewed else (), checks=checks)


UNITS = (att("sec:a", "section", "mixed", "edited"), att("lem:a", "statement", "ai", "drafted", True,
                                                         (CheckResult("t.py::a", "passed"),)),
         att("prf:a", "proof", "ai", "proved", True), att("run.py::f", "function", "ai"),
         att("fig:a", "figure", "human"), att("sec:b", "section", "human"))


def cfg(tmp_path: Path, d: Declarations = Declarations()) -> Config:
    return Config(root=tmp_path, paper=Paper("demo", "paper/main.tex"), declarations=d)


def test_the_card_says_what_the_record_shows_and_leaves_the_rest_to_the_authors(tmp_path: Path) -> None:
    doc = card(cfg(tmp_path), Record(commit="a" * 40, dirty=False, units=UNITS), "d" * 64)
    assert doc["project"]["models"] == ["claude-opus-4-1"]
    assert doc["project"]["tools"] == [{"name": "claude-code", "version": None}]
    phases = doc["phases"]
    assert phases["writing"] == {"used": True, "declared": None, "recorded": [
        "1 of 2 sections with AI involvement", "1 of 1 theorem-like statements with AI involvement",
        "1 of 1 proofs with AI involvement"]}
    assert phases["experiments"]["recorded"] == ["1 of 1 functions with AI involvement"]
    assert phases["presentation"] == {"used": None, "recorded": [], "declared": None}  # nothing recorded, nothing declared
    assert phases["ideation"]["used"] is None and phases["methodology"]["used"] is None
    assert doc["ethics"]["mitigating_errors"] == ["2 of 4 parts with AI involvement reviewed by a named person",
                                                  "claim checks: 1 passed, 0 failed, 0 not run"]
    text = markdown(doc, md)
    assert "## Ideation\n\n- AI used: to be declared by the authors\n" in text
    assert "- Why AI was used: to be declared by the authors" in text


def test_declarations_fill_the_card(tmp_path: Path) -> None:
    d = Declarations(llm_in_method=False, other_ai_use=(("literature_review", "ChatGPT for related work"),),
                     tool_versions=(("claude-code", "2.0.14"),), purpose="speed", safeguards="every claim checked")
    doc = card(cfg(tmp_path, d), Record(commit="a" * 40, dirty=False, units=UNITS), "d" * 64)
    assert doc["phases"]["ideation"]["used"] is False
    assert doc["phases"]["literature_review"] == {"used": True, "recorded": [], "declared": "ChatGPT for related work"}
    assert doc["phases"]["methodology"]["used"] is False
    assert doc["project"]["tools"] == [{"name": "claude-code", "version": "2.0.14"}]
    assert doc["ethics"]["why"] == "speed" and doc["ethics"]["minimizing_harm"] == "every claim checked"


def test_gaidet_maps_roles_to_the_taxonomy_and_claims_full_supervision_only_when_recorded() -> None:
    d = Declarations(other_ai_use=(("ideation", "brainstorming"),))
    assert gaidet.tasks(UNITS, d) == {("Conceptualization", "Idea generation"): 0,
                                      ("Software Development and Automation", "Code generation"): 1,
                                      ("Writing and Editing", "Proofreading and editing"): 1,
                                      ("Writing and Editing", "Text generation"): 2}
    text = gaidet.statement("demo", UNITS, d, md)
    assert "(human supervision: 2 of 4 parts with AI involvement reviewed by a named person):" in text
    assert "- Writing and Editing: Text generation (2 units in the record)" in text
    assert "- Conceptualization: Idea generation (declared by the authors)" in text
    reviewed = tuple(att(a.unit.id, a.unit.kind, a.origin, a.role, True) for a in UNITS)
    assert "tools under full human supervision:" in gaidet.statement("demo", reviewed, Declarations(), md)
    assert "No delegation of tasks to Generative AI is recorded; AI use outside" in \
        gaidet.statement("demo", (att("s", "section", "human"),), Declarations(), md)


def test_cards_are_written_from_build_record_the_same_bytes_each_time(tmp_path: Path) -> None:
    record = Record(commit="a" * 40, dirty=False, units=UNITS)
    (tmp_path / "record.json").write_bytes(record_to_json(record))
    outs = [tmp_path / n for n in ("card.json", "card.md", "gaidet.md")]
    write_cards(cfg(tmp_path), tmp_path / "record.json", *outs)
    first = [p.read_bytes() for p in outs]
    write_cards(cfg(tmp_path), tmp_path / "record.json", *outs)
    assert [p.read_bytes() for p in outs] == first
    assert json.loads(first[0])["schema"] == "paperprov/ai-usage-card/v1"
