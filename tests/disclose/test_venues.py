"""Venue questions: one file per venue, its question quoted with its source, answers that
say only what the record and the authors' declarations support."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import VENUES, parse
from provenance.config.declarations import Declarations
from provenance.disclose import venues
from provenance.errors import ConfigError
from provenance.model import Agent, Attribution, Review, Unit

OPUS = Agent("claude-code", "claude-opus-4-1")


def att(uid: str, kind: str, origin: str, fraction: float = 0.0, agents: tuple[Agent, ...] = (),
        role: str | None = None, reviewed: bool = False, title: str = "") -> Attribution:
    unit = Unit(id=uid, kind=kind, file="paper/main.tex", lines=(1, 10), title=title)
    return Attribution(unit=unit, origin=origin, ai_fraction=fraction, agents=agents, role=role,
                       reviewed_by=(Review(by="Ada"),) if reviewed else ())


WRITING_HELP = (att("sec:intro", "section", "mixed", 0.4, (OPUS,), "edited", title="Introduction"),
                att("sec:model", "section", "ai", 1.0, (OPUS,), "drafted", True, title="Model"),
                att("lem:a", "statement", "ai", 1.0, (OPUS,), "drafted"),
                att("run.py", "module", "human"))
NO_AI = (att("sec:intro", "section", "human", title="Introduction"),)


def answer(venue: str, units: tuple[Attribution, ...], d: Declarations = Declarations(), item: int = 0) -> str:
    _, out = venues.answers(venue, venues.facts(units, ("claude-opus-4-1",) if units is WRITING_HELP else ()), d)
    return out[item].answer


def test_every_venue_file_quotes_its_question_and_cites_a_source() -> None:
    files = sorted(p.stem for p in venues.VENUE_DIR.glob("*.yaml"))
    assert VENUES == ("none", *files)
    assert set(files) == {"acl", "acm", "arxiv", "elsevier", "iclr", "icml", "ieee", "neurips", "springer"}
    for key in files:
        v = venues.load_venue(key)
        assert v.name and v.where and v.items
        assert v.sources and all(s.startswith("https://") for s in v.sources)
        for units in (WRITING_HELP, NO_AI):
            for a in venues.answers(key, venues.facts(units, ()), Declarations())[1]:
                assert a.question and a.answer and "{" not in a.answer


def test_neurips_never_answers_yes_for_writing_help_alone() -> None:
    assert answer("neurips", WRITING_HELP).startswith("[to be declared by the authors] Whether an LLM")
    assert "[Yes]" not in answer("neurips", WRITING_HELP)
    assert answer("neurips", WRITING_HELP, Declarations(llm_in_method=False)).startswith("[NA] The core method")
    assert answer("neurips", NO_AI, Declarations(llm_in_method=True, llm_in_method_where="Section 4.2")) == \
        "[Yes] Described in Section 4.2."
    assert answer("neurips", NO_AI, Declarations(llm_in_method=True)) == \
        "[Yes] Described in to be declared by the authors."


def test_acl_e_and_e1_need_a_declaration_to_say_no() -> None:
    assert answer("acl", WRITING_HELP) == "Yes."
    assert answer("acl", WRITING_HELP, item=1).startswith('Yes, in the appendix "AI use and provenance disclosure". '
                                                          "The repository records AI assistance (claude-opus-4-1)")
    assert answer("acl", NO_AI).startswith("[to be declared by the authors] No AI assistance is recorded")
    none = Declarations(other_ai_use=())
    assert answer("acl", NO_AI, none).startswith("No. No AI assistance is recorded")
    assert answer("acl", NO_AI, none, item=1) == "N/A."
    searched = Declarations(other_ai_use=(("literature_review", "ChatGPT to find related work"),))
    assert answer("acl", NO_AI, searched) == "Yes."
    assert "literature review: ChatGPT to find related work." in answer("acl", NO_AI, searched, item=1)


def test_ieee_and_acm_name_the_sections_the_level_and_the_tool_versions() -> None:
    ieee = answer("ieee", WRITING_HELP)
    assert ("AI systems: claude-code (version to be declared by the authors) with claude-opus-4-1. Sections with "
            "AI-generated content: Introduction (mixed, 40% of its lines from AI-tagged work, AI role: edited); "
            "Model (AI-drafted, AI role: drafted).") in ieee
    acm = answer("acm", WRITING_HELP, Declarations(tool_versions=(("claude-code", "2.0.14"),)), item=1)
    assert "Tools: claude-code (version 2.0.14) with claude-opus-4-1." in acm


def test_elsevier_names_the_tool_and_only_the_reviews_recorded() -> None:
    text = answer("elsevier", WRITING_HELP, Declarations(purpose="draft and edit text"))
    assert text.startswith("During the preparation of this work the authors used claude-code (version to be declared "
                           "by the authors) with claude-opus-4-1 in order to draft and edit text.")
    assert "2 of 3 parts with AI involvement have no recorded review by a named person." in text
    assert "reviewed and edited the content" not in text


def test_methods_and_iclr_answers_carry_the_method_declaration() -> None:
    assert "Whether an LLM is part of the research method itself: to be declared by the authors." in \
        answer("springer", WRITING_HELP)
    assert "No LLM is part of the research method (declared by the authors)." in \
        answer("iclr", NO_AI, Declarations(llm_in_method=False, other_ai_use=()))


def test_icml_is_marked_as_a_paraphrase() -> None:
    _, out = venues.answers("icml", venues.facts(NO_AI, ()), Declarations())
    assert out[0].paraphrase is True


def test_declarations_and_evidence_config_are_checked_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text("x\n")
    base = "paper: {name: t, main: main.tex}\n"
    cfg = parse(base + "declarations:\n  llm_in_method: false\n  other_ai_use: {}\n"
                "  tool_versions: {aider: 0.86}\nevidence: {git_ai_ref: false, agent_trace_dir: traces}\n", tmp_path)
    assert cfg.declarations == Declarations(llm_in_method=False, other_ai_use=(), tool_versions=(("aider", "0.86"),))
    assert (cfg.evidence.git_ai_ref, cfg.evidence.agent_trace_dir) == (None, "traces")
    assert cfg.evidence.refs == ("refs/notes/agent-trace",)
    assert parse(base, tmp_path).declarations.other_ai_use is None
    for bad, message in [
        ("declarations: {other_ai_use: {dreaming: x}}", "declarations.other_ai_use.dreaming: unknown phase"),
        ("declarations: {llm_in_method: maybe}", "declarations.llm_in_method: expected bool"),
        ("declarations: {purpose: ''}", "declarations.purpose: empty"),
        ("evidence: {git_ai_ref: notes/ai}", "evidence.git_ai_ref: 'notes/ai' is not a notes ref"),
        ("evidence: {agent_trace_dir: ../x}", "evidence.agent_trace_dir: '../x' must be a directory inside"),
        ("venue: springernature", "venue: unknown venue 'springernature'; use one of none, acl, acm"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
            parse(base + bad + "\n", tmp_path)
