"""The table `paperprov status` prints: a row per unit (origin, AI share, agents,
reviewers, checks), the figures the appendix prints (summary.py counts them), conflicts,
what statements rest on, and warnings.

A unit's row is a function of its attribution alone, so record/groups.py keeps each
file's rows (`Rows`) beside its other pieces: after an edit the table is laid out from
them and from the record as made, not by reading a book's record back (seconds, and
hundreds of MiB). `format_table` lays out a record read back; both give the same text.
Checks' durations come from the last run (build/checks.json), not from the record, so a
row keeps the node ids of its checks and the durations are added when the table is laid
out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from provenance.model import ORIGINS, Attribution, Record, Rests
from provenance.record.lines import LINE_ORIGINS
from provenance.record.summary import Figures, agents_note, record_figures

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
COLUMNS = ("id", "kind", "origin", "ai%", "agents", "reviewed by", "checks")
MAX_WIDTH = 48
SHOWN = 8  # statements named per list; a blueprint's main theorem rests on hundreds
_SEP = "\x1f"  # between a row's cells: `clean` leaves no control character in a cell


def clean(text: str, width: int = MAX_WIDTH) -> str:
    """User strings reach a terminal: no control characters, bounded width."""
    text = _CONTROL.sub("?", text)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Rows:
    """Some units' rows: each unit's cells joined (the checks cell without durations, the
    formal cell last), the node ids of the checks of units that have any, the units'
    conflicts, and whether any has formal results (the column is shown only then)."""

    rows: dict[str, str] = field(default_factory=dict)
    timed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    conflicts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    formal: bool = False

    @staticmethod
    def of(attributions: Sequence[Attribution]) -> Rows:
        out = Rows(formal=any(a.formal for a in attributions))
        for a in attributions:
            out.rows[a.unit.id] = _SEP.join(_cells(a))
            if a.checks:
                out.timed[a.unit.id] = tuple(c.nodeid for c in a.checks)
            if a.conflicts:
                out.conflicts[a.unit.id] = a.conflicts
        return out

    @staticmethod
    def joined(parts: Iterable[Rows]) -> Rows:
        parts = list(parts)
        out = Rows(formal=any(p.formal for p in parts))
        for p in parts:
            out.rows.update(p.rows)
            out.timed.update(p.timed)
            out.conflicts.update(p.conflicts)
        return out


@dataclass(frozen=True)
class Top:
    """What the table says of the record as a whole."""

    commit: str | None
    dirty: bool
    partial: bool
    warnings: tuple[str, ...]
    rests: tuple[str, ...]  # rests_on(the summary's dependencies)


def _cells(a: Attribution) -> tuple[str, ...]:
    kind = a.unit.display or a.unit.kind
    origin = a.origin + ("*" if a.decided_by in ("marker", "sidecar") else "")
    if a.checks:
        passed = sum(c.outcome == "passed" for c in a.checks)
        bad = sorted({c.outcome for c in a.checks if c.outcome != "passed"})
        checks = f"{passed}/{len(a.checks)} passed" + (f" ({', '.join(bad)})" if bad else "")
    else:
        checks = "-"
    return (
        clean(a.unit.id),
        clean(kind, 16),
        origin,
        f"{a.ai_fraction * 100:.0f}" if a.measured_origin not in (None, "unknown") else "-",
        clean(" ".join(filter(None, (agents_note(a), ", ".join(str(g) for g in a.agents)))) or "-"),
        clean(", ".join(r.by + (" (stale)" if r.stale else "") for r in a.reviewed_by) or "-", 24),
        checks,
        clean(", ".join(f"{r.link.partition(':')[0]} {r.status}" for r in a.formal) or "-", 32),
    )


def _some(names: Sequence[str]) -> str:
    more = len(names) - SHOWN
    return ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def rests_on(dependencies: Mapping[str, Rests]) -> tuple[str, ...]:
    """Statements that rest (transitively, through \\uses) on unreviewed AI work or on
    checks that did not pass, a line each (record/groups.py keeps them with the closure)."""
    lines = []
    for sid, d in sorted(dependencies.items()):  # as record.json orders them
        parts = []
        if d.unreviewed_ai:
            parts.append("unreviewed AI: " + _some(d.unreviewed_ai))
        if d.bad_checks:
            parts.append("checks: " + _some([f"{c.nodeid} ({c.outcome})" for c in d.bad_checks]))
        if d.not_formally_proved:
            parts.append("not formally proved: " + _some(d.not_formally_proved))
        if parts:
            lines.append(f"  {clean(sid, 60)}: {clean('; '.join(parts), 2000)}")
    return tuple(lines)


def _figures(f: Figures) -> list[str]:
    """The appendix's figures, as the appendix counts them."""
    units = "; ".join(f"{sum(c.values())} {group.replace('_', ' and ')} ("
                      + ", ".join(f"{c[o]} {o}" for o in ORIGINS) + ")" for group, c in f.counts.items() if sum(c.values()))
    out = [f"Units: {units or 'none'}",
           f"AI involvement (origin ai or mixed): {f.involved} units, {f.involved_reviewed} reviewed, "
           f"{f.involved_unreviewed} not reviewed; statements and proofs: {f.statements_involved}, "
           f"{f.statements_reviewed} reviewed"]
    for g in f.agents:
        out.append(f"Agent {clean(g.agent, 80)}: in {g.units} units with AI involvement"
                   + (f", AI lines in {g.other} other units" if g.other else ""))
    out.append("Lines: " + ", ".join(f"{f.lines.get(k, 0)} {k}" for k in LINE_ORIGINS))
    if f.untagged_lines:
        claim = ("assumed human-written (attribution.untagged: human)" if f.untagged == "human"
                 else "no claim about who wrote them")
        out.append(f"{f.untagged_lines} lines from {f.untagged_commits} commits carry no AI evidence: {claim}")
    if f.checks_total:
        out.append(f"Claim checks: {f.checks[0]} passed, {f.checks[1]} failed, {f.checks[2]} not run")
    return out


