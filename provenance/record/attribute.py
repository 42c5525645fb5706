"""Merge declarations and git evidence into one Attribution per unit (pure: no I/O).

Per unit (all of its lines: a section's extents across \\input files included):
- measured: every current line is classified from its blame commit (lines.py): `ai`,
  `human` (the commit says `Assisted-by: none`, or a git-ai note / Agent Trace record
  names a human for the line), `untagged` (no evidence either way),
  `unknown` (a shallow clone's boundary) or `uncommitted`. Untagged lines count as
  `attribution.untagged` says: `unknown` (the default: no claim) or `human` (the
  authors' assumption). ai_fraction = ai / committed lines. The measured origin is
  `unknown` when nothing is committed or most committed lines are unknown; else `ai`
  when ai_fraction >= ai_min; `mixed` when it is above human_max; `human` when AI and
  untagged lines together are at most human_max of the committed lines (so human comes
  only from declarations: `Assisted-by: none`, or the assumption); `unknown` otherwise
  (a unit written in commits that say nothing is not claimed for anyone).
- declared: per key (origin, tool, model, role), the unit's own source marker beats a
  label annotation, which beats a marker of an enclosing unit (a section's or module's
  declaration covers what it contains, in whatever file), which beats a path
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
from provenance.record.lines import LINE_ORIGINS, LineClassifier, Lines, untagged_commits
from provenance.record.pieces import Pieces


def measure(lines: Lines, cfg: Config) -> tuple[str, float]:
    """The measured origin of lines and their AI share (see the module's docstring)."""
    c = lines.counts
    committed = lines.committed
    untagged = 0 if cfg.attribution.untagged == "human" else c["untagged"]
    if committed == 0 or c["unknown"] * 2 > committed:
        return "unknown", (c["ai"] / committed if committed else 0.0)
    fraction = c["ai"] / committed
    if fraction >= cfg.attribution.ai_min:
        return "ai", fraction
    if fraction > cfg.attribution.human_max:
        return "mixed", fraction
    if c["ai"] + untagged <= cfg.attribution.human_max * committed:
        return "human", fraction
    return "unknown", fraction


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


@dataclass
class _Declared:
    """What the declarations that apply to a unit say (declare.py orders them)."""

    fields: dict[str, tuple[str, str, Evidence]]  # key -> (value, source, evidence); the last wins
    evidence: list[Evidence]
    reviews: dict[tuple[str, str], Review]
    checks: dict[str, CheckResult]

    def get(self, key: str) -> str | None:
        return self.fields[key][0] if key in self.fields else None


def _declared(unit: Unit, cfg: Config, enclosing: Sequence[Marker]) -> _Declared:
    d = _Declared({}, [], {}, {})
    for key, value, source, e in declarations(unit, cfg.annotations, enclosing):
        d.evidence.append(e)
        if key == "reviewed-by":
            d.reviews.setdefault((value, source), Review(by=value, source=source))
        elif key == "check":
            d.checks.setdefault(value, CheckResult(nodeid=value, outcome="not-run"))
        else:
            d.fields[key] = (value, source, e)
    for label, nodeids in cfg.checks:
        if unit.label == label:
            for nodeid in nodeids:
                d.checks.setdefault(nodeid, CheckResult(nodeid=nodeid, outcome="not-run"))
    return d


def _conflict(unit: Unit, d: _Declared, measured: str, fraction: float, lines: Lines) -> str | None:
    declared, committed = d.get("origin"), lines.committed
    if declared is None or not committed:
        return None
    # Untagged commits are an absence of evidence, not evidence of human work: only
    # commits that said `Assisted-by: none` can contradict a declared `ai`.
    contradicted = (declared == "human" and measured == "ai") or (
        declared == "ai" and measured == "human" and lines.declared_human * 2 > committed)
    if not contradicted:
        return None
    e = d.fields["origin"][2]
    where = f"{e.file}:{e.line}" if e.line else f"{e.file} {e.detail.split(':')[0]}"
    return (f"{unit.id}: declared origin={declared} ({where}) but measured {measured}: "
            f"{lines.counts['ai']} of {committed} committed lines ({fraction:.0%}) come from AI-tagged commits")


def _where(unit: Unit) -> str:
    spans = unit.spans
    if len(spans) == 1:
        return f"lines {spans[0][1]}-{spans[0][2]}"
    return "lines " + ", ".join(f"{f}:{a}-{b}" for f, a, b in spans)


def known_uses(unit: Unit, labels: frozenset[str]) -> tuple[str, ...]:
    """The labels the unit's \\uses name that the paper defines (not its own)."""
    return tuple(dict.fromkeys(u for u in unit.uses if u in labels and u != unit.label)) if unit.uses else ()


def attribute_unit(unit: Unit, classifier: LineClassifier, cfg: Config, known_labels: frozenset[str],
                   enclosing: Sequence[Marker] = ()) -> Attribution:
    ev = classifier.ev
    lines = classifier.spans(unit.spans)
    counts, committed = lines.counts, lines.committed
    measured, fraction = measure(lines, cfg) if ev.available else ("unknown", 0.0)
    agents: set[Agent] = set()
    for sha in lines.ai_commits:
        info = ev.commits.get(sha)
        if info is not None and info.is_ai:
            agents.update(info.agents)
        agents.update(lines.note_agents.get(sha, ()))
    agents.update(lines.fact_agents)
    d = _declared(unit, cfg, enclosing)
    declared = d.get("origin")
    tool = d.get("tool")
    if tool is not None and (declared or measured) in ("ai", "mixed"):
        agents.add(Agent(tool=tool, model=d.get("model") or "unknown"))
    if declared is not None:
        origin, decided_by = declared, d.fields["origin"][1]
    elif ev.available and committed:
        origin, decided_by = measured, "blame"
    else:
        origin, decided_by = measured, "default"
    conflict = _conflict(unit, d, measured, fraction, lines)
    evidence = d.evidence
    if ev.available and (committed or counts["uncommitted"]):
        parts = ", ".join(f"{counts[k]} {k}" for k in LINE_ORIGINS if counts[k])
        evidence.append(Evidence("blame", f"{_where(unit)}: {parts}; measured {measured}", file=unit.file,
                                 line=unit.lines[0]))
    evidence.extend(_commit_evidence(lines, classifier))
    uses = known_uses(unit, known_labels)
    return Attribution(
        unit=replace(unit, uses=uses) if uses != unit.uses else unit,
        origin=origin,
        ai_fraction=fraction,
        agents=tuple(sorted(agents, key=lambda a: (a.tool, a.model))),
        role=d.get("role"),
        decided_by=decided_by,
        declared_origin=declared,
        measured_origin=measured if ev.available else None,
        lines_by_origin=tuple((k, counts[k]) for k in LINE_ORIGINS),
        evidence=tuple(dict.fromkeys(evidence)),
        reviewed_by=tuple(sorted(d.reviews.values(), key=lambda r: (r.by, r.source))),
        checks=tuple(sorted(d.checks.values(), key=lambda c: c.nodeid)),
        conflicts=(conflict,) if conflict else (),
    )


@dataclass(frozen=True)
class Around:
    """What a unit's attribution reads of the rest of the paper: the labels that exist
    (for its \\uses), the declarations of the units around it."""

    labels: frozenset[str]
    enclosing: Mapping[str, tuple[Marker, ...]]

    @classmethod
    def of(cls, units: Sequence[Unit]) -> Around:
        return cls(frozenset(u.label for u in units if u.label), enclosing_markers(units))

    def uses(self, unit: Unit) -> tuple[str, ...]:
        return known_uses(unit, self.labels)


def attribute(units: Sequence[Unit], classifier: LineClassifier, cfg: Config,
              pieces: Pieces | None = None, around: Around | None = None) -> tuple[Attribution, ...]:
    """Every unit's attribution; `pieces` keeps them per file across runs (pieces.py);
    `around`: Around.of the whole paper when `units` are only some of its units."""
    ctx = around or Around.of(units)
    if pieces is None:
        return tuple(attribute_unit(u, classifier, cfg, ctx.labels, ctx.enclosing.get(u.id, ())) for u in units)
    return pieces.attributions(units, ctx.enclosing, ctx.uses,
                               lambda u, near: attribute_unit(u, classifier, cfg, ctx.labels, near),
                               lambda u: untagged_commits(classifier, u.spans))
