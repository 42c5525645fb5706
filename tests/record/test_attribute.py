"""attribute: pure merge of declarations and git evidence, on hand-built units and evidence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from provenance.config import Annotation, Config, Paper
from provenance.config import AttributionRules as AttrCfg
from provenance.evidence.collect import BlameSpan, CommitInfo, GitEvidence, NoteTag
from provenance.model import Agent, Attribution, Evidence, Marker, Unit
from provenance.record import attribute as attribution
from provenance.record.graph import StatementGraph
from provenance.record.lines import LineClassifier, file_runs
from provenance.record.summary import Tally, figures, summarize

HUMAN, AI, NONE, UNTAGGED, EDGE = "1" * 40, "2" * 40, "3" * 40, "4" * 40, "5" * 40
OPUS = Agent("claude-code", "claude-opus-4-1")
COMMITS = {
    HUMAN: CommitInfo(HUMAN, declared_none=True),
    AI: CommitInfo(AI, agents=(OPUS,), evidence=(Evidence("trailer", "Assisted-by: claude-code:claude-opus-4-1", commit=AI),)),
    NONE: CommitInfo(NONE, declared_none=True),
    UNTAGGED: CommitInfo(UNTAGGED),
    EDGE: CommitInfo(EDGE),
}


def attribute_unit(u: Unit, ev: GitEvidence, c: Config, labels: frozenset[str]) -> Attribution:
    return attribution.attribute_unit(u, LineClassifier(ev), c, labels)


def attribute(units: list[Unit], ev: GitEvidence, c: Config) -> tuple[Attribution, ...]:
    return attribution.attribute(units, LineClassifier(ev), c)


def cfg(untagged: str = "unknown", annotations: tuple[Annotation, ...] = ()) -> Config:
    return Config(root=Path("."), paper=Paper("p", "main.tex"), annotations=annotations,
                  attribution=AttrCfg(untagged=untagged))


def evidence(*spans: tuple[int, int, str | None], notes: dict | None = None, boundary: frozenset[str] = frozenset(),  # type: ignore[type-arg]
             file: str = "a.tex") -> GitEvidence:
    blame = tuple(BlameSpan(s, n, c, file, s) for s, n, c in spans)
    return GitEvidence(available=True, head=HUMAN, commits=COMMITS, blame={file: blame},
                       notes=notes or {}, boundary=boundary)


def unit(lines: tuple[int, int] = (1, 10), *markers: Marker, label: str | None = "lem:a", **kw) -> Unit:  # type: ignore[no-untyped-def]
    return Unit(id=label or "a.tex#x", kind=kw.pop("kind", "statement"), file="a.tex", lines=lines, label=label,
                markers=markers, **kw)


def marker(**fields: str) -> Marker:
    return Marker("a.tex", 1, tuple((k.replace("_", "-"), v) for k, v in fields.items()))


def test_thresholds_decide_measured_origin() -> None:
    labels = frozenset()
    ai = attribute_unit(unit(), evidence((1, 10, AI)), cfg(), labels)
    assert (ai.origin, ai.ai_fraction, ai.agents, ai.decided_by) == ("ai", 1.0, (OPUS,), "blame")
    mixed = attribute_unit(unit(), evidence((1, 5, AI), (6, 5, HUMAN)), cfg(), labels)
    assert (mixed.origin, mixed.ai_fraction) == ("mixed", 0.5)
    human = attribute_unit(unit(), evidence((1, 10, NONE)), cfg(), labels)
    assert (human.origin, human.ai_fraction, human.agents) == ("human", 0.0, ())
    assert dict(human.lines_by_origin) == {"ai": 0, "human": 10, "untagged": 0, "unknown": 0, "uncommitted": 0}


def test_untagged_lines_are_no_claim_unless_the_authors_assume_human() -> None:
    ev = evidence((1, 10, UNTAGGED))
    assumed = attribute_unit(unit(), ev, cfg("human"), frozenset())
    assert (assumed.origin, assumed.decided_by) == ("human", "blame")
    unknown = attribute_unit(unit(), ev, cfg(), frozenset())
    assert (unknown.origin, unknown.decided_by, unknown.ai_fraction) == ("unknown", "blame", 0.0)
    # the record says what the lines are, whatever the rule made of them
    assert dict(unknown.lines_by_origin)["untagged"] == dict(assumed.lines_by_origin)["untagged"] == 10
    # Assisted-by: none is a declaration: human without any assumption
    assert attribute_unit(unit(), evidence((1, 10, NONE)), cfg(), frozenset()).origin == "human"
    # mostly declared-human lines, a few untagged: human only within human_max
    assert attribute_unit(unit(), evidence((1, 9, NONE), (10, 1, UNTAGGED)), cfg(), frozenset()).origin == "human"
    assert attribute_unit(unit(), evidence((1, 8, NONE), (9, 2, UNTAGGED)), cfg(), frozenset()).origin == "unknown"
    # AI lines between the thresholds make a unit mixed, whatever the rest is
    mixed = attribute_unit(unit(), evidence((1, 4, AI), (5, 6, UNTAGGED)), cfg(), frozenset())
    assert (mixed.origin, mixed.ai_fraction) == ("mixed", 0.4)
    # a few AI lines among untagged ones: no claim of human, and the agent is kept
    few = attribute_unit(unit(), evidence((1, 1, AI), (2, 9, UNTAGGED)), cfg(), frozenset())
    assert (few.origin, few.agents) == ("unknown", (OPUS,))


def test_uncommitted_lines_are_their_own_category_and_not_in_the_fraction() -> None:
    a = attribute_unit(unit(), evidence((1, 2, AI), (3, 8, None)), cfg(), frozenset())
    assert dict(a.lines_by_origin) == {"ai": 2, "human": 0, "untagged": 0, "unknown": 0, "uncommitted": 8}
    assert (a.ai_fraction, a.origin) == (1.0, "ai")
    nothing = attribute_unit(unit(), evidence((1, 10, None)), cfg(), frozenset())
    assert (nothing.origin, nothing.decided_by) == ("unknown", "default")


def test_shallow_boundary_lines_are_unknown() -> None:
    a = attribute_unit(unit(), evidence((1, 10, EDGE), boundary=frozenset({EDGE})), cfg(), frozenset())
    assert a.origin == "unknown" and dict(a.lines_by_origin)["unknown"] == 10


def test_note_tags_match_original_path_and_line() -> None:
    # Lines 1-10 now were lines 11-20 of old.tex in HUMAN; the tag covers old.tex 15-16.
    blame = {"a.tex": (BlameSpan(1, 10, HUMAN, "old.tex", 11),)}
    tags = {HUMAN: (NoteTag("old.tex", 15, 16, Agent("chatgpt", "gpt-5")), NoteTag("old.tex", 16, 17, Agent("chatgpt", "gpt-5")),
                    NoteTag("a.tex", 1, 10, Agent("wrong", "path")))}
    ev = GitEvidence(available=True, head=HUMAN, commits=COMMITS, blame=blame, notes=tags)
    a = attribute_unit(unit(), ev, cfg(), frozenset())
    assert dict(a.lines_by_origin)["ai"] == 3
    assert a.agents == (Agent("chatgpt", "gpt-5"),)
    assert any(e.source == "note" for e in a.evidence)


def test_marker_beats_label_annotation_beats_path_annotation() -> None:
    anns = (
        Annotation(0, (("origin", "ai"), ("tool", "codex")), path="*.tex"),
        Annotation(1, (("origin", "mixed"),), label="lem:a"),
        Annotation(2, (("origin", "unknown"), ("reviewed-by", "bob")), path="a.*"),
    )
    ev = evidence((1, 10, AI))
    by_label = attribute_unit(unit(), ev, cfg(annotations=anns), frozenset())
    assert (by_label.origin, by_label.declared_origin, by_label.decided_by) == ("mixed", "mixed", "sidecar")
    assert by_label.measured_origin == "ai"
    assert [r.by for r in by_label.reviewed_by] == ["bob"]
    other = attribute_unit(unit(label="lem:b"), ev, cfg(annotations=anns), frozenset())
    assert other.declared_origin == "unknown"  # last path match wins among equals
    marked = attribute_unit(unit((1, 10), marker(origin="human", reviewed_by="alice", check="tests/t.py::t")), ev,
                            cfg(annotations=anns), frozenset())
    assert (marked.origin, marked.decided_by) == ("human", "marker")
    assert {(r.by, r.source) for r in marked.reviewed_by} == {("alice", "marker"), ("bob", "sidecar")}
    assert [(c.nodeid, c.outcome) for c in marked.checks] == [("tests/t.py::t", "not-run")]
    assert any(e.source == "marker" and e.line == 1 for e in marked.evidence)


def test_contradicted_declaration_is_a_conflict_keeping_both() -> None:
    a = attribute_unit(unit((1, 10), marker(origin="human")), evidence((1, 10, AI)), cfg(), frozenset())
    assert (a.origin, a.declared_origin, a.measured_origin) == ("human", "human", "ai")
    (conflict,) = a.conflicts
    assert "lem:a" in conflict and "declared origin=human" in conflict and "measured ai" in conflict
    assert "\n" not in conflict
    b = attribute_unit(unit((1, 10), marker(origin="ai", tool="chatgpt")), evidence((1, 10, NONE)), cfg(), frozenset())
    assert b.conflicts and b.agents == (Agent("chatgpt", "unknown"),)
    # Nothing committed: nothing to contradict.
    c = attribute_unit(unit((1, 10), marker(origin="ai")), evidence((1, 10, None)), cfg(), frozenset())
    assert c.conflicts == ()


def test_declarations_only_without_git() -> None:
    ev = GitEvidence(available=False)
    a = attribute_unit(unit((1, 10), marker(origin="ai", model="m", tool="t", role="drafted")), ev, cfg(), frozenset())
    assert (a.origin, a.decided_by, a.measured_origin, a.role) == ("ai", "marker", None, "drafted")
    assert a.agents == (Agent("t", "m"),)
    b = attribute_unit(unit(), ev, cfg(), frozenset())
    assert (b.origin, b.decided_by) == ("unknown", "default")


def test_uses_are_restricted_to_known_labels_and_summary_counts() -> None:
    units = [
        Unit("sec:a", "section", "a.tex", (1, 10), label="sec:a"),
        unit((2, 5), label="lem:a", uses=("lem:b", "eq:nowhere")),
        unit((6, 8), marker(reviewed_by="alice"), label="lem:b"),
        Unit("a.tex#proof:1", "proof", "a.tex", (9, 10), uses=("lem:a",)),
    ]
    ev = evidence((1, 5, HUMAN), (6, 5, AI))
    atts = attribute(units, ev, cfg())
    assert atts[1].unit.uses == ("lem:b",)
    c = LineClassifier(ev)
    runs = {"a.tex": file_runs(c, "a.tex", 10)}
    s = summarize(tally(atts).figures(runs), False, StatementGraph.of(atts).closure(), ())
    assert s.units["statements"] == {"human": 1, "ai": 1, "mixed": 0, "unknown": 0}
    assert s.units["sections"]["mixed"] == 1 and s.units["proofs"]["ai"] == 1
    assert (s.ai_statements, s.ai_statements_reviewed) == (1, 1)
    assert s.lines_by_origin == {"ai": 5, "human": 5, "untagged": 0, "unknown": 0, "uncommitted": 0}
    assert s.agents == ("claude-code:claude-opus-4-1",) and s.conflicts == 0
    for cut in range(len(atts) + 1):  # counted in two parts (as per-file groups are), the same figures
        parts = tally(atts[:cut])
        parts.merge(tally(atts[cut:]).merged())
        assert parts.figures(runs) == figures(atts, runs)


def tally(atts: Sequence[Attribution]) -> Tally:
    out = Tally()
    for a in atts:
        out.add(a)
    return out


def test_enclosing_units_declaration_covers_what_it_contains() -> None:
    section = Unit("sec:a", "section", "a.tex", (1, 10), label="sec:a", markers=(marker(origin="ai", tool="chatgpt"),))
    inner = unit((3, 5), label="lem:a")
    own = unit((6, 8), Marker("a.tex", 6, (("origin", "human"),)), label="lem:b")
    labelled = unit((9, 10), label="lem:c")
    anns = (Annotation(0, (("origin", "mixed"),), label="lem:c"),)
    atts = {a.unit.id: a for a in attribute([section, inner, own, labelled], evidence((1, 10, NONE)), cfg(annotations=anns))}
    assert (atts["lem:a"].origin, atts["lem:a"].decided_by) == ("ai", "marker")
    assert any(e.source == "marker" and e.line == 1 for e in atts["lem:a"].evidence)
    assert atts["lem:b"].origin == "human"
    assert (atts["lem:c"].origin, atts["lem:c"].decided_by) == ("mixed", "sidecar")


def test_untagged_commits_do_not_contradict_a_declared_ai() -> None:
    for rule in ("unknown", "human"):
        a = attribute_unit(unit((1, 10), marker(origin="ai")), evidence((1, 10, UNTAGGED)), cfg(rule), frozenset())
        assert (a.origin, a.measured_origin, a.conflicts) == ("ai", rule, ())
