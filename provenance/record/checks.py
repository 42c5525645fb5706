"""Claim checks: the pytest node ids linked to statements, run in one pytest process.

A statement is linked to checks by `% paperprov: check=tests/claims/test_x.py::test_y`
(several allowed), by an `annotations:` entry with `check:`, or by provenance.yaml
`checks: {LABEL: [NODEID, ...]}`. `update_checks` re-runs only the checks whose
fingerprint changed (the check file, the conftest.py files and local modules it
imports, and the text of the statements linked to it) and keeps the other results.

build/checks.json holds every result with its duration and failure message. Durations
vary from run to run, so the record should carry outcomes only (`for_record`), to stay
the same bytes for the same commit.

This module is also the pytest plugin of the check run (`-p provenance.record.checks`): the
child process reports per node id what ran and how it ended, more precisely than
JUnit XML can (parametrized ids, collection errors, deselection).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.model import CheckResult, Unit
from provenance.scan.claims import check_files, file_of, links, normalize

CHECKS_SCHEMA = "paperprov/checks/v1"
OUTCOMES = ("passed", "failed", "error", "missing", "not-run")
_ENV_WANT = "PAPERPROV_CHECKS_WANT"
_ENV_OUT = "PAPERPROV_CHECKS_OUT"
# Worst first: one failing parametrization fails the check; skipped ones (not-run)
# count only when nothing else ran.
_SEVERITY = {"error": 0, "failed": 1, "passed": 2, "not-run": 3}


# -- whether checks must run again -----------------------------------------------------

def _code_digest(root: Path, nodeid: str) -> str:
    if file_of(root, nodeid) is None:
        return "missing"
    h = hashlib.sha256()
    for f in check_files(root, [nodeid]):
        h.update(f.encode() + b"\0" + hashlib.sha256((root / f).read_bytes()).digest())
    return h.hexdigest()


def check_fingerprint(root: Path, nodeid: str, texts: Mapping[str, str]) -> str:
    """What one check's result depends on: its node id, the code it runs (check file,
    conftest.py files, local imports) and the text of the statements linked to it."""
    h = hashlib.sha256(f"{normalize(nodeid)}\0{_code_digest(root, normalize(nodeid))}\0".encode())
    for label, text in sorted(texts.items()):
        h.update(f"{label}\0{text}\0".encode())
    return h.hexdigest()


# -- running ------------------------------------------------------------------------------

def _aggregate(nodeid: str, raw: Mapping[str, Any]) -> tuple[CheckResult, str]:
    items = raw["items"]
    mine = [n for n in items if n == nodeid or n.startswith((nodeid + "::", nodeid + "["))]
    if not mine:
        errors = [msg for n, msg in sorted(raw["collect_errors"].items())
                  if nodeid == n or nodeid.startswith(n + "::") or n.startswith(nodeid + "::")]
        if errors:
            return CheckResult(nodeid, "error", 0.0), errors[0]
        return CheckResult(nodeid, "missing", 0.0), "no such test"
    outcomes = [items[n]["outcome"] for n in mine]
    worst = min(outcomes, key=lambda o: _SEVERITY[o])
    duration = round(sum(items[n]["duration"] for n in mine), 4)
    message = next((items[n]["message"] for n in mine if items[n]["outcome"] == worst and items[n]["message"]), "")
    return CheckResult(nodeid, worst, duration), message


def _run(root: Path, nodeids: Sequence[str], timeout: float | None) -> dict[str, tuple[CheckResult, str]]:
    results: dict[str, tuple[CheckResult, str]] = {}
    present = [n for n in nodeids if file_of(root, n) is not None]
    for n in nodeids:
        if n not in present:
            results[n] = (CheckResult(n, "missing", 0.0), "no such file")
    if not present:
        return results
    files = sorted({n.partition("::")[0] for n in present})
    with tempfile.TemporaryDirectory(prefix="paperprov-checks-") as tmp:
        raw_path = Path(tmp) / "raw.json"
        env = dict(os.environ)
        env.update({_ENV_WANT: json.dumps(present), _ENV_OUT: str(raw_path), "PYTHONDONTWRITEBYTECODE": "1"})
        # Files, not node ids, on the command line: pytest aborts the whole run on one
        # unknown node id; the plugin keeps the wanted tests and reports the others.
        # no:cacheprovider / no:benchmark: the run must not leave .pytest_cache/ or
        # .benchmarks/ in the paper's working tree.
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "provenance.record.checks",
               "--continue-on-collection-errors", "-q", f"--rootdir={root}", "--", *files]
        try:
            proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BuildError(f"claim checks did not finish within {timeout:g} s ({', '.join(files)}); "
                             "speed them up or raise the timeout") from None
        try:
            raw = json.loads(raw_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = " | ".join((proc.stderr + proc.stdout).strip().splitlines()[-4:]) or f"exit code {proc.returncode}"
            raise BuildError(f"claim checks could not run ({', '.join(files)}): {tail}") from None
    for n in present:
        results[n] = _aggregate(n, raw)
    return results


def _write(out: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    doc = {"schema": CHECKS_SCHEMA, "checks": {n: dict(entries[n]) for n in sorted(entries)}}
    write_text_atomic(out, json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


def _entry(result: CheckResult, message: str, fp: str | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"outcome": result.outcome, "duration": result.duration, "message": message}
    if fp is not None:
        e["fingerprint"] = fp
    return e


def write_empty(out: Path) -> None:
    _write(out, {})


def read_checks(out: Path) -> dict[str, dict[str, Any]]:
    """The entries of a checks.json (outcome, duration, message, fingerprint); {} if absent."""
    try:
        doc = json.loads(Path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("schema") != CHECKS_SCHEMA or not isinstance(doc.get("checks"), dict):
        return {}
    return {n: e for n, e in doc["checks"].items() if isinstance(e, dict) and e.get("outcome") in OUTCOMES}


def load_results(out: Path) -> dict[str, CheckResult]:
    """The results in a checks.json, with durations."""
    return {n: CheckResult(n, e["outcome"], float(e.get("duration", 0.0))) for n, e in sorted(read_checks(out).items())}


def update_checks(root: Path, linked: Mapping[str, Sequence[str]], statement_texts: Mapping[str, str],
                  out: Path, timeout: float | None = None) -> dict[str, CheckResult]:
    """Bring `out` up to date for `linked` (unit id -> node ids): re-run, in one pytest
    process, only the checks whose file, imports or linked statements changed."""
    root = Path(root)
    labels_of: dict[str, list[str]] = {}
    for label, ids in linked.items():
        for n in ids:
            labels_of.setdefault(normalize(n), []).append(label)
    fps = {n: check_fingerprint(root, n, {lb: statement_texts.get(lb, "") for lb in labels})
           for n, labels in labels_of.items()}
    old = read_checks(out)
    keep = {n: old[n] for n in fps if n in old and old[n].get("fingerprint") == fps[n]}
    stale = sorted(n for n in fps if n not in keep)
    ran = _run(root, stale, timeout) if stale else {}
    entries = dict(keep)
    entries.update({n: _entry(r, m, fps[n]) for n, (r, m) in ran.items()})
    if entries != old:
        _write(out, entries)
    return {n: CheckResult(n, e["outcome"], float(e.get("duration", 0.0))) for n, e in sorted(entries.items())}


def update_for_units(root: Path, units: Sequence[Unit], out: Path, cfg_checks: Iterable[tuple[str, Sequence[str]]] = (),
                     annotations: Iterable[Any] = (), timeout: float | None = None) -> dict[str, tuple[CheckResult, ...]]:
    """The build's entry point: link checks to units, bring `out` up to date (re-running
    only checks whose file, imports or statement text changed) and return, per unit id,
    its checks' outcomes for the record (`for_record`)."""
    from provenance.record.review import (
        unit_text,  # the same normalized text a review digests
    )

    linked = links(units, cfg_checks, annotations)
    by_id = {u.id: u for u in units}
    cache: dict[str, list[str]] = {}
    texts = {uid: unit_text(Path(root), by_id[uid], cache) for uid in linked}
    return for_record(linked, update_checks(root, linked, texts, out, timeout))


