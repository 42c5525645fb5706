"""Merge declarations and git evidence into one Attribution per unit (pure: no I/O).

Per unit:
- measured: every current line is classified from its blame commit: `uncommitted`
  (not committed yet), `unknown` (a shallow clone's boundary commit, whose lines may be
  older than the clone), `ai` (a `paperprov tag` note covers the line's original path and
  line in that commit, or the commit carries AI evidence), `human` (the commit says
  `Assisted-by: none`), else `attribution.untagged` (human by default).
  ai_fraction = ai / committed lines; the measured origin is `unknown` when nothing is
  committed or most committed lines are unknown, else `ai` at or above `ai_min`,
  `human` at or below `human_max`, `mixed` in between.
- declared: per key (origin, tool, model, role), the unit's own source marker beats a
  label annotation, which beats a marker of an enclosing unit in the same file (a
  section's or module's declaration covers what it contains), which beats a path
  annotation; among equals the last one wins (REUSE.toml style). `reviewed-by` and
  `check` accumulate from the unit's own markers and its annotations.
- final origin: the declaration when there is one, else the measurement. `decided_by`
  says which: marker | sidecar | blame | default (no declaration, nothing measured).
- conflict: a declaration the evidence contradicts, namely declared `human` but
  measured `ai` (ai_fraction >= ai_min), or declared `ai` but measured `human`
  (ai_fraction <= human_max) with most committed lines from commits that say
  `Assisted-by: none` (an untagged commit is no evidence against a declared `ai`: that
  is what declarations are for, e.g. text pasted from a chat window). Both values are
  kept, and the conflict names the unit, the declaration's source and the measurement.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from provenance.config import CONFIG_NAME, Annotation, Config
from provenance.evidence.collect import BlameSpan, GitEvidence
from provenance.model import (
    SECTION_KINDS,
    Agent,
    Attribution,
    CheckResult,
    Evidence,
    Marker,
    Review,
    Unit,
)

LINE_ORIGINS = ("ai", "human", "unknown", "uncommitted")
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
ORIGIN_KEYS = ("origin", "tool", "model", "role")


class _Lines:
    """Per-line classification of one unit's range, with the commits behind the AI lines."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(LINE_ORIGINS, 0)
        self.ai_commits: Counter[str] = Counter()  # commit -> AI lines
        self.note_agents: dict[str, set[Agent]] = {}  # commit -> agents from notes
        self.declared_human = 0  # lines from commits that say `Assisted-by: none`


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, end = 0, 0
    for lo, hi in sorted(intervals):
        lo = max(lo, end + 1)
        if hi >= lo:
            total += hi - lo + 1
            end = hi
    return total


_last_classes: list[tuple[GitEvidence, str, dict[str, str]]] = []  # at most one entry


def _classes(ev: GitEvidence, untagged: str) -> dict[str, str]:
    """commit -> origin of its lines (before notes), computed once per evidence."""
    if _last_classes and _last_classes[0][0] is ev and _last_classes[0][1] == untagged:
        return _last_classes[0][2]
    out: dict[str, str] = {}
    for sha, info in ev.commits.items():
        out[sha] = "ai" if info.is_ai else "human" if info.declared_none else untagged
    for sha in ev.boundary:
        out[sha] = "unknown"  # a shallow clone's graft: its lines may be far older
    _last_classes[:] = [(ev, untagged, out)]
    return out


def _line_origins(spans: Sequence[BlameSpan], lo: int, hi: int, ev: GitEvidence, untagged: str) -> _Lines:
    out = _Lines()
    counts = out.counts
    classes = _classes(ev, untagged)
    notes = ev.notes
    # Spans are sorted and disjoint: start at the one holding `lo`, stop past `hi`.
    first = max(bisect_right(spans, lo, key=lambda s: s.start) - 1, 0)
    for s in islice(spans, first, None):
        if s.start > hi:
            break
        a, b = max(lo, s.start), min(hi, s.start + s.length - 1)
        if a > b:
            continue
        n = b - a + 1
        sha = s.commit
        if sha is None:
            counts["uncommitted"] += n
            continue
        origin = classes.get(sha, untagged)
        tagged = 0
        if sha in notes:
            # A tag names lines as they were in that commit: compare with the slice's
            # original line numbers, and count overlapping tags' lines once.
            o_lo = s.orig_start + (a - s.start)
            o_hi = o_lo + n - 1
            hits: list[tuple[int, int]] = []
            for tag in notes[sha]:
                if tag.path == s.orig_path and tag.start <= o_hi and tag.end >= o_lo:
                    hits.append((max(o_lo, tag.start), min(o_hi, tag.end)))
                    out.note_agents.setdefault(sha, set()).add(tag.agent)
            tagged = 0 if origin == "ai" else _union_length(hits)
        if origin == "ai":
            out.ai_commits[sha] += n
        elif tagged:
            counts["ai"] += tagged
            out.ai_commits[sha] += tagged
            n -= tagged
        counts[origin] += n
        if origin == "human" and sha in ev.commits and ev.commits[sha].declared_none:
            out.declared_human += n
    return out


