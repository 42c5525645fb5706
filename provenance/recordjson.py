"""build/record.json: the one writer of its bytes (`record_to_json`) and the one reader
(`read_record`, `parse_record`). Deterministic: the same record, the same bytes; json's C
encoder does the work, one top-level key and one unit per line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from provenance.errors import BuildError
from provenance.model import (
    RECORD_SCHEMA,
    Agent,
    Attribution,
    BadCheck,
    CheckResult,
    Evidence,
    FormalResult,
    LineRun,
    Record,
    Rests,
    Review,
    Summary,
    Unit,
)


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
    out: dict[str, Any] = {
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
    if u.spans != ((u.file, u.lines[0], u.lines[1]),):
        out["extents"] = [list(x) for x in u.spans]  # only when the unit reaches beyond its own lines
    return out


def _rests_dict(r: Rests) -> dict[str, Any]:
    return {"rests_on": list(r.rests_on), "unreviewed_ai": list(r.unreviewed_ai),
            "bad_checks": [asdict(c) for c in r.bad_checks], "not_formally_proved": list(r.not_formally_proved)}


def summary_to_dict(s: Summary, dependencies: bool = True) -> dict[str, Any]:
    return {
        "units": {g: dict(c) for g, c in s.units.items()},
        "agents": list(s.agents),
        "ai_statements": s.ai_statements,
        "ai_statements_reviewed": s.ai_statements_reviewed,
        "conflicts": s.conflicts,
        "lines_by_origin": dict(s.lines_by_origin),
        "partial": s.partial,
        "dependencies": {sid: _rests_dict(r) for sid, r in s.dependencies.items()} if dependencies else {},
        "cycles": list(s.cycles),
        "untagged_commits": s.untagged_commits,
        "untagged": s.untagged,
    }


class RecordTop(Protocol):
    """What a record says besides its units: a Record, or one being made (assemble.Made)."""

    @property
    def commit(self) -> str | None: ...
    @property
    def dirty(self) -> bool: ...
    @property
    def partial(self) -> bool: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...
    @property
    def summary(self) -> Summary: ...
    @property
    def files(self) -> Mapping[str, Sequence[LineRun]]: ...


def record_to_dict_shallow(record: RecordTop, dependencies: bool = True) -> dict[str, Any]:
    """The record's top-level keys; `units` and `files` empty, for the caller to fill
    (and the summary's `dependencies`, without `dependencies`)."""
    return {
        "schema": RECORD_SCHEMA,
        "commit": record.commit,
        "dirty": record.dirty,
        "partial": record.partial,
        "warnings": list(record.warnings),
        "units": [],
        "summary": summary_to_dict(record.summary, dependencies),
        "files": {},
    }


# One encoder for the whole record. Without indent, json encodes with its C encoder (with
# indent it falls back to pure Python, which took 15 s for a book-sized record).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _compact(obj: Any) -> str:
    return _ENCODER.encode(obj)


def unit_line(a: Attribution) -> bytes:
    """One unit's line of record.json."""
    return _compact(_unit_dict(a)).encode()


def runs_line(path: str, runs: Sequence[LineRun]) -> bytes:
    """One file's line runs as their line of record.json."""
    return f"{_compact(path)}:{_compact([[r.start, r.end, r.origin, r.agent] for r in runs])}".encode()


def record_to_json(record: Record, units: Callable[[Attribution], bytes] = unit_line,
                   files: Callable[[str, Sequence[LineRun]], bytes] = runs_line) -> bytes:
    """The bytes of build/record.json: deterministic, one top-level key per line and one
    unit (and one file's line runs) per line, so it stays readable and diffs well. Units
    are encoded one at a time, straight to bytes, and joined once: a book's record never
    exists whole as Python dicts, nor as text beside its bytes. `units` and `files` give
    those lines (record/pieces.py answers them from what it remembers)."""
    return b"".join(record_parts(record, units, files))


def record_parts(record: Record, units: Callable[[Attribution], bytes] = unit_line,
                 files: Callable[[str, Sequence[LineRun]], bytes] = runs_line) -> list[bytes]:
    """record_to_json's bytes in the parts they are made of, for a caller that writes them
    one after another (a book's record is 35 MB: joined, it would be held twice)."""
    return parts_of(record, [units(a) for a in record.units], files)


def dependencies_json(dependencies: Mapping[str, Rests]) -> bytes:
    """The summary's `dependencies` as encoded in record.json (a book's are 2.4 MB)."""
    return _compact({sid: _rests_dict(r) for sid, r in dependencies.items()}).encode()


def parts_of(record: RecordTop, unit_lines: Sequence[bytes],
             files: Callable[[str, Sequence[LineRun]], bytes] = runs_line,
             dependencies: bytes | None = None) -> list[bytes]:
    """record_parts of a record whose units are given as their lines (unit_line), in order;
    `dependencies`: its summary's, already encoded (dependencies_json)."""
    chunks = [b"{\n"]
    for i, (key, value) in enumerate(sorted(record_to_dict_shallow(record, dependencies is None).items())):
        chunks.append(b",\n" if i else b"")
        if key == "summary" and dependencies is not None:
            # Encoded with none, then spliced in: in encoded JSON a quote inside a string is
            # escaped, so the bare key below occurs once, as the key itself.
            before, key_found, after = _compact(value).encode().partition(b'"dependencies":{}')
            assert key_found
            chunks.append(b'"summary":' + before + b'"dependencies":' + dependencies + after)
        elif key == "units" and unit_lines:
            chunks.append(b'"units":[\n')
            chunks += _lines(unit_lines)
            chunks.append(b"\n]")
        elif key == "files" and record.files:
            chunks.append(b'"files":{\n')
            chunks += _lines(files(path, record.files[path]) for path in sorted(record.files))
            chunks.append(b"\n}")
        else:
            chunks.append(f"{_compact(key)}:{_compact(value)}".encode())
    chunks.append(b"\n}\n")
    return chunks


def _lines(items: Iterable[bytes]) -> list[bytes]:
    """`items` separated by ",\\n"."""
    out = []
    for i, item in enumerate(items):
        if i:
            out.append(b",\n")
        out.append(item)
    return out


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
        extents=tuple((str(f), int(a), int(b)) for f, a, b in d.get("extents", ())),
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
        untagged_commits=int(d.get("untagged_commits", 0)), untagged=str(d.get("untagged", "unknown")),
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
