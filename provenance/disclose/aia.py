"""The AI Attribution statement, derived from the record (each venue's own questions: venues.py).

AI Attribution statement (IBM Research's AI Attribution Toolkit, https://aiattribution.github.io/),
grammar `AIA <proportion> [<contribution>...] <initiative>... <review> [<models>] v1.0`:

- proportion: `EAI` entirely AI, `PAI` primarily AI, `HAb` human-AI blend, `Ph` primarily
  human, `Eh` entirely human. paperprov computes the AI share of the paper and its code as
  the line-weighted mean over the top-level units (sections with no enclosing section,
  and code modules; all units if there are neither) of each unit's AI share: 1 for origin
  `ai`, 0 for `human`, its measured `ai_fraction` for `mixed` (0.5 when nothing was
  measured); units of `unknown` origin are left out and reported beside the statement.
  No unit with AI involvement: `Eh`. Every unit of known origin, of any kind, `ai`: `EAI`
  (one human-written function is enough to rule out "entirely"). Otherwise share above
  2/3: `PAI`; from 1/3 to 2/3: `HAb`; below 1/3: `Ph`.
- contributions (only with PAI, HAb, Ph; toolkit order Se, Ce, Nc): `Nc` new content when a
  unit's role is drafted, generated or proved, or an `ai` unit has no role; `Ce` content
  edits when the role is edited or suggested, or a `mixed` unit has no role. The record
  has no role for stylistic-only help, so `Se` is never derived.
- initiative: `Hin` (human-initiated) whenever AI was used: every kind of evidence the
  record accepts (Assisted-by trailers, agent co-author trailers, sessions, markers) is an
  assistant someone invoked. `Ain` (AI-initiated) is added when an agent is an inline
  completion tool (Copilot, Tabnine, Codeium, Supermaven), which proposes unprompted code.
- review: `R` when every unit with AI involvement (`ai` or `mixed`) or AI lines has a
  current (not stale) review by a named person, else `Nr`.
- models: the distinct model names of all agents, sorted, comma-separated; never a tool
  name: an agent whose model was not recorded is named in the explanation instead.
- `Eh` is written as `AIA Eh v1.0`: with nothing AI-made there is nothing to initiate or review.
  It is a claim that the work is human-made, so it needs evidence for every unit: no unit
  with AI involvement or AI lines, and none of unknown origin (human origin comes only
  from declarations, `Assisted-by: none` or the authors' `attribution.untagged: human`).
  When no AI use was recorded but some units' origin is unknown, no statement is made
  (`proportion` is None) and the explanation says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provenance.model import SECTION_KINDS, Attribution

PROPORTIONS = {
    "EAI": "This work was entirely AI-generated.",
    "PAI": "This work was primarily AI-generated.",
    "HAb": "This work was created with an even blend of human and AI contributions.",
    "Ph": "This work was primarily human-created.",
    "Eh": "This work was entirely human-created, without the use of AI.",
}
CONTRIBUTIONS = {
    "Se": "AI made stylistic edits (structure, wording, clarity).",
    "Ce": "AI made content edits (scope, information, ideas).",
    "Nc": "AI made new content (text, proofs, code, analysis).",
}
INITIATIVES = {
    "Hin": "AI was prompted for its contributions, or AI assistance was enabled.",
    "Ain": "AI made proactive contributions, such as auto-completions.",
}
REVIEWS = {
    "R": "All AI-generated content was reviewed and approved by a named person.",
    "Nr": "Not all AI-generated content was reviewed.",
}
COMPLETION_TOOLS = ("copilot", "tabnine", "codeium", "supermaven")
NEW_CONTENT_ROLES = ("drafted", "generated", "proved")
EDIT_ROLES = ("edited", "suggested")


@dataclass(frozen=True)
class AIAStatement:
    proportion: str | None  # None: no statement can be made (see the module's docstring)
    contributions: tuple[str, ...]
    initiative: tuple[str, ...]
    review: str | None
    models: tuple[str, ...]
    ai_share: float | None  # None when no unit of known origin had any lines
    unknown_units: int
    version: str = "1.0"
    unnamed_models: tuple[str, ...] = ()  # tools whose model was not recorded

    @property
    def made(self) -> bool:
        return self.proportion is not None

    @property
    def code(self) -> str:
        if self.proportion is None:
            return ""
        parts = ["AIA", self.proportion, *self.contributions, *self.initiative]
        if self.review:
            parts.append(self.review)
        if self.models:
            parts.append(", ".join(self.models))
        parts.append(f"v{self.version}")
        return " ".join(parts)

    @property
    def explanation(self) -> str:
        if self.proportion is None:
            return (f"No AI Attribution statement is made: no AI use was recorded, but {self.unknown_units} "
                    f"unit{'s' if self.unknown_units != 1 else ''} of the paper and its code "
                    "have no evidence of who wrote them, so the work cannot be called entirely human-created.")
        lines = [PROPORTIONS[self.proportion]]
        lines += [CONTRIBUTIONS[c] for c in self.contributions]
        lines += [INITIATIVES[i] for i in self.initiative]
        if self.review:
            lines.append(REVIEWS[self.review])
        if self.models:
            lines.append("Models used: " + ", ".join(self.models) + ".")
        if self.unnamed_models:
            lines.append("Tools whose model was not recorded: " + ", ".join(self.unnamed_models) + ".")
        return " ".join(lines)


def model_names(units: Sequence[Attribution]) -> tuple[str, ...]:
    """The models the agents name; a tool is never a model."""
    return tuple(sorted({g.model for a in units for g in a.agents if g.model and g.model != "unknown"}))


def unnamed_model_tools(units: Sequence[Attribution]) -> tuple[str, ...]:
    """Tools recorded without a model (and with no other agent of theirs naming one)."""
    named = {g.tool for a in units for g in a.agents if g.model and g.model != "unknown"}
    return tuple(sorted({g.tool for a in units for g in a.agents} - named))


def _share(a: Attribution) -> float:
    if a.origin == "ai":
        return 1.0
    if a.origin == "mixed":
        return a.ai_fraction if 0.0 < a.ai_fraction < 1.0 else 0.5
    return 0.0


def _top_level(units: Sequence[Attribution]) -> list[Attribution]:
    ids = {a.unit.id: a for a in units}
    top = [a for a in units
           if (a.unit.kind in SECTION_KINDS and not (a.unit.parent in ids and ids[a.unit.parent].unit.kind in SECTION_KINDS))
           or a.unit.kind == "module"]
    return top or list(units)


def statement(units: Sequence[Attribution]) -> AIAStatement:
    involved = [a for a in units if a.is_ai or a.agents]
    unknown = sum(1 for a in units if a.origin == "unknown")
    known = [a for a in _top_level(units) if a.origin != "unknown"]
    weight = sum(a.unit.size for a in known)
    share = sum(_share(a) * a.unit.size for a in known) / weight if weight else None
    if not involved:
        if unknown or not units:
            return AIAStatement(None, (), (), None, (), share, unknown)
        return AIAStatement("Eh", (), (), None, (), share, unknown)
    if all(a.origin == "ai" for a in units if a.origin != "unknown"):
        proportion = "EAI"
    elif share is not None and share > 2 / 3:
        proportion = "PAI"
    elif share is not None and share >= 1 / 3:
        proportion = "HAb"
    else:
        proportion = "Ph"
    contributions: tuple[str, ...] = ()
    if proportion != "EAI":
        found = set()
        for a in involved:
            if a.role in NEW_CONTENT_ROLES or (a.role is None and a.origin == "ai"):
                found.add("Nc")
            elif a.role in EDIT_ROLES or (a.role is None and a.origin == "mixed"):
                found.add("Ce")
        contributions = tuple(c for c in ("Se", "Ce", "Nc") if c in found)
    tools = {g.tool.lower() for a in involved for g in a.agents}
    initiative = ("Hin", "Ain") if any(t in tool for tool in tools for t in COMPLETION_TOOLS) else ("Hin",)
    review = "R" if all(a.has_current_review for a in involved) else "Nr"
    return AIAStatement(proportion, contributions, initiative, review, model_names(involved), share, unknown,
                        unnamed_models=unnamed_model_tools(involved))
