"""Every figure the record's readers print, computed in one place from the record.

`figures(units, files, ...)` counts units by kind and origin, agents, units with AI
involvement and their reviews, claim checks, conflicts, and lines by origin over the
union of all units' lines (nested units counted once, across files; from the record's
per-file line runs). The disclosure appendix (disclose/view.py) and `paperprov status`
print these figures and count nothing themselves; `summarize` stores the same figures
as the record's `summary` when the record is made. Two facts only the making of the
record knows are kept in the summary and read back from it: how many commits carry no
AI evidence, and which rule (`attribution.untagged`) measured their lines.

"AI involvement" is one thing everywhere: a unit whose origin is `ai` or `mixed`
(Attribution.is_ai). A unit of human or unknown origin can still hold lines from
AI-tagged commits; an agent's figure counts those units apart (`other`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from provenance.model import ORIGINS, SECTION_KINDS, Attribution, LineRun, Record, Summary
from provenance.record.graph import StatementGraph, format_cycle
from provenance.record.lines import LINE_ORIGINS

KIND_GROUPS = {
    **{k: "sections" for k in SECTION_KINDS},
    "statement": "statements",
    "proof": "proofs",
    "module": "code",
    "function": "code",
    "class": "code",
    "figure": "figures_tables",
    "table": "figures_tables",
}
GROUPS = ("sections", "statements", "proofs", "code", "figures_tables")


@dataclass(frozen=True)
class AgentFigure:
    agent: str  # "tool:model"
    units: int  # units with AI involvement that name it
    other: int  # units of human or unknown origin with lines from it


@dataclass(frozen=True)
class Figures:
    counts: Mapping[str, Mapping[str, int]]  # group -> origin -> units
    agents: tuple[AgentFigure, ...]
    involved: int  # units with AI involvement (origin ai or mixed)
    involved_reviewed: int  # of those, with a current review by a named person
    statements_involved: int  # statements and proofs with AI involvement
    statements_reviewed: int
    ai_statements: int  # statements (not proofs) with AI involvement
    ai_statements_reviewed: int
    stale_only: int  # units whose only reviews are stale
    unknown_units: int
    checks: tuple[int, int, int]  # distinct claim checks: passed, failed (or error), not run
    conflicts: int
    lines: Mapping[str, int]  # line origin -> lines, over the union of all units' lines
    untagged_commits: int  # commits with no AI evidence behind the untagged lines
    untagged: str  # the rule that measured them: "unknown" (no claim) or "human" (assumed)

    @property
    def involved_unreviewed(self) -> int:
        return self.involved - self.involved_reviewed

    @property
    def statements_unreviewed(self) -> int:
        return self.statements_involved - self.statements_reviewed

    @property
    def checks_total(self) -> int:
        return sum(self.checks)

    @property
    def untagged_lines(self) -> int:
        return self.lines.get("untagged", 0)


def agents_note(a: Attribution) -> str:
    """What stands before the agents of a unit: nothing when AI is involved (origin ai or
    mixed); otherwise the agents only wrote some of its lines, and the words say so."""
    if a.is_ai or not a.agents:
        return ""
    return "human-edited, with AI lines from" if a.origin == "human" else "AI lines from"


def covered_lines(units: Sequence[Attribution], files: Mapping[str, Sequence[LineRun]]) -> dict[str, int]:
    """Lines by origin over the union of all units' spans (a section contains its
    statements; no line is counted twice), from the record's line runs."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for a in units:
        for file, lo, hi in a.unit.spans:
            ranges.setdefault(file, []).append((lo, hi))
    total: Counter[str] = Counter()
    for file in sorted(ranges):
        merged: list[list[int]] = []
        for lo, hi in sorted(ranges[file]):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        runs = sorted(files.get(file, ()), key=lambda r: r.start)
        i = 0
        for lo, hi in merged:  # both sorted and disjoint: one pass over each
            while i < len(runs) and runs[i].end < lo:
                i += 1
            j = i
            while j < len(runs) and runs[j].start <= hi:
                first, last = max(lo, runs[j].start), min(hi, runs[j].end)
                total[runs[j].origin] += last - first + 1
                j += 1
    return {k: total[k] for k in LINE_ORIGINS}


def _checks(units: Sequence[Attribution]) -> tuple[int, int, int]:
    outcome: dict[str, str] = {}
    for unit in units:
        for chk in unit.checks:  # a test linked to several units counts once, at its worst result
            o = "passed" if chk.outcome == "passed" else "failed" if chk.outcome in ("failed", "error") else "not run"
            if outcome.get(chk.nodeid) in (None, "passed") or o == "failed":
                outcome[chk.nodeid] = o
    tally = Counter(outcome.values())
    return tally["passed"], tally["failed"], tally["not run"]


def _agents(units: Sequence[Attribution]) -> tuple[AgentFigure, ...]:
    involved: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for a in units:
        for g in {str(g) for g in a.agents}:
            (involved if a.is_ai else other)[g] += 1
    return tuple(AgentFigure(g, involved[g], other[g]) for g in sorted(set(involved) | set(other)))


def figures(units: Sequence[Attribution], files: Mapping[str, Sequence[LineRun]],
            untagged_commits: int = 0, untagged: str = "unknown") -> Figures:
    counts = {g: dict.fromkeys(ORIGINS, 0) for g in GROUPS}
    for a in units:
        group = KIND_GROUPS.get(a.unit.kind)
        if group is not None:
            origin = a.origin if a.origin in ORIGINS else "unknown"
            counts[group][origin] += 1
    involved = [a for a in units if a.is_ai]
    stmts = [a for a in involved if a.unit.kind in ("statement", "proof")]
    ai_statements = [a for a in stmts if a.unit.kind == "statement"]
    return Figures(
        counts=counts, agents=_agents(units),
        involved=len(involved), involved_reviewed=sum(a.has_current_review for a in involved),
        statements_involved=len(stmts), statements_reviewed=sum(a.has_current_review for a in stmts),
        ai_statements=len(ai_statements), ai_statements_reviewed=sum(a.has_current_review for a in ai_statements),
        stale_only=sum(1 for a in units if a.reviewed_by and all(r.stale or not r.by.strip() for r in a.reviewed_by)
                       and any(r.by.strip() for r in a.reviewed_by)),
        unknown_units=sum(1 for a in units if a.origin not in ("human", "ai", "mixed")),
        checks=_checks(units), conflicts=sum(len(a.conflicts) for a in units),
        lines=covered_lines(units, files), untagged_commits=untagged_commits, untagged=untagged,
    )


def record_figures(record: Record) -> Figures:
    """The figures of a record as read back (the appendix and `status` print these)."""
    s = record.summary
    return figures(record.units, record.files, s.untagged_commits, s.untagged)


def summarize(attributions: Sequence[Attribution], files: Mapping[str, Sequence[LineRun]], partial: bool,
              graph: StatementGraph, untagged_commits: int = 0, untagged: str = "unknown") -> Summary:
    f = figures(attributions, files, untagged_commits, untagged)
    return Summary(
        units={g: dict(c) for g, c in f.counts.items()},
        agents=tuple(a.agent for a in f.agents),
        ai_statements=f.ai_statements,
        ai_statements_reviewed=f.ai_statements_reviewed,
        conflicts=f.conflicts,
        lines_by_origin=dict(f.lines),
        partial=partial,
        dependencies=graph.closure(),
        cycles=tuple(format_cycle(c) for c in graph.cycles()),
        untagged_commits=untagged_commits,
        untagged=untagged,
    )
