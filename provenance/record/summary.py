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
from operator import attrgetter

from provenance.model import ORIGINS, SECTION_KINDS, Attribution, LineRun, Record, Rests, Summary
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


_RANK = {"passed": 0, "not run": 1, "failed": 2}  # a test linked to several units counts at its worst


class Tally:
    """The figures' raw counts over some units: `add` one attribution at a time, `merge`
    another tally (record/groups.py keeps one per file), `figures` at the end. One place
    says what each figure counts, whether the record is made whole or from pieces."""

    def __init__(self) -> None:
        self.counts = {g: dict.fromkeys(ORIGINS, 0) for g in GROUPS}
        self.ints = dict.fromkeys(_INTS, 0)
        self.agents: dict[str, list[int]] = {}  # "tool:model" -> [units involved, other units]
        self.checks: dict[str, str] = {}  # node id -> worst outcome
        self.ranges: dict[str, list[tuple[int, int]]] = {}  # file -> the units' line ranges

    def add(self, a: Attribution) -> None:
        u, n = a.unit, self.ints
        group = KIND_GROUPS.get(u.kind)
        if group is not None:
            self.counts[group][a.origin if a.origin in ORIGINS else "unknown"] += 1
        involved = a.is_ai
        for g in {str(g) for g in a.agents}:
            self.agents.setdefault(g, [0, 0])[0 if involved else 1] += 1
        if involved:
            reviewed = a.has_current_review
            n["involved"] += 1
            n["involved_reviewed"] += reviewed
            if u.kind in ("statement", "proof"):
                n["statements_involved"] += 1
                n["statements_reviewed"] += reviewed
                if u.kind == "statement":
                    n["ai_statements"] += 1
                    n["ai_statements_reviewed"] += reviewed
        if a.reviewed_by and all(r.stale or not r.by.strip() for r in a.reviewed_by) \
                and any(r.by.strip() for r in a.reviewed_by):
            n["stale_only"] += 1
        if a.origin not in ("human", "ai", "mixed"):
            n["unknown_units"] += 1
        n["conflicts"] += len(a.conflicts)
        for chk in a.checks:
            o = "passed" if chk.outcome == "passed" else "failed" if chk.outcome in ("failed", "error") else "not run"
            self._check(chk.nodeid, o)
        for file, lo, hi in u.spans:
            self.ranges.setdefault(file, []).append((lo, hi))

    def _check(self, nodeid: str, outcome: str) -> None:
        if _RANK[outcome] >= _RANK[self.checks.get(nodeid, "passed")]:
            self.checks[nodeid] = outcome

    def merge(self, other: Tally) -> None:
        for g, row in other.counts.items():
            for origin, k in row.items():
                self.counts[g][origin] += k
        for key, k in other.ints.items():
            self.ints[key] += k
        for g, (involved, rest) in other.agents.items():
            mine = self.agents.setdefault(g, [0, 0])
            mine[0] += involved
            mine[1] += rest
        for nodeid, outcome in other.checks.items():
            self._check(nodeid, outcome)
        for file, ranges in other.ranges.items():
            self.ranges.setdefault(file, []).extend(ranges)

    def merged(self) -> Tally:
        """The same tally with each file's ranges merged (what a stored tally keeps)."""
        self.ranges = {f: _merge(r) for f, r in self.ranges.items()}
        return self

    def figures(self, files: Mapping[str, Sequence[LineRun]], untagged_commits: int = 0,
                untagged: str = "unknown") -> Figures:
        n = self.ints
        tally = Counter(self.checks.values())
        return Figures(
            counts=self.counts,
            agents=tuple(AgentFigure(g, *self.agents[g]) for g in sorted(self.agents)),
            involved=n["involved"], involved_reviewed=n["involved_reviewed"],
            statements_involved=n["statements_involved"], statements_reviewed=n["statements_reviewed"],
            ai_statements=n["ai_statements"], ai_statements_reviewed=n["ai_statements_reviewed"],
            stale_only=n["stale_only"], unknown_units=n["unknown_units"],
            checks=(tally["passed"], tally["failed"], tally["not run"]), conflicts=n["conflicts"],
            lines=covered_lines(self.ranges, files), untagged_commits=untagged_commits, untagged=untagged,
        )


_INTS = ("involved", "involved_reviewed", "statements_involved", "statements_reviewed", "ai_statements",
         "ai_statements_reviewed", "stale_only", "unknown_units", "conflicts")


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint ranges covering the same lines (touching ranges joined)."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


_START = attrgetter("start")  # in C: a book's every line run is sorted by it on each record


def covered_lines(ranges: Mapping[str, Sequence[tuple[int, int]]],
                  files: Mapping[str, Sequence[LineRun]]) -> dict[str, int]:
    """Lines by origin over the union of the units' line ranges per file (a section
    contains its statements; no line is counted twice), from the record's line runs."""
    total: Counter[str] = Counter()
    for file in sorted(ranges):
        runs = sorted(files.get(file, ()), key=_START)
        i = 0
        for lo, hi in _merge(ranges[file]):  # both sorted and disjoint: one pass over each
            while i < len(runs) and runs[i].end < lo:
                i += 1
            j = i
            while j < len(runs) and runs[j].start <= hi:
                first, last = max(lo, runs[j].start), min(hi, runs[j].end)
                total[runs[j].origin] += last - first + 1
                j += 1
    return {k: total[k] for k in LINE_ORIGINS}


def figures(units: Sequence[Attribution], files: Mapping[str, Sequence[LineRun]],
            untagged_commits: int = 0, untagged: str = "unknown") -> Figures:
    tally = Tally()
    for a in units:
        tally.add(a)
    return tally.figures(files, untagged_commits, untagged)


def record_figures(record: Record) -> Figures:
    """The figures of a record as read back (the appendix and `status` print these)."""
    s = record.summary
    return figures(record.units, record.files, s.untagged_commits, s.untagged)


def summarize(f: Figures, partial: bool, dependencies: Mapping[str, Rests], cycles: Sequence[str]) -> Summary:
    """The record's summary: the figures `f` (a Tally's), and the statement graph's
    closure and cycles (graph.py's `StatementGraph.closure`, `cycles`)."""
    return Summary(
        units={g: dict(c) for g, c in f.counts.items()},
        agents=tuple(a.agent for a in f.agents),
        ai_statements=f.ai_statements,
        ai_statements_reviewed=f.ai_statements_reviewed,
        conflicts=f.conflicts,
        lines_by_origin=dict(f.lines),
        partial=partial,
        dependencies=dependencies,
        cycles=tuple(cycles),
        untagged_commits=f.untagged_commits,
        untagged=f.untagged,
    )
