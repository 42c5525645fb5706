"""Value types that flow between the stages, and the record's JSON form.

scan/ produces Units; evidence/ produces commit facts and per-line blame; record/ merges
them into Attributions, a typed Summary and per-file line runs: a Record, which is what
build/record.json holds (schema "paperprov/record/v1"). `read_record` is the one reader
of that file; `record_to_json` the one writer of its bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import BuildError

RECORD_SCHEMA = "paperprov/record/v1"

ORIGINS = ("human", "ai", "mixed", "unknown")
AI_ORIGINS = ("ai", "mixed")  # a unit with AI involvement
ROLES = ("drafted", "edited", "proved", "suggested", "generated")
# What a declaration may say: a `paperprov:` marker in a source or an `annotations:`
# entry in provenance.yaml. One rule for both (declaration_problem).
DECLARATION_KEYS = ("origin", "tool", "model", "role", "reviewed-by", "check", "formal")


def declaration_problem(key: str, value: str) -> str | None:
    """Why `key=value` is not a valid declaration, or None when it is."""
    if key not in DECLARATION_KEYS:
        return f"unknown key {key!r}; use one of {', '.join(DECLARATION_KEYS)}"
    if not value:
        return f"key {key!r} has an empty value; write {key}=VALUE"
    if len(value) > 500 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{key}= must be one line of at most 500 characters"
    if key == "origin" and value not in ORIGINS:
        return f"origin={value!r} is not one of {'|'.join(ORIGINS)}"
    if key == "role" and value not in ROLES:
        return f"role={value!r} is not one of {'|'.join(ROLES)}"
    return None

# Unit kinds. Theorem-like environments all have kind "statement" and keep their
# environment name in `env` and their printed name ("Lemma") in `display`.
SECTION_KINDS = ("part", "chapter", "section", "subsection")
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

    @property
    def is_ai(self) -> bool:
        """AI involvement: the unit's origin is ai or mixed."""
        return self.origin in AI_ORIGINS

    @property
    def has_current_review(self) -> bool:
        """A named person reviewed the unit's text as it reads now (not stale)."""
        return any(r.by.strip() and not r.stale for r in self.reviewed_by)


@dataclass(frozen=True)
class BadCheck:
    unit: str  # the statement whose check it is
    nodeid: str
    outcome: str  # failed | error | missing | not-run


@dataclass(frozen=True)
class Rests:
    """For one statement: every statement it depends on (not itself), and among those
    and itself, the AI-drafted ones without a current review and the checks not passed."""

    rests_on: tuple[str, ...] = ()
    unreviewed_ai: tuple[str, ...] = ()
    bad_checks: tuple[BadCheck, ...] = ()
    not_formally_proved: tuple[str, ...] = ()  # with a proof no proof assistant checked (record/graph.py)

    @property
    def clean(self) -> bool:
        return not self.unreviewed_ai and not self.bad_checks


@dataclass(frozen=True)
class Summary:
    """The record's headline figures (record/summary.py computes them; record.py says what
    each means)."""

    units: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # group -> origin -> count
    agents: tuple[str, ...] = ()  # "tool:model"
    ai_statements: int = 0
    ai_statements_reviewed: int = 0
    conflicts: int = 0
    lines_by_origin: Mapping[str, int] = field(default_factory=dict)
    partial: bool = False
    dependencies: Mapping[str, Rests] = field(default_factory=dict)  # statement id -> what it rests on
    cycles: tuple[str, ...] = ()  # "a -> b -> a"


@dataclass(frozen=True)
class LineRun:
    """Lines start..end (1-based, inclusive) of a file share one line origin; `agent`
    ("tool:model") says who, for AI lines."""

    start: int
    end: int
    origin: str
    agent: str | None = None


@dataclass(frozen=True)
class Record:
    commit: str | None
    dirty: bool
    units: tuple[Attribution, ...]
    partial: bool = False
    warnings: tuple[str, ...] = ()
    summary: Summary = field(default_factory=Summary, hash=False)
    files: Mapping[str, tuple[LineRun, ...]] = field(default_factory=dict, hash=False)  # path -> its lines


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    # By hand, not dataclasses.asdict: a book's record has hundreds of thousands of these.
    d: dict[str, Any] = {"source": e.source, "detail": e.detail}
    if e.file is not None:
        d["file"] = e.file
    if e.line is not None:
        d["line"] = e.line
    if e.commit is not None:
        d["commit"] = e.commit
    return d


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
        "agents": [{"tool": g.tool, "model": g.model} for g in a.agents],
        "role": a.role,
        "decided_by": a.decided_by,
        "declared_origin": a.declared_origin,
        "measured_origin": a.measured_origin,
        "lines_by_origin": dict(a.lines_by_origin),
        "evidence": [_evidence_dict(e) for e in a.evidence],
        "reviewed_by": [{"by": r.by, "commit": r.commit, "stale": r.stale, "source": r.source} for r in a.reviewed_by],
        "checks": [{"nodeid": c.nodeid, "outcome": c.outcome, "duration": c.duration} for c in a.checks],
        "uses": list(u.uses),
        "includes": list(u.includes),
        "conflicts": list(a.conflicts),
        "formal": [{**asdict(f), "axioms": list(f.axioms)} for f in a.formal],
    }