@dataclass(frozen=True)
class Laid:
    """What a table is laid out from, in document order: kept beside the record whole
    (record/cache.py), so a status after a build need not read the record back."""

    head: str  # the first line
    rows: tuple[str, ...]
    timed: dict[int, tuple[str, ...]]  # row index -> node ids of the row's checks
    conflicts: tuple[str, ...]
    rests: tuple[str, ...]  # what statements rest on (rests_on)
    warnings: tuple[str, ...]
    formal: bool
    figures: Figures

    @staticmethod
    def of(top: Top, ids: Sequence[str], rows: Rows, figures: Figures) -> Laid:
        commit = top.commit[:12] if top.commit else "(no commit)"
        head = (f"commit {commit}{' (dirty)' if top.dirty else ''}{' (partial)' if top.partial else ''}"
                f" — {len(ids)} units; * = declared")
        return Laid(head, tuple(rows.rows[i] for i in ids),
                    {k: rows.timed[i] for k, i in enumerate(ids) if i in rows.timed},
                    tuple(c for i in ids for c in rows.conflicts.get(i, ())), top.rests, top.warnings, rows.formal,
                    figures)


def format_table(record: Record, durations: Mapping[str, float] | None = None) -> str:
    """The table of a record read back. `durations`: seconds per check node id from the
    last run (build/checks.json)."""
    top = Top(record.commit, record.dirty, record.partial, record.warnings, rests_on(record.summary.dependencies))
    return layout(Laid.of(top, [a.unit.id for a in record.units], Rows.of(record.units), record_figures(record)),
                  durations)


def layout(laid: Laid, durations: Mapping[str, float] | None = None) -> str:
    """The table's text."""
    durations = durations or {}
    width = len(COLUMNS) + laid.formal
    table: list[Sequence[str]] = [COLUMNS + ("formal",) * laid.formal]
    table += [row.split(_SEP)[:width] for row in laid.rows]
    for k, nodes in laid.timed.items():
        took = [durations[n] for n in nodes if n in durations]
        if took:
            cells = table[k + 1] = list(table[k + 1])
            cells[6] += f" in {sum(took):.2f}s"
    # Column by column and one format per row, in C: a book's 46,662 rows cell by cell
    # in Python were most of the table's time.
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    row_format = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [row_format.format(*r).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(0, laid.head)
    lines.append("")
    lines.extend(_figures(laid.figures))
    if laid.conflicts:
        lines.append("")
        lines.append(f"Conflicts ({len(laid.conflicts)}):")
        lines.extend(f"  {clean(c, 400)}" for c in laid.conflicts)
    rests = laid.rests
    if rests:
        lines.append("")
        lines.append(f"Statements resting on unreviewed AI work, unpassed checks or proofs no proof assistant "
                     f"checked ({len(rests)}):")
        lines.extend(rests)
    if laid.formal:
        lines.append("")
        lines.append("formal: proved, admitted, axioms, missing, failed = what Coq/Lean said when checking; "
                     "declared, linked, not-run = not checked (declared: the authors' claim)")
    if laid.warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {clean(w, 400)}" for w in laid.warnings)
    return "\n".join(lines) + "\n"