def measure(committed: int, ai: int, unknown: int, cfg: Config) -> tuple[str, float]:
    if committed == 0 or unknown * 2 > committed:
        return "unknown", (ai / committed if committed else 0.0)
    fraction = ai / committed
    if fraction >= cfg.attribution.ai_min:
        return "ai", fraction
    if fraction <= cfg.attribution.human_max:
        return "human", fraction
    return "mixed", fraction


def _annotation_where(a: Annotation) -> str:
    what = f"label={a.label}" if a.label is not None else f"path={a.path}"
    return f"annotations[{a.index}] {what}"


def declarations(unit: Unit, annotations: Sequence[Annotation],
                 enclosing: Sequence[Marker] = ()) -> list[tuple[str, str, str, Evidence]]:
    """(key, value, source, evidence) in increasing precedence: path annotations, markers
    of enclosing units (outermost first; origin, tool, model and role only), label
    annotations, the unit's own markers; each group in file order (the last one wins)."""
    out: list[tuple[str, str, str, Evidence]] = []
    if not annotations and not unit.markers and not enclosing:
        return out
    matching = [a for a in annotations if a.matches(unit.file, unit.label)]

    def add_annotations(by_label: bool) -> None:
        for a in sorted((a for a in matching if (a.label is not None) == by_label), key=lambda a: a.index):
            for k, v in a.fields:
                out.append((k, v, "sidecar", Evidence("sidecar", f"{_annotation_where(a)}: {k}={v}", file=CONFIG_NAME)))

    def add_markers(markers: Iterable[Marker], keys: tuple[str, ...] | None) -> None:
        for m in markers:
            for k, v in m.fields:
                if keys is None or k in keys:
                    out.append((k, v, "marker", Evidence("marker", f"{k}={v}", file=m.file, line=m.line)))

    add_annotations(by_label=False)
    add_markers(enclosing, ORIGIN_KEYS)
    add_annotations(by_label=True)
    add_markers(unit.markers, None)
    return out


def _enclosing_markers(units: Sequence[Unit]) -> dict[str, tuple[Marker, ...]]:
    """unit id -> markers of the units around it in the same file (a section's or a
    module's declaration covers what it contains unless that declares otherwise)."""
    marked: dict[str, list[Unit]] = {}
    for u in units:
        if u.markers:
            marked.setdefault(u.file, []).append(u)
    out: dict[str, tuple[Marker, ...]] = {}
    for u in units:
        outer = [o for o in marked.get(u.file, ()) if o is not u and o.lines != u.lines
                 and o.lines[0] <= u.lines[0] and u.lines[1] <= o.lines[1]]
        if outer:
            outer.sort(key=lambda o: (o.lines[0] - o.lines[1], o.lines[0]))  # outermost first
            out[u.id] = tuple(m for o in outer for m in o.markers)
    return out


def _commit_evidence(commits: Iterable[str], lines: _Lines, ev: GitEvidence) -> list[Evidence]:
    out: list[Evidence] = []
    for sha in sorted(commits):
        info = ev.commits.get(sha)
        n = lines.ai_commits[sha]
        for e in info.evidence if info is not None and info.is_ai else ():
            out.append(Evidence(e.source, f"{e.detail} ({n} lines)", commit=sha))
        for agent in sorted(lines.note_agents.get(sha, ()), key=str):
            out.append(Evidence("note", f"paperprov tag {agent} ({n} lines)", commit=sha))
    return out


