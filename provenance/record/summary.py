"""The record's Summary: unit counts by kind and origin, agents, AI statements and their
reviews, conflicts, and lines by origin over the union of all units (nested units
counted once). Computed from the attributions, never from anything else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from provenance.model import SECTION_KINDS, Attribution, Summary
from provenance.record.graph import StatementGraph, format_cycle
from provenance.record.lines import LINE_ORIGINS, LineClassifier

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


def _covered_lines(attributions: Sequence[Attribution], lines: LineClassifier) -> dict[str, int]:
    """Lines by origin over the union of all units' ranges (sections contain statements;
    no line is counted twice)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for a in attributions:
        ranges.setdefault(a.unit.file, []).append(a.unit.lines)
    total: Counter[str] = Counter()
    for file in sorted(ranges):
        merged: list[list[int]] = []
        for lo, hi in sorted(ranges[file]):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            total.update(lines.range(file, lo, hi).counts)
    return {k: total[k] for k in LINE_ORIGINS}


def summarize(attributions: Sequence[Attribution], lines: LineClassifier, partial: bool,
              graph: StatementGraph) -> Summary:
    by_group = {g: {o: 0 for o in ("human", "ai", "mixed", "unknown")} for g in GROUPS}
    for a in attributions:
        group = KIND_GROUPS.get(a.unit.kind)
        if group is not None:
            by_group[group][a.origin] = by_group[group].get(a.origin, 0) + 1
    ai_statements = [a for a in attributions if a.unit.kind == "statement" and a.is_ai]
    return Summary(
        units=by_group,
        agents=tuple(sorted({str(g) for a in attributions for g in a.agents})),
        ai_statements=len(ai_statements),
        ai_statements_reviewed=sum(1 for a in ai_statements if a.has_current_review),
        conflicts=sum(len(a.conflicts) for a in attributions),
        lines_by_origin=_covered_lines(attributions, lines),
        partial=partial,
        dependencies=graph.closure(),
        cycles=tuple(format_cycle(c) for c in graph.cycles()),
    )
