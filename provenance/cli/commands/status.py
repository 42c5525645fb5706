"""`paperprov status [--json] [DIR]`: who wrote what, computed fresh from the sources and git.

The table lists every unit with its origin, AI share, agents and reviewers; the figures
the appendix prints (record/summary.py counts them, once, for both), conflicts and
warnings follow. `--json` prints the record exactly as build/record.json holds it.
Nothing is written except paperprov's caches under .git/paperprov/ (blame, the walk, the
record whole and per file).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.errors import ProvenanceError
from provenance.model import ORIGINS, Attribution, Record
from provenance.record.lines import LINE_ORIGINS
from provenance.record.summary import Figures, agents_note, record_figures
from provenance.recordjson import parse_record

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
COLUMNS = ("id", "kind", "origin", "ai%", "agents", "reviewed by", "checks")
MAX_WIDTH = 48


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help=HELP["status"])
    p.add_argument("--json", action="store_true", help="print the record as JSON (as in build/record.json)")
    p.add_argument("dir", nargs="?", default=".", help="the paper repository (default: current directory)")
    p.set_defaults(run=run)


def clean(text: str, width: int = MAX_WIDTH) -> str:
    """User strings reach a terminal: no control characters, bounded width."""
    text = _CONTROL.sub("?", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(a: Attribution, durations: Mapping[str, float]) -> tuple[str, ...]:
    kind = a.unit.display or a.unit.kind
    origin = a.origin + ("*" if a.decided_by in ("marker", "sidecar") else "")
    return (
        clean(a.unit.id),
        clean(kind, 16),
        origin,
        f"{a.ai_fraction * 100:.0f}" if a.measured_origin not in (None, "unknown") else "-",
        clean(" ".join(filter(None, (agents_note(a), ", ".join(str(g) for g in a.agents)))) or "-"),
        clean(", ".join(r.by + (" (stale)" if r.stale else "") for r in a.reviewed_by) or "-", 24),
        _checks_cell(a, durations),
    )


def _formal_cell(a: Attribution) -> str:
    return clean(", ".join(f"{r.link.partition(':')[0]} {r.status}" for r in a.formal) or "-", 32)


def _checks_cell(a: Attribution, durations: Mapping[str, float]) -> str:
    if not a.checks:
        return "-"
    passed = sum(c.outcome == "passed" for c in a.checks)
    bad = sorted({c.outcome for c in a.checks if c.outcome != "passed"})
    took = [durations[c.nodeid] for c in a.checks if c.nodeid in durations]
    return (f"{passed}/{len(a.checks)} passed" + (f" ({', '.join(bad)})" if bad else "")
            + (f" in {sum(took):.2f}s" if took else ""))


SHOWN = 8  # statements named per list; a blueprint's main theorem rests on hundreds


def _some(names: Sequence[str]) -> str:
    more = len(names) - SHOWN
    return ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def _rests_on(record: Record) -> list[str]:
    """Statements that rest (transitively, through \\uses) on unreviewed AI work or on
    checks that did not pass."""
    lines = []
    for sid, d in record.summary.dependencies.items():
        parts = []
        if d.unreviewed_ai:
            parts.append("unreviewed AI: " + _some(d.unreviewed_ai))
        if d.bad_checks:
            parts.append("checks: " + _some([f"{c.nodeid} ({c.outcome})" for c in d.bad_checks]))
        if d.not_formally_proved:
            parts.append("not formally proved: " + _some(d.not_formally_proved))
        if parts:
            lines.append(f"  {clean(sid, 60)}: {clean('; '.join(parts), 2000)}")
    return lines


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


def format_table(record: Record, durations: Mapping[str, float] | None = None) -> str:
    """`durations`: seconds per check node id from the last run (build/checks.json); the
    record itself keeps only outcomes, so that it stays the same bytes run after run."""
    formal = any(a.formal for a in record.units)  # the column only where formal proofs are linked
    rows = [COLUMNS + ("formal",) * formal] + [_row(a, durations or {}) + (_formal_cell(a),) * formal
                                                for a in record.units]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    head = record.commit[:12] if record.commit else "(no commit)"
    lines.insert(0, f"commit {head}{' (dirty)' if record.dirty else ''}{' (partial)' if record.partial else ''}"
                    f" — {len(record.units)} units; * = declared")
    lines.append("")
    lines.extend(_figures(record_figures(record)))
    conflicts = [c for a in record.units for c in a.conflicts]
    if conflicts:
        lines.append("")
        lines.append(f"Conflicts ({len(conflicts)}):")
        lines.extend(f"  {clean(c, 400)}" for c in conflicts)
    rests = _rests_on(record)
    if rests:
        lines.append("")
        lines.append(f"Statements resting on unreviewed AI work, unpassed checks or proofs no proof assistant "
                     f"checked ({len(rests)}):")
        lines.extend(rests)
    if formal:
        lines.append("")
        lines.append("formal: proved, admitted, axioms, missing, failed = what Coq/Lean said when checking; "
                     "declared, linked, not-run = not checked (declared: the authors' claim)")
    if record.warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {clean(w, 400)}" for w in record.warnings)
    return "\n".join(lines) + "\n"


TABLE_CACHE = "paperprov/status.txt"


def _table(root: Path, data: bytes, durations: Mapping[str, float]) -> str:
    """format_table of the record `data`, remembered beside the record under .git/ by the
    digest of what it is made of: on a book, reading the record back into 46,662 units
    and laying out their rows takes seconds, and a warm status should not."""
    import hashlib

    from provenance.evidence.gitstate import common_dir
    from provenance.fsutil import write_bytes_atomic

    h = hashlib.sha256(data)
    h.update(repr(sorted(durations.items())).encode())
    key = h.hexdigest().encode() + b"\n"
    common = common_dir(root)
    path = None if common is None else common / TABLE_CACHE
    if path is not None:
        try:
            with open(path, "rb") as fh:
                if fh.readline() == key:
                    return fh.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    text = format_table(parse_record(data, "the record"), durations)
    if path is not None:
        try:
            write_bytes_atomic(path, (key, text.encode("utf-8")))
        except OSError:
            pass  # a read-only repository still gets its table, only slower next time
    return text


def run(args: argparse.Namespace) -> int:
    from provenance.config import load
    from provenance.record.cache import record_json_parts

    cfg = load(Path(args.dir))
    parts = record_json_parts(cfg)
    if args.json:
        sys.stdout.buffer.writelines(parts)
        sys.stdout.flush()
        return 0
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    del parts
    from provenance.paths import CHECKS
    from provenance.record.checks import load_results

    durations = {n: r.duration for n, r in load_results(cfg.root / CHECKS).items()}
    text = _table(cfg.root, data, durations)
    try:
        from provenance.hooks.session import stale_warning

        stale = stale_warning(cfg.root)
    except (ImportError, AttributeError, ProvenanceError):
        stale = None  # outside git there is no session to warn about
    if stale:
        text += f"\n{clean(stale, 400)}\n"
    sys.stdout.write(text)
    return 0