def _rests_dict(r: Rests) -> dict[str, Any]:
    return {"rests_on": list(r.rests_on), "unreviewed_ai": list(r.unreviewed_ai),
            "bad_checks": [asdict(c) for c in r.bad_checks], "not_formally_proved": list(r.not_formally_proved)}


def summary_to_dict(s: Summary) -> dict[str, Any]:
    return {
        "units": {g: dict(c) for g, c in s.units.items()},
        "agents": list(s.agents),
        "ai_statements": s.ai_statements,
        "ai_statements_reviewed": s.ai_statements_reviewed,
        "conflicts": s.conflicts,
        "lines_by_origin": dict(s.lines_by_origin),
        "partial": s.partial,
        "dependencies": {sid: _rests_dict(r) for sid, r in s.dependencies.items()},
        "cycles": list(s.cycles),
    }


def record_to_dict(record: Record) -> dict[str, Any]:
    return {
        "schema": RECORD_SCHEMA,
        "commit": record.commit,
        "dirty": record.dirty,
        "partial": record.partial,
        "warnings": list(record.warnings),
        "units": [_unit_dict(a) for a in record.units],
        "summary": summary_to_dict(record.summary),
        "files": {path: [[r.start, r.end, r.origin, r.agent] for r in runs] for path, runs in record.files.items()},
    }


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: same value, same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _compact(obj: Any) -> str:
    # No indent: json then uses its C encoder (with indent it falls back to pure Python).
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_to_json(record: Record) -> bytes:
    """The bytes of build/record.json: deterministic, one top-level key per line and one
    unit (and one file's line runs) per line, so it stays readable and diffs well."""
    doc = record_to_dict(record)
    parts = []
    for key in sorted(doc):
        value = doc[key]
        if key == "units" and value:
            inner = ",\n".join(_compact(u) for u in value)
            parts.append(f'"units":[\n{inner}\n]')
        elif key == "files" and value:
            inner = ",\n".join(f"{_compact(path)}:{_compact(value[path])}" for path in sorted(value))
            parts.append(f'"files":{{\n{inner}\n}}')
        else:
            parts.append(f"{_compact(key)}:{_compact(value)}")
    return ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8")


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


def _summary_from_dict(d: dict[str, Any]) -> Summary:
    deps = {sid: Rests(rests_on=tuple(r.get("rests_on", ())), unreviewed_ai=tuple(r.get("unreviewed_ai", ())),
                       bad_checks=tuple(BadCheck(**c) for c in r.get("bad_checks", ())),
                       not_formally_proved=tuple(r.get("not_formally_proved", ())))
            for sid, r in d.get("dependencies", {}).items()}
    return Summary(
        units={g: dict(c) for g, c in d.get("units", {}).items()}, agents=tuple(d.get("agents", ())),
        ai_statements=int(d.get("ai_statements", 0)), ai_statements_reviewed=int(d.get("ai_statements_reviewed", 0)),
        conflicts=int(d.get("conflicts", 0)), lines_by_origin=dict(d.get("lines_by_origin", {})),
        partial=bool(d.get("partial", False)), dependencies=deps, cycles=tuple(d.get("cycles", ())),
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
        summary=_summary_from_dict(d.get("summary", {})),
        files={path: tuple(LineRun(int(a), int(b), str(o), g) for a, b, o, g in runs)
               for path, runs in d.get("files", {}).items()},
    )


def parse_record(data: bytes, where: str, fix: str = "rerun `doit record`") -> Record:
    """A record from its bytes; BuildError naming `where` (and what to do) otherwise."""
    try:
        return record_from_dict(json.loads(data))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        raise BuildError(f"{where}: not a valid paperprov record ({exc}); {fix}") from None


def read_record(path: Path) -> tuple[Record, str]:
    """build/record.json and the sha256 of its bytes; BuildError naming the file otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"{path}: cannot read ({exc.strerror}); run `doit record` first") from None
    return parse_record(data, str(path)), hashlib.sha256(data).hexdigest()
