"""Record -> the reviewer's web page, build/report/index.html: one self-contained file.

What it shows: the summary and the AI Attribution statement; the statement graph as SVG
(svg.py; node placement is layout.py's), each box coloured by origin and marked for
review and claim checks; a table of every unit; each source file with its lines shaded
by origin and the units' boundaries marked (sourceview.py); filters; and, written by
`paperprov verify --html`, the verification results. Clicking a box, a row or a
boundary opens the unit's details: kind, label, title, origin and what decided it,
agents, evidence, reviews, checks, what it rests on transitively and what rests on it.

How it stays safe and self-contained: Jinja2 with autoescape on, so every string from
the record is escaped wherever the template puts it; the details are built by the
page's own script from JSON in a `<script type="application/json">` block (script_json),
with `textContent` only, never as markup; no URL, event handler or style attribute is
built from data; a Content-Security-Policy meta tag allows nothing but the page's own
inline style and script (by their sha256), so nothing loads from anywhere else and it
works from file://.

Same commit, same bytes: the page depends on the record, the sources' text and the
paper's name only (no time, no path of the machine), in record order.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.disclose import aia
from provenance.disclose.aia import AIAStatement
from provenance.disclose.sourceview import SourceFile, Span, listing, runs_of
from provenance.disclose.svg import SvgGraph, draw, short
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.model import CODE_KINDS, ORIGINS, SECTION_KINDS, Attribution, Record, Rests
from provenance.record.graph import StatementGraph, format_cycle
from provenance.record.summary import agents_note, record_figures
from provenance.recordjson import read_record

GROUPS = (("Sections", SECTION_KINDS), ("Statements", ("statement",)), ("Proofs", ("proof",)),
          ("Figures and tables", ("figure", "table")), ("Code units", CODE_KINDS))
FAILED = ("failed", "error")
TEMPLATES = Path(__file__).parent / "templates"
MAX_SOURCE_BYTES = 4 << 20


@dataclass(frozen=True)
class Verification:
    """What `paperprov verify` found, for the page (verify/report.py's Report, flattened)."""

    ok: bool
    target: str
    checks: tuple[tuple[bool, str], ...]
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> int:
        return sum(1 for ok, _ in self.checks if not ok)


@dataclass(frozen=True)
class UnitRow:
    index: int
    kind: str
    name: str  # "Lemma", "Section", "Function"
    label: str
    title: str
    where: str  # file:first line
    origin: str  # one of ORIGINS
    ai_pct: int
    agents: str
    review: str  # current | stale | none
    checks: str  # passed | failed | not-run | none
    unreviewed_ai: bool
    failing: bool
    statement: bool
    display: str  # how to name it in a sentence: "Lemma lem:monotone", "Proof of Lemma lem:monotone"

    @property
    def caption(self) -> str:
        return short(self.title or self.label or self.where)


@dataclass(frozen=True)
class Summary:
    counts: tuple[tuple[str, tuple[int, ...]], ...]  # group -> counts in ORIGINS order
    agents: tuple[tuple[str, int], ...]  # "tool:model" -> units
    ai_units: int
    ai_reviewed: int
    checks: tuple[int, int, int]  # distinct claim checks: passed, failed, not run
    cycles: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    paper: str
    commit: str
    dirty: bool
    partial: bool
    warnings: tuple[str, ...]
    summary: Summary
    aia: AIAStatement
    units: tuple[UnitRow, ...]
    graph: SvgGraph | None
    sources: tuple[SourceFile, ...]
    data: dict[str, Any] = field(hash=False, compare=False)  # the JSON the details are built from
    verification: Verification | None = None


@dataclass(frozen=True)
class Statements:
    graph: StatementGraph  # which statement uses which
    rests: dict[str, Rests]  # statement id -> what it rests on transitively
    cycles: tuple[str, ...]


def statements(units: Sequence[Attribution]) -> Statements:
    """The one place this page asks for the statement graph (record/graph.py)."""
    graph = StatementGraph.of(units)
    return Statements(graph, graph.closure(), tuple(format_cycle(c) for c in graph.cycles()))


def _review(a: Attribution) -> str:
    named = [r for r in a.reviewed_by if r.by.strip()]
    return "current" if any(not r.stale for r in named) else "stale" if named else "none"


def _checks(outcomes: Sequence[str]) -> str:
    if not outcomes:
        return "none"
    if any(o in FAILED for o in outcomes):
        return "failed"
    return "passed" if all(o == "passed" for o in outcomes) else "not-run"


def _name(a: Attribution) -> str:
    u = a.unit
    return u.display or (u.env or u.kind).capitalize()


def _display(a: Attribution, by_id: Mapping[str, Attribution]) -> str:
    u = a.unit
    parent = by_id.get(u.parent or "")
    if u.kind == "proof" and parent is not None and parent.unit.kind == "statement":
        return f"Proof of {_display(parent, by_id)}"
    return f"{_name(a)} {u.label or u.title or u.id}"


def _row(i: int, a: Attribution, group: Sequence[Attribution], rests: Rests | None,
         by_id: Mapping[str, Attribution]) -> UnitRow:
    u = a.unit
    outcomes = [c.outcome for m in group for c in m.checks]
    unreviewed = (u.id in rests.unreviewed_ai) if rests is not None else a.is_ai and not a.has_current_review
    return UnitRow(
        index=i, kind=u.kind, name=_name(a), label=u.label or "", title=u.title,
        where=f"{u.file}:{u.lines[0]}", origin=a.origin if a.origin in ORIGINS else "unknown",
        ai_pct=round(100 * a.ai_fraction) if 0.0 <= a.ai_fraction <= 1.0 else 0,
        agents=" ".join(filter(None, (agents_note(a), ", ".join(sorted({str(g) for g in a.agents}))))),
        review=_review(a), checks=_checks(outcomes),
        unreviewed_ai=unreviewed, failing=any(o in FAILED for o in outcomes), statement=u.kind == "statement",
        display=_display(a, by_id),
    )


# The page's groups and the record's (record/summary.py counts them).
_GROUP_OF = {"Sections": "sections", "Statements": "statements", "Proofs": "proofs",
             "Figures and tables": "figures_tables", "Code units": "code"}


def _summary(record: Record, cycles: tuple[str, ...]) -> Summary:
    """The page prints the figures the appendix and `status` print: counted once, in
    record/summary.py."""
    fig = record_figures(record)
    return Summary(
        counts=tuple((name, tuple(fig.counts[_GROUP_OF[name]].get(o, 0) for o in ORIGINS)) for name, _ in GROUPS),
        agents=tuple((g.agent, g.units + g.other) for g in fig.agents), ai_units=fig.involved,
        ai_reviewed=fig.involved_reviewed, checks=fig.checks, cycles=cycles,
    )


def _evidence(a: Attribution) -> list[dict[str, str]]:
    out = []
    for e in a.evidence:
        where = f"{e.file}:{e.line}" if e.file and e.line else e.file or ""
        out.append({"source": e.source, "detail": e.detail, "where": where, "commit": e.commit or ""})
    return out


def _unit_data(a: Attribution, row: UnitRow, index: Mapping[str, int], proofs: Sequence[int],
               rests: Rests | None, rested_by: Sequence[str]) -> dict[str, Any]:
    u = a.unit
    d: dict[str, Any] = {
        "id": u.id, "kind": u.kind, "name": row.name, "display": row.display, "label": u.label or "", "title": u.title, "file": u.file,
        "lines": [u.lines[0], u.lines[1]], "origin": row.origin, "decided_by": a.decided_by,
        "declared": a.declared_origin or "", "measured": a.measured_origin or "", "ai_pct": row.ai_pct,
        "lines_by_origin": [[k, v] for k, v in a.lines_by_origin if isinstance(v, int)],
        "agents": sorted({str(g) for g in a.agents}), "role": a.role or "", "evidence": _evidence(a),
        "reviews": [{"by": r.by, "commit": r.commit or "", "stale": r.stale, "source": r.source} for r in a.reviewed_by],
        "checks": [{"nodeid": c.nodeid, "outcome": c.outcome} for c in a.checks],
        "conflicts": list(a.conflicts), "uses": list(u.uses), "parent": index.get(u.parent or ""), "proofs": list(proofs),
        "review": row.review, "check_status": row.checks,
    }
    if rests is not None:
        d["rests_on"] = [index[s] for s in rests.rests_on if s in index]
        d["rested_by"] = [index[s] for s in rested_by if s in index]
        d["unreviewed"] = [index[s] for s in rests.unreviewed_ai if s in index]
        d["bad_checks"] = [{"unit": index.get(c.unit), "nodeid": c.nodeid, "outcome": c.outcome} for c in rests.bad_checks]
    return d


def _groups(units: Sequence[Attribution]) -> dict[str, list[int]]:
    """Statement id -> the page indexes of its proofs."""
    statements = {a.unit.id for a in units if a.unit.kind == "statement"}
    proofs: dict[str, list[int]] = {s: [] for s in statements}
    for i, a in enumerate(units):
        if a.unit.kind == "proof" and a.unit.parent in statements:
            proofs[a.unit.parent].append(i)
    return proofs


def _sources(units: Sequence[Attribution], rows: Sequence[UnitRow], texts: Mapping[str, str | None],
             runs: Mapping[str, list[tuple[int, int, str, str]]]) -> tuple[SourceFile, ...]:
    spans: dict[str, list[Span]] = {}
    for a, r in zip(units, rows):
        for file, lo, hi in a.unit.spans:  # a section's \\input files too
            spans.setdefault(file, []).append(Span(r.index, file, lo, hi, short(r.display, 80), r.origin))
    files = sorted(set(spans) | set(runs))
    return tuple(listing(i, path, texts.get(path), spans.get(path, ()), runs.get(path),
                         "not shown: too large, not text, or outside the repository" if path in texts
                         else "not found among this build's sources")
                 for i, path in enumerate(files))


def build_page(record: Record, texts: Mapping[str, str | None], paper: str = "",
               verification: Verification | None = None) -> Page:
    """The page's view. texts: repo-relative path -> the file's text (None: unreadable)."""
    units = record.units
    graph = statements(units)
    index = {a.unit.id: i for i, a in enumerate(units)}
    proofs = _groups(units)
    by_id = {a.unit.id: a for a in units}
    rows = tuple(_row(i, a, [a] + [units[p] for p in proofs.get(a.unit.id, ())], graph.rests.get(a.unit.id), by_id)
                 for i, a in enumerate(units))
    rested_by: dict[str, list[str]] = {s: [] for s in graph.rests}
    for s, rests in graph.rests.items():
        for t in rests.rests_on:
            rested_by.setdefault(t, []).append(s)
    data = {
        "units": [_unit_data(a, rows[i], index, proofs.get(a.unit.id, ()), graph.rests.get(a.unit.id),
                             rested_by.get(a.unit.id, ())) for i, a in enumerate(units)],
    }
    return Page(
        paper=paper, commit=record.commit or "", dirty=record.dirty, partial=record.partial,
        warnings=record.warnings, summary=_summary(record, graph.cycles), aia=aia.statement(units),
        units=rows, graph=draw(graph.graph, index), sources=_sources(units, rows, texts, runs_of(record.files)),
        data=data, verification=verification,
    )


# -- rendering -------------------------------------------------------------------------

def script_json(value: Any) -> str:
    """JSON that is safe inside <script type="application/json">: no `<`, `>` or `&` (so
    no `</script>` or `<!--`), and no U+2028/U+2029 (line terminators in older JS)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def csp_source(text: str) -> str:
    """A CSP hash source allowing exactly this inline block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render(page: Page) -> str:
    import jinja2  # heavy: only when rendering
    import markupsafe

    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    for text, tag in ((css, "</style"), (js, "</script")):
        if tag in text.lower():  # our own assets; a broken one must not close its element early
            raise BuildError(f"{TEMPLATES}: an inline asset contains {tag}>; remove it")
    csp = (f"default-src 'none'; style-src {csp_source(css)}; script-src {csp_source(js)}; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    return env.get_template("report.html.j2").render(
        p=page, origins=ORIGINS, csp=markupsafe.Markup(csp),  # our own hashes and keywords
        css=markupsafe.Markup(css), js=markupsafe.Markup(js),
        data=markupsafe.Markup(script_json(page.data)))


def _safe_name(name: str) -> bool:
    return bool(name) and not name.startswith("/") and "\\" not in name and "\0" not in name and \
        all(part not in ("", ".", "..") for part in name.split("/"))


def tree_texts(root: Path, names: Iterable[str]) -> dict[str, str | None]:
    """Files of the working tree by repo-relative name: their text (None when too large,
    not UTF-8 text or outside the tree); names that are no file are left out."""
    out: dict[str, str | None] = {}
    base = root.resolve()
    for name in sorted(set(names)):
        path = root / name
        try:
            if not _safe_name(name) or not path.resolve().is_relative_to(base):
                out[name] = None
            elif path.is_file():
                out[name] = decode(path.read_bytes()) if path.stat().st_size <= MAX_SOURCE_BYTES else None
        except OSError:
            out[name] = None
    return out


def decode(data: bytes) -> str | None:
    if len(data) > MAX_SOURCE_BYTES or b"\0" in data:
        return None
    return data.decode("utf-8", "replace")


def unit_files(record: Record) -> list[str]:
    """Every file the page lists: those the units are in and those the line runs name."""
    return sorted({a.unit.file for a in record.units} | set(record.files))


def write_page(out: Path, page: Page) -> None:
    try:
        write_text_atomic(out, render(page))
    except OSError as exc:
        raise BuildError(f"{out}: cannot write the page ({exc.strerror}); choose a directory you can write to") from None


def write_report(root: Path, record_path: Path, out: Path, paper: str) -> None:
    """build/report/index.html from the record and the working tree's sources."""
    record, _ = read_record(record_path)
    texts = tree_texts(root, unit_files(record))
    write_page(out, build_page(record, texts, paper))