def attribute_unit(unit: Unit, ev: GitEvidence, cfg: Config, known_labels: frozenset[str],
                   enclosing: Sequence[Marker] = ()) -> Attribution:
    lo, hi = unit.lines
    lines = _line_origins(ev.blame.get(unit.file, ()), lo, hi, ev, cfg.attribution.untagged)
    counts = lines.counts
    committed = counts["ai"] + counts["human"] + counts["unknown"]
    measured, fraction = measure(committed, counts["ai"], counts["unknown"], cfg) if ev.available else ("unknown", 0.0)
    agents: set[Agent] = set()
    for sha in lines.ai_commits:
        info = ev.commits.get(sha)
        if info is not None and info.is_ai:
            agents.update(info.agents)
        agents.update(lines.note_agents.get(sha, ()))

    decl: dict[str, tuple[str, str, Evidence]] = {}
    evidence: list[Evidence] = []
    reviews: dict[tuple[str, str], Review] = {}
    checks: dict[str, CheckResult] = {}
    for key, value, source, e in declarations(unit, cfg.annotations, enclosing):
        evidence.append(e)
        if key == "reviewed-by":
            reviews.setdefault((value, source), Review(by=value, source=source))
        elif key == "check":
            checks.setdefault(value, CheckResult(nodeid=value, outcome="not-run"))
        else:
            decl[key] = (value, source, e)
    for label, nodeids in cfg.checks:
        if unit.label == label:
            for nodeid in nodeids:
                checks.setdefault(nodeid, CheckResult(nodeid=nodeid, outcome="not-run"))

    declared = decl["origin"][0] if "origin" in decl else None
    if "tool" in decl and (declared or measured) in ("ai", "mixed"):
        agents.add(Agent(tool=decl["tool"][0], model=decl["model"][0] if "model" in decl else "unknown"))
    if declared is not None:
        origin, decided_by = declared, decl["origin"][1]
    elif ev.available and committed:
        origin, decided_by = measured, "blame"
    else:
        origin, decided_by = measured, "default"

    conflicts: list[str] = []
    if declared is not None and committed:
        # Untagged commits are an absence of evidence, not evidence of human work: only
        # commits that said `Assisted-by: none` can contradict a declared `ai`.
        contradicted = (declared == "human" and measured == "ai") or (
            declared == "ai" and measured == "human" and lines.declared_human * 2 > committed)
        if contradicted:
            e = decl["origin"][2]
            where = f"{e.file}:{e.line}" if e.line else f"{e.file} {e.detail.split(':')[0]}"
            conflicts.append(
                f"{unit.id}: declared origin={declared} ({where}) but measured {measured}: "
                f"{counts['ai']} of {committed} committed lines ({fraction:.0%}) come from AI-tagged commits"
            )

    if ev.available and (committed or counts["uncommitted"]):
        parts = ", ".join(f"{counts[k]} {k}" for k in LINE_ORIGINS if counts[k])
        evidence.append(Evidence("blame", f"lines {lo}-{hi}: {parts}; measured {measured}", file=unit.file, line=lo))
    evidence.extend(_commit_evidence(lines.ai_commits, lines, ev))

    uses = tuple(dict.fromkeys(u for u in unit.uses if u in known_labels and u != unit.label))
    return Attribution(
        unit=replace(unit, uses=uses) if uses != unit.uses else unit,
        origin=origin,
        ai_fraction=fraction,
        agents=tuple(sorted(agents, key=lambda a: (a.tool, a.model))),
        role=decl["role"][0] if "role" in decl else None,
        decided_by=decided_by,
        declared_origin=declared,
        measured_origin=measured if ev.available else None,
        lines_by_origin=tuple((k, counts[k]) for k in LINE_ORIGINS),
        evidence=tuple(dict.fromkeys(evidence)),
        reviewed_by=tuple(sorted(reviews.values(), key=lambda r: (r.by, r.source))),
        checks=tuple(sorted(checks.values(), key=lambda c: c.nodeid)),
        conflicts=tuple(conflicts),
    )


def attribute(units: Sequence[Unit], ev: GitEvidence, cfg: Config) -> tuple[Attribution, ...]:
    labels = frozenset(u.label for u in units if u.label)
    enclosing = _enclosing_markers(units)
    return tuple(attribute_unit(u, ev, cfg, labels, enclosing.get(u.id, ())) for u in units)


def _covered_lines(attributions: Sequence[Attribution], ev: GitEvidence, cfg: Config) -> dict[str, int]:
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
            total.update(_line_origins(ev.blame.get(file, ()), lo, hi, ev, cfg.attribution.untagged).counts)
    return {k: total[k] for k in LINE_ORIGINS}


def summarize(attributions: Sequence[Attribution], ev: GitEvidence, cfg: Config, partial: bool) -> dict[str, Any]:
    by_group = {g: {o: 0 for o in ("human", "ai", "mixed", "unknown")} for g in GROUPS}
    for a in attributions:
        group = KIND_GROUPS.get(a.unit.kind)
        if group is not None:
            by_group[group][a.origin] = by_group[group].get(a.origin, 0) + 1
    ai_statements = [a for a in attributions if a.unit.kind == "statement" and a.origin in ("ai", "mixed")]
    agents = sorted({str(g) for a in attributions for g in a.agents})
    return {
        "units": by_group,
        "agents": agents,
        "ai_statements": len(ai_statements),
        "ai_statements_reviewed": sum(1 for a in ai_statements if a.reviewed_by),
        "conflicts": sum(len(a.conflicts) for a in attributions),
        "lines_by_origin": _covered_lines(attributions, ev, cfg),
        "partial": partial,
    }
