"""Record -> disclosure appendix: build/disclosure.tex (inside the PDF) and build/disclosure.md.

Every number comes from record/summary.py's `record_figures`, the one place that counts
(`paperprov status` prints the same figures); this module arranges them and the units'
rows into a frozen `Disclosure` view. The Jinja2 templates in templates/ only lay it
out (they count nothing), and pass every string from the record through the `tex` /
`md` filters (escape.py).

The appendix is inside the PDF, and the PDF is a subject of the attestation, so it names
the commit, the sha256 of build/record.json and the fingerprints of the committed
keys/*.pub, never anything that exists only after signing.

What the .tex needs from the paper: nothing beyond the LaTeX kernel under pdfLaTeX (the
build's engine; e-TeX's \\dimexpr for column widths; under XeLaTeX/LuaLaTeX escaped `'` and
backquotes would print as missing glyphs). It loads no package: booktabs rules are
used when the paper loads booktabs (\\hline otherwise); hyperref/cleveref are optional
(\\ref is the kernel's). The dependency graph (laid out by layout.py) is drawn in the
kernel's picture mode (\\qbezier edges); its nodes are filled with colour only when the
paper loads color or xcolor, and state their origin and review status in words either
way. The output is pure ASCII, so the paper's input and font encodings do not matter.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.config import Config
from provenance.disclose import aia, formalview, venues
from provenance.disclose.aia import AIAStatement
from provenance.disclose.escape import (
    md,
    md_code,
    safe_label,
    tex,
    tex_chunks,
    tex_id,
    tex_label,
)
from provenance.disclose.layout import Graph, layout
from provenance.disclose.venues import VenueAnswer
from provenance.fsutil import write_text_atomic
from provenance.model import CODE_KINDS, ORIGINS, SECTION_KINDS, Attribution, Record, Unit
from provenance.paths import submission_zip
from provenance.record.graph import StatementGraph
from provenance.record.summary import AgentFigure, Figures, agents_note, record_figures
from provenance.recordjson import read_record

if TYPE_CHECKING:
    import jinja2

TITLE = "AI use and provenance disclosure"
# (singular, plural, the record's group)
GROUPS = (("section", "sections", "sections"), ("statement", "statements", "statements"),
          ("proof", "proofs", "proofs"), ("code unit", "code units", "code"),
          ("figure or table", "figures and tables", "figures_tables"))


@dataclass(frozen=True)
class Ref:
    """How to name a unit: `display~\\ref{label}` when the label is safe, else `text`."""

    display: str
    label: str | None
    title: str
    text: str  # the name to show when there is no safe label: title, label or place
    where: str


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    ref: Ref
    proof_of: Ref | None
    origin: str
    ai_pct: int
    agents: tuple[str, ...]
    agents_note: str  # before the agents of a unit without AI involvement: "human-edited, with AI lines from"
    role: str
    reviewers: tuple[str, ...]
    stale: tuple[str, ...]
    passed: int
    failed: int
    not_run: int
    conflicts: tuple[str, ...]
    ai: bool
    reviewed: bool
    formal: str = ""  # "Coq-checked", "Lean declared", ... (formalview.cell)

    @property
    def is_code(self) -> bool:
        return self.kind in CODE_KINDS

    @property
    def status(self) -> str:
        if self.origin == "unknown":
            return "unknown"
        if not self.ai:
            return "human"
        return "reviewed" if self.reviewed else "not reviewed"


@dataclass(frozen=True)
class Counts:
    singular: str
    name: str
    human: int
    ai: int
    mixed: int
    unknown: int

    @property
    def total(self) -> int:
        return self.human + self.ai + self.mixed + self.unknown


@dataclass(frozen=True)
class Disclosure:
    title: str
    paper: str
    venue: str
    venue_name: str
    commit: str | None
    dirty: bool
    partial: bool
    warnings: tuple[str, ...]
    record_sha256: str
    signers: tuple[tuple[str, str], ...]
    ai_used: bool
    fig: Figures  # every number the appendix prints (record/summary.py)
    counts: tuple[Counts, ...]
    agents: tuple[AgentFigure, ...]
    statements: tuple[Row, ...]  # statements and proofs, in paper order
    code: tuple[Row, ...]
    sections: tuple[Row, ...]
    involved: tuple[Row, ...]  # every unit with AI involvement
    reviewers: tuple[str, ...]
    outside_reviewers: tuple[str, ...]  # reviewers not listed under authors:
    graph: Graph[Row] | None
    aia: AIAStatement  # (the field shadows the module here: name the types directly)
    answers: tuple[VenueAnswer, ...]
    verify_command: str
    formal: formalview.FormalSection | None = None
    venue_where: str = ""  # where the venue wants its answer in the paper
    venue_sources: tuple[str, ...] = ()

    @property
    def conflicted(self) -> tuple[Row, ...]:
        return tuple(r for r in self.statements + self.code + self.sections if r.conflicts)

    @property
    def unreviewed(self) -> tuple[Row, ...]:
        return tuple(r for r in self.involved if not r.reviewed)


def _checks(a: Attribution) -> tuple[int, int, int]:
    out = Counter("passed" if c.outcome == "passed" else "failed" if c.outcome in ("failed", "error") else "not run"
                  for c in a.checks)
    return out["passed"], out["failed"], out["not run"]


def _short_title(u: Unit, label: str | None) -> str:
    """A figure's or table's title is its caption: the number says enough when it has a
    label; otherwise its first sentence, cut short."""
    if u.kind not in ("figure", "table"):
        return u.title
    if label is not None:
        return ""
    first = u.title.split(". ", 1)[0]
    return first if len(first) <= 60 else first[:57].rstrip() + "..."


def _ref(a: Attribution) -> Ref:
    u = a.unit
    label = u.label if safe_label(u.label) else None
    display = u.display or (u.env or u.kind).capitalize()
    title = _short_title(u, label)
    text = title or (f"{display} {u.label}" if u.label else f"{display} at {u.file}:{u.lines[0]}")
    return Ref(display=display, label=label, title=title, text=text, where=f"{u.file}:{u.lines[0]}")


def _row(a: Attribution, by_id: dict[str, Attribution]) -> Row:
    parent = by_id.get(a.unit.parent or "")
    passed, failed, not_run = _checks(a)
    return Row(
        id=a.unit.id, kind=a.unit.kind, ref=_ref(a),
        proof_of=_ref(parent) if a.unit.kind == "proof" and parent is not None else None,
        origin=a.origin if a.origin in ORIGINS else "unknown",
        ai_pct=round(100 * a.ai_fraction) if 0.0 <= a.ai_fraction <= 1.0 else 0,  # NaN from a hand-edited record
        agents=tuple(sorted({str(g) for g in a.agents})), agents_note=agents_note(a), role=a.role or "",
        reviewers=tuple(sorted({r.by for r in a.reviewed_by if r.by.strip() and not r.stale})),
        stale=tuple(sorted({r.by for r in a.reviewed_by if r.by.strip() and r.stale})),
        passed=passed, failed=failed, not_run=not_run, conflicts=a.conflicts,
        ai=a.is_ai, reviewed=a.has_current_review, formal=formalview.cell(a),
    )


def build_view(cfg: Config, record: Record, record_sha256: str,
               signers: tuple[tuple[str, str], ...] = ()) -> Disclosure:
    """The appendix's content. `signers` (name, fingerprint): the disclosed signers,
    decided before signing (attest/signers.py), never every committed key."""
    units = record.units
    fig = record_figures(record)
    by_id = {a.unit.id: a for a in units}
    rows = {a.unit.id: _row(a, by_id) for a in units}
    counts = tuple(Counts(singular, name, *(fig.counts[group].get(o, 0) for o in ORIGINS))
                   for singular, name, group in GROUPS)
    involved = tuple(rows[a.unit.id] for a in units if a.is_ai)
    reviewers = tuple(sorted({r for row in rows.values() for r in row.reviewers}))
    names = {x.lower() for au in cfg.authors for x in (au.name, au.email) if x}
    outside = tuple(r for r in reviewers if names and r.lower() not in names)
    statement = aia.statement(units)
    ai_used = bool(fig.involved or fig.agents)
    venue, answers = venues.answers(cfg.venue, venues.facts(units, statement.models or aia.model_names(units), fig),
                                    cfg.declarations)
    return Disclosure(
        title=TITLE, paper=cfg.paper.name, venue=cfg.venue, venue_name=venue.name if venue else "",
        commit=record.commit, dirty=record.dirty, partial=record.partial, warnings=record.warnings,
        record_sha256=record_sha256,
        signers=tuple(signers),
        ai_used=ai_used, fig=fig, counts=counts, agents=fig.agents,
        statements=tuple(rows[a.unit.id] for a in units if a.unit.kind in ("statement", "proof")),
        code=tuple(rows[a.unit.id] for a in units if a.unit.kind in CODE_KINDS),
        sections=tuple(rows[a.unit.id] for a in units if a.unit.kind in SECTION_KINDS),
        involved=involved, reviewers=reviewers, outside_reviewers=outside,
        graph=layout(StatementGraph.of(units), rows), aia=statement, answers=answers,
        venue_where=venue.where if venue else "", venue_sources=venue.sources if venue else (),
        verify_command=f"paperprov verify {submission_zip(cfg.paper.name)} --trusted-keys keys/",
        formal=formalview.section(units, {k: r.ref for k, r in rows.items()}),
    )


def _env(tex_syntax: bool) -> jinja2.Environment:
    import jinja2  # heavy: only when rendering

    make = functools.partial(
        jinja2.Environment,
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if tex_syntax:
        env = make(block_start_string="\\BLOCK{", block_end_string="}", variable_start_string="\\VAR{",
                   variable_end_string="}", comment_start_string="\\#{", comment_end_string="}",
                   line_comment_prefix="%#")
    else:
        env = make()
    env.filters.update(count=count, tex=tex, tex_id=tex_id, tex_chunks=tex_chunks, tex_label=tex_label, md=md, md_code=md_code)
    return env


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`3|count('unit')` -> "3 units"; the templates' only pluralisation."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def render_tex(view: Disclosure) -> str:
    # lstrip: the template's own %# comment lines leave empty lines behind
    return _env(True).get_template("disclosure.tex.j2").render(d=view).lstrip("\n")


def render_md(view: Disclosure) -> str:
    return _env(False).get_template("disclosure.md.j2").render(d=view)


def write_disclosure(cfg: Config, record_path: Path, tex_out: Path, md_out: Path,
                     signers: tuple[tuple[str, str], ...] = ()) -> None:
    record, digest = read_record(record_path)
    view = build_view(cfg, record, digest, signers)
    write_text_atomic(tex_out, render_tex(view))
    write_text_atomic(md_out, render_md(view))
