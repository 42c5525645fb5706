"""Value types that flow between the stages, and their JSON form.

scan (latex.py, pycode.py) produces Units; gitlog.py produces Commit facts and per-line
blame; attribute.py merges them into Attributions and a Record, which is what
build/record.json holds (schema "paperprov/record/v1").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

RECORD_SCHEMA = "paperprov/record/v1"

ORIGINS = ("human", "ai", "mixed", "unknown")
ROLES = ("drafted", "edited", "proved", "suggested", "generated")
EVIDENCE_SOURCES = ("marker", "sidecar", "trailer", "author-name", "session", "blame", "note", "review")

# Unit kinds. Theorem-like environments all have kind "statement" and keep their
# environment name in `env` and their printed name ("Lemma") in `display`.
SECTION_KINDS = ("part", "chapter", "section", "subsection")
LATEX_KINDS = SECTION_KINDS + ("statement", "proof", "figure", "table")
CODE_KINDS = ("module", "function", "class")


@dataclass(frozen=True)
class Marker:
    """A `paperprov:` declaration in a source file. `fields` keeps order and repeats
    (several `check=` are allowed)."""

    file: str
    line: int
    fields: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return None

    def get_all(self, key: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.fields if k == key)


@dataclass(frozen=True)
class Unit:
    """A piece of the paper or its code that provenance is recorded for.

    id: the unit's label when it has one, else a stable path-based id such as
        `paper/sections/model.tex#section-2` or `experiments/chain.py::run_chain`.
    lines: 1-based inclusive (start, end) in `file` (a repo-relative POSIX path).
    parent: for a proof, the id of the statement it proves; for other units, the
        enclosing section's id, or None.
    uses: labels this unit depends on (explicit \\uses plus refs inside proofs).
    includes: repo-relative paths of files a figure/table pulls in (experiment outputs).
    """

    id: str
    kind: str
    file: str
    lines: tuple[int, int]
    title: str = ""
    label: str | None = None
    env: str = ""
    display: str = ""
    parent: str | None = None
    uses: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    formal: tuple[str, ...] = ()  # formal proofs named in the source: "coq:NAME", "lean:NAME"
    leanok: bool = False  # leanblueprint's \leanok: the authors say the formalisation is done


@dataclass(frozen=True)
class Agent:
    tool: str
    model: str = "unknown"

    def __str__(self) -> str:
        return f"{self.tool}:{self.model}"


@dataclass(frozen=True)
class Evidence:
    """One fact and where it came from: a marker or sidecar (file, line), or a commit."""

    source: str
    detail: str
    file: str | None = None
    line: int | None = None
    commit: str | None = None


@dataclass(frozen=True)
class Review:
    by: str
    commit: str | None = None
    stale: bool = False
    source: str = "marker"


@dataclass(frozen=True)
class CheckResult:
    nodeid: str
    outcome: str  # passed | failed | error | missing | not-run
    duration: float = 0.0


@dataclass(frozen=True)
class FormalResult:
    """What a proof assistant said of a linked formal proof (record/formal.py has the statuses)."""

    link: str  # coq:NAME | lean:NAME
    status: str  # proved | admitted | axioms | missing | failed | declared | linked | not-run
    axioms: tuple[str, ...] = ()  # the axioms it rests on (allowed ones too, when proved)
    detail: str = ""  # the full name checked, or the first error as file:line


@dataclass(frozen=True)
class Attribution:
    """The merged provenance of one unit: what record.json lists under `units`."""

    unit: Unit
    origin: str
    ai_fraction: float
    agents: tuple[Agent, ...] = ()
    role: str | None = None
    decided_by: str = "default"
    declared_origin: str | None = None
    measured_origin: str | None = None
    lines_by_origin: tuple[tuple[str, int], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    reviewed_by: tuple[Review, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    conflicts: tuple[str, ...] = ()
    formal: tuple[FormalResult, ...] = ()


@dataclass(frozen=True)
class Record:
    commit: str | None
    dirty: bool
    units: tuple[Attribution, ...]
    partial: bool = False
    warnings: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def _unit_dict(a: Attribution) -> dict[str, Any]:
    u = a.unit
    return {
        "id": u.id,
        "kind": u.kind,
        "env": u.env,
        "display": u.display,
        "title": u.title,
        "label": u.label,
        "file": u.file,
        "lines": list(u.lines),
        "parent": u.parent,
        "origin": a.origin,
        "ai_fraction": round(a.ai_fraction, 4),
        "agents": [asdict(g) for g in a.agents],
        "role": a.role,
        "decided_by": a.decided_by,
        "declared_origin": a.declared_origin,
        "measured_origin": a.measured_origin,
        "lines_by_origin": dict(a.lines_by_origin),
        "evidence": [{k: v for k, v in asdict(e).items() if v is not None} for e in a.evidence],
        "reviewed_by": [asdict(r) for r in a.reviewed_by],
        "checks": [asdict(c) for c in a.checks],
        "uses": list(u.uses),
        "includes": list(u.includes),
        "conflicts": list(a.conflicts),
        "formal": [{**asdict(f), "axioms": list(f.axioms)} for f in a.formal],
    }


def record_to_dict(record: Record) -> dict[str, Any]:
    return {
        "schema": RECORD_SCHEMA,
        "commit": record.commit,
        "dirty": record.dirty,
        "partial": record.partial,
        "warnings": list(record.warnings),
        "units": [_unit_dict(a) for a in record.units],
        "summary": record.summary,
    }


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: same value, same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_to_json(record: Record) -> bytes:
    """The bytes of build/record.json: deterministic, readable, newline-terminated."""
    text = json.dumps(record_to_dict(record), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _unit_from_dict(d: dict[str, Any]) -> Attribution:
    unit = Unit(
        id=d["id"],
        kind=d["kind"],
        file=d["file"],
        lines=(int(d["lines"][0]), int(d["lines"][1])),
        title=d.get("title", ""),
        label=d.get("label"),
        env=d.get("env", ""),
        display=d.get("display", ""),
        parent=d.get("parent"),
        uses=tuple(d.get("uses", ())),
        includes=tuple(d.get("includes", ())),
    )
    return Attribution(
        unit=unit,
        origin=d["origin"],
        ai_fraction=float(d["ai_fraction"]),
        agents=tuple(Agent(**g) for g in d.get("agents", ())),
        role=d.get("role"),
        decided_by=d.get("decided_by", "default"),
        declared_origin=d.get("declared_origin"),
        measured_origin=d.get("measured_origin"),
        lines_by_origin=tuple(sorted(d.get("lines_by_origin", {}).items())),
        evidence=tuple(Evidence(**e) for e in d.get("evidence", ())),
        reviewed_by=tuple(Review(**r) for r in d.get("reviewed_by", ())),
        checks=tuple(CheckResult(**c) for c in d.get("checks", ())),
        conflicts=tuple(d.get("conflicts", ())),
        formal=tuple(FormalResult(f["link"], f["status"], tuple(f.get("axioms", ())), f.get("detail", ""))
                     for f in d.get("formal", ())),
    )


def record_from_dict(d: dict[str, Any]) -> Record:
    if d.get("schema") != RECORD_SCHEMA:
        raise ValueError(f"not a {RECORD_SCHEMA} record (schema={d.get('schema')!r})")
    return Record(
        commit=d.get("commit"),
        dirty=bool(d.get("dirty")),
        partial=bool(d.get("partial")),
        warnings=tuple(d.get("warnings", ())),
        units=tuple(_unit_from_dict(u) for u in d["units"]),
        summary=dict(d.get("summary", {})),
    )
