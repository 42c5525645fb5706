"""Each venue's own question about AI use, answered from the record and the authors'
declarations: one data file per venue in venues/ (`<venue>.yaml`), so a new venue is
one file, picked up by name (config's VENUES lists the files).

A venue file holds the venue's name, where its answer goes in the paper, the sources
(URLs) its question is quoted from, and items of `item`, `question` (quoted as
published; `paraphrase: true` where the exact wording could not be had, said in the
appendix) and `answer`: a small Jinja2 template over the facts below, rendering plain
text (the appendix templates escape it).

Answers say only what the record supports: what the repository's history and markers
record (`recorded`), and what the authors declared under `declarations:` in
provenance.yaml. A fact the record cannot know (whether an LLM is part of the research
method, AI use outside the repository, tool versions) reads "to be declared by the
authors" until declared, never a guess.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.config.declarations import Declarations
from provenance.errors import BuildError
from provenance.model import SECTION_KINDS, Attribution
from provenance.record.summary import Figures, figures

VENUE_DIR = Path(__file__).parent / "venues"
TBD = "to be declared by the authors"
PHASE_NAMES = {"ideation": "ideation", "literature_review": "literature review", "methodology": "methodology",
               "experiments": "experiments", "writing": "writing", "presentation": "presentation", "other": "other"}


@dataclass(frozen=True)
class VenueAnswer:
    item: str  # e.g. "E1"
    question: str
    answer: str
    paraphrase: bool = False  # the question is paraphrased, not quoted


@dataclass(frozen=True)
class Venue:
    key: str
    name: str
    where: str  # where the venue wants the answer in the paper
    sources: tuple[str, ...]
    items: tuple[tuple[str, str, str, bool], ...]  # (item, question, answer template, paraphrase)


@dataclass(frozen=True)
class SectionUse:
    title: str
    origin: str  # ai | mixed
    ai_pct: int
    role: str


@dataclass(frozen=True)
class UseFacts:
    """What the venue answers are made of; plain text, escaped by the templates."""

    ai_used: bool  # the record shows AI involvement
    models: tuple[str, ...]
    agents: tuple[str, ...]  # tool:model
    tools: tuple[str, ...]
    statements: int  # statements with AI involvement
    proofs: int
    code: int
    sections: int
    figures: int
    involved: int  # all units with AI involvement
    reviewed: int  # of those, with a current review
    section_uses: tuple[SectionUse, ...] = ()
    roles: tuple[str, ...] = ()


def facts(units: Sequence[Attribution], models: tuple[str, ...], fig: Figures | None = None) -> UseFacts:
    """What the answers say, counted where every figure of the appendix is (record/summary.py)."""
    f = fig if fig is not None else figures(units, {})
    involved = [a for a in units if a.is_ai]

    def ai(group: str) -> int:
        return f.counts[group].get("ai", 0) + f.counts[group].get("mixed", 0)

    return UseFacts(
        ai_used=bool(f.involved or f.agents), models=models, agents=tuple(g.agent for g in f.agents),
        tools=tuple(sorted({g.tool for a in units for g in a.agents})),
        statements=f.ai_statements, proofs=ai("proofs"), code=ai("code"), sections=ai("sections"),
        figures=ai("figures_tables"), involved=f.involved, reviewed=f.involved_reviewed,
        section_uses=tuple(SectionUse(a.unit.title or a.unit.label or a.unit.id, a.origin,
                                      round(100 * a.ai_fraction) if 0.0 <= a.ai_fraction <= 1.0 else 0, a.role or "")
                           for a in involved if a.unit.kind in SECTION_KINDS),
        roles=tuple(sorted({a.role for a in involved if a.role})),
    )


def _n(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def recorded(f: UseFacts) -> str:
    """One sentence of what the record shows, for any venue."""
    if not f.ai_used:
        return "No AI assistance is recorded for the text, proofs or code of this paper in its repository."
    parts = [_n(f.sections, "section"), _n(f.statements, "theorem-like statement"), _n(f.proofs, "proof"),
             _n(f.code, "unit of experiment code", "units of experiment code")]
    if f.figures:
        parts.append(_n(f.figures, "figure or table", "figures and tables"))
    models = ", ".join(f.models) if f.models else "models not recorded"
    return (f"The repository records AI assistance ({models}) in {', '.join(parts[:-1])} and {parts[-1]}; "
            f"{f.reviewed} of {f.involved} parts with AI involvement were reviewed by a named person, "
            "as this appendix lists part by part.")


def other_uses(d: Declarations) -> str:
    if d.other_ai_use is None:
        return f"AI use outside the repository (e.g. ideation, literature search): {TBD}."
    if not d.other_ai_use:
        return "The authors declare no AI use outside what the repository records."
    return "The authors declare further AI use: " + "; ".join(
        f"{PHASE_NAMES.get(k, k)}: {v.rstrip('.')}" for k, v in d.other_ai_use) + "."


def method(d: Declarations) -> str:
    if d.llm_in_method is None:
        return f"Whether an LLM is part of the research method itself: {TBD}."
    if d.llm_in_method:
        return f"An LLM is a component of the research method (declared by the authors), described in {d.llm_in_method_where or TBD}."
    return "No LLM is part of the research method (declared by the authors)."


def tools_used(f: UseFacts, d: Declarations) -> str:
    out = []
    for tool in f.tools:
        models = sorted({a.partition(":")[2] for a in f.agents if a.partition(":")[0] == tool} - {"unknown"})
        version = d.version(tool)
        out.append(f"{tool} (version {version or TBD})" + (f" with {', '.join(models)}" if models else ""))
    return "; ".join(out) if out else "none recorded"


def section_list(f: UseFacts) -> str:
    def level(s: SectionUse) -> str:
        what = "AI-drafted" if s.origin == "ai" else f"mixed, {s.ai_pct}% of its lines from AI-tagged work"
        return f"{what}{', AI role: ' + s.role if s.role else ''}"

    return "; ".join(f"{s.title} ({level(s)})" for s in f.section_uses) or "none"


@functools.cache
def load_venue(key: str) -> Venue:
    import yaml

    path = VENUE_DIR / f"{key}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = tuple((str(i["item"]), " ".join(str(i["question"]).split()), str(i["answer"]),
                       bool(i.get("paraphrase", False))) for i in data["items"])
        return Venue(key, str(data["name"]), str(data["where"]), tuple(str(s) for s in data["sources"]), items)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise BuildError(f"{path}: not a venue file ({exc}); reinstall paperprov") from None


def answers(key: str, f: UseFacts, d: Declarations) -> tuple[Venue | None, tuple[VenueAnswer, ...]]:
    if key == "none":
        return None, ()
    import jinja2

    venue = load_venue(key)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    ctx: dict[str, Any] = {"f": f, "d": d, "TBD": TBD, "recorded": recorded(f), "other": other_uses(d),
                           "method": method(d), "tools": tools_used(f, d), "sections": section_list(f)}
    out = tuple(VenueAnswer(item, question, " ".join(env.from_string(tpl).render(ctx).split()), para)
                for item, question, tpl, para in venue.items)
    return venue, out
