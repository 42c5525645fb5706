"""Value types that flow between the stages, and the record's JSON form.

scan/ produces Units; evidence/ produces commit facts and per-line blame; record/ merges
them into Attributions, a typed Summary and per-file line runs: a Record, which is what
build/record.json holds (schema "paperprov/record/v1"). `read_record` is the one reader
of that file; `record_to_json` the one writer of its bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The declaration vocabulary lives in vocab.py (provenance.yaml reads it without this
# module's dataclasses); it is part of the model, so it is importable from here too.
from provenance.basics import Agent, Evidence, canonical_json  # noqa: F401  (defined there for the commit hooks)
from provenance.scanned import CODE_KINDS, SECTION_KINDS, Marker, Unit  # noqa: F401  (and there for the lint hook)
from provenance.vocab import AI_ORIGINS, DECLARATION_KEYS, ORIGINS, ROLES, declaration_problem  # noqa: F401

RECORD_SCHEMA = "paperprov/record/v1"

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
    untagged_commits: int = 0  # commits with no AI evidence and no `Assisted-by: none` behind units' lines
    untagged: str = "unknown"  # attribution.untagged when the record was made: unknown (no claim) | human


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
