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

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from provenance.config import CONFIG_NAME, Config
from provenance.evidence.blame import line_count
from provenance.evidence.gitstate import walk_store
from provenance.model import Attribution, LineRun, Record, Unit
from provenance.paths import CHECKS
from provenance.record.anonymize import visible
from provenance.record.attribute import attribute
from provenance.record.graph import StatementGraph
from provenance.record.lines import LineClassifier, file_runs
from provenance.record.pieces import Pieces
from provenance.record.summary import summarize
from provenance.scan.sources import scan_units, trace_files


def build_record(cfg: Config, use_cache: bool = True, pieces: Pieces | None = None) -> Record:
    """The record of the working tree as it is now; `pieces` keeps per-file work across
    runs (pieces.py; record/cache.py gives one), else everything is computed afresh."""
    from provenance.evidence.collect import collect, dirty_files

    pieces = pieces or Pieces()

    units, warnings = scan_units(cfg, walk_store(cfg.root) if use_cache else None)
    # An anonymous build leaves out what names the authors (submission.anonymize).
    units = visible(units, cfg.submission)
    files = sorted({f for u in units for f, _, _ in u.spans})
    ev = collect(cfg.root, files, use_cache=use_cache, sources=cfg.evidence)
    classifier = LineClassifier(ev)
    pieces.know(ev, files)
    attributions = attribute(units, classifier, cfg, pieces)
    if ev.available and ev.head is not None:
        attributions = _with_reviews(cfg, units, attributions)
    attributions = _with_check_results(cfg, units, attributions)
    attributions = _with_formal(cfg, units, attributions)
    if ev.available:
        dirty = bool(dirty_files(cfg.root, files + [CONFIG_NAME] + trace_files(cfg))) or ev.head is None
    else:
        dirty = True
    all_warnings = tuple(warnings) + ev.warnings
    if ev.available and ev.head is None:
        all_warnings += ("no commits yet: every line counts as uncommitted",)
    runs = _file_runs(cfg, classifier, files, pieces) if ev.available else {}
    summary = summarize(attributions, runs, ev.shallow, StatementGraph.of(attributions),
                        len(pieces.untagged(units)), cfg.attribution.untagged)
    all_warnings += tuple(f"cycle in \\uses: {c}" for c in summary.cycles)
    return Record(commit=ev.head, dirty=dirty, units=attributions, partial=ev.shallow,
                  warnings=all_warnings, summary=summary, files=runs)


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


def _with_reviews(cfg: Config, units: Sequence[Unit], atts: Sequence[Attribution]) -> tuple[Attribution, ...]:
    """Add the reviews recorded by `paperprov review` (git notes) to the declared ones."""
    from provenance.record.review import for_units

    noted = for_units(cfg.root, units)
    return tuple(
        replace(a, reviewed_by=tuple(sorted(set(a.reviewed_by) | set(noted[a.unit.id]),
                                            key=lambda r: (r.by, r.source, r.commit or ""))))
        if a.unit.id in noted else a
        for a in atts
    )


def _with_check_results(cfg: Config, units: Sequence[Unit], atts: Sequence[Attribution]) -> tuple[Attribution, ...]:
    """Outcomes of the last claim-check run (the `checks` task writes build/checks.json);
    durations stay in checks.json so the record stays deterministic."""
    from provenance.record.checks import for_record, links, load_results

    linked = links(units, cfg.checks, cfg.annotations)
    results = for_record(linked, load_results(cfg.root / CHECKS))
    out = []
    for a in atts:
        got = results.get(a.unit.id)
        if got:
            ran = {c.nodeid: c for c in got}
            merged = {c.nodeid: ran.get(c.nodeid, c) for c in a.checks}
            merged.update(ran)
            a = replace(a, checks=tuple(merged[n] for n in sorted(merged)))
        out.append(a)
    return tuple(out)


def _with_formal(cfg: Config, units: Sequence[Unit], atts: Sequence[Attribution]) -> tuple[Attribution, ...]:
    """Each statement's formal-proof statuses, from the last `checks` run."""
    from provenance.record.formal import for_units, read_formal

    found = for_units(units, cfg.annotations, read_formal(cfg.root / CHECKS))
    return tuple(replace(a, formal=found[a.unit.id]) if a.unit.id in found else a for a in atts)