def for_record(linked: Mapping[str, Sequence[str]], results: Mapping[str, CheckResult]) -> dict[str, tuple[CheckResult, ...]]:
    """Unit id -> its checks' results, outcome only (duration 0.0) so the record stays
    deterministic; a check with no result yet is `not-run`."""
    return {uid: tuple(CheckResult(n, results[n].outcome if n in results else "not-run")
                       for n in (normalize(x) for x in ids))
            for uid, ids in sorted(linked.items())}


# -- the pytest plugin side (runs inside the child pytest process) -----------------------

class _Collector:
    def __init__(self, wanted: list[str], out: str) -> None:
        self.wanted = wanted
        self.out = out
        self.items: dict[str, dict[str, Any]] = {}
        self.collect_errors: dict[str, str] = {}

    def _wants(self, nodeid: str) -> bool:
        return any(nodeid == w or nodeid.startswith((w + "::", w + "[")) for w in self.wanted)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors[report.nodeid] = _first_line(report)

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        keep = [i for i in items if self._wants(i.nodeid)]
        drop = [i for i in items if not self._wants(i.nodeid)]
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep
        for i in keep:
            self.items[i.nodeid] = {"outcome": "not-run", "duration": 0.0, "message": ""}

    def pytest_runtest_logreport(self, report: Any) -> None:
        entry = self.items.setdefault(report.nodeid, {"outcome": "not-run", "duration": 0.0, "message": ""})
        entry["duration"] += float(getattr(report, "duration", 0.0) or 0.0)
        xfail = hasattr(report, "wasxfail")
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["message"] = entry["message"] or _first_line(report)
        elif report.when == "call" and (report.passed or (report.skipped and xfail)):
            # An expected failure (xfail) did not establish the claim.
            entry["outcome"] = "failed" if xfail and report.skipped else "passed"

    def pytest_sessionfinish(self, session: Any) -> None:
        data = {"items": self.items, "collect_errors": self.collect_errors}
        Path(self.out).write_text(json.dumps(data), encoding="utf-8")


def _first_line(report: Any) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = crash.message if crash is not None else str(getattr(report, "longrepr", "") or "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # A collection error's text is a traceback; its last `E ` line says what went wrong.
    errs = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    line = errs[-1] if errs else (lines[0] if lines else "")
    return line[:300]


def pytest_configure(config: Any) -> None:
    """Loaded with `-p provenance.record.checks` in the child: register the collector."""
    want, out = os.environ.get(_ENV_WANT), os.environ.get(_ENV_OUT)
    if want and out:
        config.pluginmanager.register(_Collector(json.loads(want), out), "paperprov-claim-checks")
