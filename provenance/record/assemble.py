"""Scan the sources, gather git evidence, attribute, write build/record.json.

Definitions the record relies on:
- `commit`: HEAD's commit id, or null before the first commit or outside git.
- `dirty`: true when any scanned source (a .tex file the paper reaches or a Python file
  under experiments/, i.e. every file a unit lives in), an Agent Trace record under
  `evidence.agent_trace_dir` or provenance.yaml differs from
  HEAD: modified, staged, untracked or git-ignored. Outside git or before the first
  commit everything is untracked, so the record is dirty. Files the build writes itself
  (build/, keys/NAME.pub from a first-build keygen) are not sources and never make the
  record dirty; `doit submission` checks those separately and names what to commit.
- `partial`: the repository is a shallow clone; lines blamed on the clone's boundary
  commits count as unknown, since their real history is missing.
- `warnings`: one line each; e.g. "not a git repository: declarations only".
- `summary`: `units` = {sections, statements, proofs, code, figures_tables} x
  {human, ai, mixed, unknown} unit counts; `agents` = sorted "tool:model" strings;
  `ai_statements` = statements whose origin is ai or mixed, `ai_statements_reviewed` =
  those with a named reviewer; `conflicts`; `lines_by_origin` = {ai, human, untagged,
  unknown, uncommitted} over the union of all units' lines (nested units counted once,
  across files); `partial`; `dependencies` (per statement: what it rests on through
  \\uses, and among those the unreviewed AI-drafted ones and unpassed checks) and
  `cycles`; `untagged_commits` (commits with no AI evidence and no `Assisted-by: none`
  behind some unit's lines) and `untagged` (attribution.untagged when the record was
  made). summary.py computes all of it, and the appendix and `status` the same way.
- `files`: per file that holds a unit's lines (a section's \\input files too), its lines
  as runs of one line origin (and the agent, for AI lines), so a reader can shade the
  source without git. Attribution rules: see attribute.py; git evidence: see
  evidence/collect.py.

Same commit and same working tree, same bytes: nothing here depends on the clone's
path, the clock or the blame cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

from provenance.config import CONFIG_NAME, Config
from provenance.evidence.blame import line_count
from provenance.evidence.gitstate import walk_store
from provenance.model import Attribution, CheckResult, FormalResult, LineRun, Record, Review, Summary, Unit
from provenance.paths import CHECKS
from provenance.record import groups as grouping
from provenance.record.anonymize import visible
from provenance.record.attribute import Around, attribute
from provenance.record.lines import LineClassifier, file_runs
from provenance.record.pieces import Pieces
from provenance.record.summary import Figures, summarize
from provenance.record.table import Laid, Rows, Top
from provenance.scan.sources import scan_units, trace_files


@dataclass(frozen=True)
class Made:
    """A record as made: its top-level facts, its units as lines of record.json in
    document order, and as attributions when every file's group was made afresh (None
    when some came from what pieces.py remembers)."""

    commit: str | None
    dirty: bool
    partial: bool
    warnings: tuple[str, ...]
    summary: Summary
    files: dict[str, tuple[LineRun, ...]]
    lines: list[bytes]
    units: tuple[Attribution, ...] | None
    dependencies: bytes  # summary.dependencies as encoded in record.json
    ids: tuple[str, ...]  # the units' ids in document order
    figures: Figures
    rows: Rows
    rests: tuple[str, ...]  # table.rests_on(summary.dependencies)

    @cached_property
    def laid(self) -> Laid:
        """What the status table of this record is laid out from (table.py); made once
        (the record cache keeps it, and `status` lays the table out from it)."""
        top = Top(self.commit, self.dirty, self.partial, self.warnings, self.rests)
        return Laid.of(top, self.ids, self.rows, self.figures)

    def record(self) -> Record:
        assert self.units is not None, "a record of remembered groups has no attributions"
        return Record(commit=self.commit, dirty=self.dirty, units=self.units, partial=self.partial,
                      warnings=self.warnings, summary=self.summary, files=self.files)


def build_record(cfg: Config, use_cache: bool = True) -> Record:
    """The record of the working tree as it is now, every unit attributed afresh."""
    return make_record(cfg, use_cache).record()


def make_record(cfg: Config, use_cache: bool = True, pieces: Pieces | None = None,
                store: Path | None = None) -> Made:
    """The record of the working tree as it is now; `pieces` keeps per-file work across
    runs (pieces.py, groups.py; record/cache.py gives one), `store` (the git directory)
    the statement closure; else everything is computed afresh."""
    from provenance.evidence.collect import collect, dirty_files

    pieces = pieces or Pieces()
    units, warnings = scan_units(cfg, walk_store(cfg.root) if use_cache else None)
    # An anonymous build leaves out what names the authors (submission.anonymize).
    units = visible(units, cfg.submission)
    files = sorted({u.file for u in units} | {f for u in units if u.extents for f, _, _ in u.extents})
    ev = collect(cfg.root, files, use_cache=use_cache, sources=cfg.evidence)
    classifier = LineClassifier(ev)
    pieces.know(ev, files)
    extras = _extras(cfg, units, ev.available and ev.head is not None, store)
    made: dict[str, Attribution] = {}
    groups = _groups(cfg, units, classifier, pieces, extras, made)
    runs = _file_runs(cfg, classifier, files, pieces) if ev.available else {}
    # A line not committed yet is a file that differs from HEAD: no `git status` to ask
    # (an edit's record); else git says whether anything the record reads differs.
    dirty = (not ev.available or ev.head is None or any(r.origin == "uncommitted" for rs in runs.values() for r in rs)
             or bool(dirty_files(cfg.root, files + [CONFIG_NAME] + trace_files(cfg), ev.prefix)))
    all_warnings = tuple(warnings) + ev.warnings
    if ev.available and ev.head is None:
        all_warnings += ("no commits yet: every line counts as uncommitted",)
    ids = [u.id for u in units]
    dependencies, cycles, encoded, rests = grouping.graph_summary(store, groups, ids)
    figures = grouping.tally(groups).figures(runs, grouping.untagged_commits(groups), cfg.attribution.untagged)
    summary = summarize(figures, ev.shallow, dependencies, cycles)
    all_warnings += tuple(f"cycle in \\uses: {c}" for c in summary.cycles)
    return Made(commit=ev.head, dirty=dirty, partial=ev.shallow, warnings=all_warnings, summary=summary,
                files=runs, lines=grouping.lines(groups, ids),
                units=tuple(made[i] for i in ids) if len(made) == len(ids) else None, dependencies=encoded,
                ids=tuple(ids), figures=figures, rows=Rows.joined(g.rows for g in groups), rests=rests)


def _groups(cfg: Config, units: Sequence[Unit], classifier: LineClassifier, pieces: Pieces,
            extras: _Extras, made: dict[str, Attribution]) -> list[grouping.Group]:
    """Every file's group (groups.py), the remembered one where nothing it is made from
    changed; the attributions made afresh are put in `made`."""
    around = Around.of(units)
    by_file: dict[str, list[Unit]] = {}
    for u in units:
        by_file.setdefault(u.file, []).append(u)

    def make(us: list[Unit]) -> grouping.Group:
        pre = attribute(us, classifier, cfg, pieces, around)
        finals = [extras.apply(a) for a in pre]
        made.update((a.unit.id, a) for a in finals)
        return grouping.make(finals, pieces.unit_line, frozenset(pieces.untagged(us)))

    out = []
    for rel, us in by_file.items():
        keys = pieces.keys.of_files({f for u in us for f, _, _ in u.spans} if any(u.extents for u in us) else (rel,))
        # What applies to only some units is printed for those (by id): a book's
        # 46,662 units each asked for nothing cost a tenth of a second.
        made_from = None if keys is None else grouping.print_of(
            grouping.fields_of(us), keys, [(u.id, around.enclosing[u.id]) for u in us if u.id in around.enclosing],
            [(u.id, around.uses(u)) for u in us if u.uses], extras.of(us))
        out.append(pieces.group(rel, made_from, partial(make, us)))
    return out


def _file_runs(cfg: Config, classifier: LineClassifier, files: Sequence[str],
               pieces: Pieces) -> dict[str, tuple[LineRun, ...]]:
    out = {}
    for rel in files:
        found = pieces.runs(rel, partial(_runs_of, cfg.root, classifier, rel))
        if found is not None:
            out[rel] = found
    return out


def _runs_of(root: Path, classifier: LineClassifier, rel: str) -> tuple[LineRun, ...] | None:
    try:
        n = line_count((root / rel).read_bytes())
    except OSError:
        return None  # collect() read it a moment ago; a file gone since has no lines to show
    return file_runs(classifier, rel, n)


@dataclass(frozen=True)
class _Extras:
    """What is added to units' attributions after they are made: the reviews recorded by
    `paperprov review` (git notes), the outcomes of the last claim-check run and each
    statement's formal-proof statuses (build/checks.json), per unit id."""

    reviews: Mapping[str, tuple[Review, ...]]
    checks: Mapping[str, tuple[CheckResult, ...]]
    formal: Mapping[str, tuple[FormalResult, ...]]

    def of(self, units: Sequence[Unit]) -> list[tuple[object, ...]]:
        """What is added to these units, for those with anything."""
        return [(u.id, self.reviews.get(u.id), self.checks.get(u.id), self.formal.get(u.id))
                for u in units if u.id in self.reviews or u.id in self.checks or u.id in self.formal]

    def apply(self, a: Attribution) -> Attribution:
        uid = a.unit.id
        if uid in self.reviews:
            a = replace(a, reviewed_by=tuple(sorted(set(a.reviewed_by) | set(self.reviews[uid]),
                                                    key=lambda r: (r.by, r.source, r.commit or ""))))
        got = self.checks.get(uid)
        if got:  # checks.json's durations stay there, so the record stays deterministic
            ran = {c.nodeid: c for c in got}
            merged = {c.nodeid: ran.get(c.nodeid, c) for c in a.checks}
            merged.update(ran)
            a = replace(a, checks=tuple(merged[n] for n in sorted(merged)))
        if uid in self.formal:
            a = replace(a, formal=self.formal[uid])
        return a


def _extras(cfg: Config, units: Sequence[Unit], reviews: bool, store: Path | None) -> _Extras:
    from provenance.record.checks import for_record, links, load_results
    from provenance.record.formal import for_units as formal_for_units
    from provenance.record.formal import read_formal
    from provenance.record.review import for_units as reviews_for_units

    results = for_record(links(units, cfg.checks, cfg.annotations), load_results(cfg.root / CHECKS))
    return _Extras(reviews=reviews_for_units(cfg.root, units, store=store) if reviews else {}, checks=results,
                   formal=formal_for_units(units, cfg.annotations, read_formal(cfg.root / CHECKS)))
