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

from collections.abc import Sequence
from dataclasses import replace

from provenance.config import Config
from provenance.model import (
    Agent,
    Attribution,
    CheckResult,
    Evidence,
    Marker,
    Review,
    Unit,
)
from provenance.record.declare import declarations, enclosing_markers
from provenance.record.lines import LINE_ORIGINS, LineClassifier, Lines


def measure(committed: int, ai: int, unknown: int, cfg: Config) -> tuple[str, float]:
    if committed == 0 or unknown * 2 > committed:
        return "unknown", (ai / committed if committed else 0.0)
    fraction = ai / committed
    if fraction >= cfg.attribution.ai_min:
        return "ai", fraction
    if fraction <= cfg.attribution.human_max:
        return "human", fraction
    return "mixed", fraction


def _commit_evidence(lines: Lines, classifier: LineClassifier) -> list[Evidence]:
    out: list[Evidence] = []
    for sha in sorted(lines.ai_commits):
        info = classifier.ev.commits.get(sha)
        n = lines.ai_commits[sha]
        for e in info.evidence if info is not None and info.is_ai else ():
            out.append(Evidence(e.source, f"{e.detail} ({n} lines)", commit=sha))
        for agent in sorted(lines.note_agents.get(sha, ()), key=str):
            out.append(Evidence("note", f"paperprov tag {agent} ({n} lines)", commit=sha))
    for (sha, source, who), n in sorted(lines.facts.items()):  # git-ai notes, Agent Trace records
        out.append(Evidence(source, f"{who} ({n} lines)", commit=sha))
    return out


def attribute_unit(unit: Unit, classifier: LineClassifier, cfg: Config, known_labels: frozenset[str],
                   enclosing: Sequence[Marker] = ()) -> Attribution:
    ev = classifier.ev
    lo, hi = unit.lines
    lines = classifier.range(unit.file, lo, hi)
    counts = lines.counts
    committed = lines.committed
    measured, fraction = measure(committed, counts["ai"], counts["unknown"], cfg) if ev.available else ("unknown", 0.0)
    agents: set[Agent] = set()
    for sha in lines.ai_commits:
        info = ev.commits.get(sha)
        if info is not None and info.is_ai:
            agents.update(info.agents)
        agents.update(lines.note_agents.get(sha, ()))
    agents.update(lines.fact_agents)

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
    evidence.extend(_commit_evidence(lines, classifier))

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


def attribute(units: Sequence[Unit], classifier: LineClassifier, cfg: Config) -> tuple[Attribution, ...]:
    labels = frozenset(u.label for u in units if u.label)
    enclosing = enclosing_markers(units)
    return tuple(attribute_unit(u, classifier, cfg, labels, enclosing.get(u.id, ())) for u in units)
