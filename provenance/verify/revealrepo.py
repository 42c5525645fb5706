"""`--reveal ... --repo CLONE`: rebuild, from the authors' repository at the revealed commit,
what the anonymous bundle holds, and compare.

The repository is cloned (`git clone --shared`, with its notes: reviews and tags are notes)
into a temporary directory and checked out at the revealed commit; CLONE itself is not
changed. There, as an anonymous build with the revealed salt:
- the record: scanned and attributed from the history by this paperprov, with the claim
  checks' and formal proofs' outcomes taken from the bundle's record (so none of the
  authors' code runs) and the bundle's build outputs in build/ (the scan follows \\input
  into them, as it did in the authors' tree), then pseudonymized; it must equal the bundle's record.json byte for
  byte: the anonymous record says exactly what the named history says, up to the pseudonyms;
- source.tar: made again; it must equal the bundle's, so it is that commit less the files
  the reveal file lists (whose sha256 must match too), provenance.yaml pseudonymized.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from provenance.attest import statements as manifest
from provenance.attest.anonarchive import anonymous_archive
from provenance.attest.reveal import Reveal
from provenance.config import load
from provenance.errors import ProvenanceError
from provenance.evidence.identities import identities
from provenance.fsutil import write_bytes_atomic, write_text_atomic
from provenance.model import Record
from provenance.paths import ATTESTATION, CHECKS, RECORD, SOURCE_TAR
from provenance.recordjson import parse_record, record_to_json
from provenance.verify.bundle import Bundle
from provenance.verify.report import Check


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _clone(repo: Path, commit: str, dest: Path) -> str | None:
    """Clone `repo` at `commit` into `dest`; None on success, else why not."""
    proc = _git(dest.parent, "clone", "--quiet", "--no-checkout", "--shared", str(repo.resolve()), str(dest))
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"cannot clone {repo} ({tail})"
    _git(dest, "fetch", "--quiet", "origin", "refs/notes/*:refs/notes/*")  # none is fine: no reviews, no tags
    proc = _git(dest, "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit)
    if proc.returncode != 0:
        return f"{repo} does not hold commit {commit}; fetch it there (git fetch --all) and verify again"
    return None


def _checks_json(record: Record) -> str:
    """build/checks.json holding the bundle's claim-check and formal-proof outcomes."""
    checks = {c.nodeid: {"outcome": c.outcome, "duration": 0.0} for a in record.units for c in a.checks}
    formal = {f.link: {"status": f.status, "axioms": list(f.axioms), "detail": f.detail}
              for a in record.units for f in a.formal}
    from provenance.record.checks import CHECKS_SCHEMA

    return json.dumps({"schema": CHECKS_SCHEMA, "checks": checks, "formal": formal}, sort_keys=True, indent=2) + "\n"


def _built_files(bundle: Bundle, clone: Path) -> None:
    """The bundle's build outputs into the clone, as they were in the authors' tree when the
    record was made: the scan follows \\input into build/ (the appendix, experiment tables),
    and where such a file ends changes what the unit before it covers."""
    for name in bundle.names():
        if name.startswith("build/") and name not in (RECORD, ATTESTATION):
            data = bundle.read(name)
            if data is not None:
                write_bytes_atomic(clone / name, data)


def _first_difference(mine: bytes, theirs: bytes) -> str:
    for n, (a, b) in enumerate(zip(mine.splitlines(), theirs.splitlines()), 1):
        if a != b:
            unit = json.loads(b).get("id", "") if b.startswith(b"{") and b.rstrip(b",").endswith(b"}") else ""
            return f"line {n} of {RECORD}" + (f" (unit {unit})" if unit else "")
    return f"the length of {RECORD}"


def _rebuild(clone: Path, r: Reveal, bundle: Bundle, slsa: manifest.Statement | None, repo: Path,
             checks: list[Check]) -> None:
    from provenance.record.anonymize import pseudonymize
    from provenance.record.cache import record_json

    commit = r.get("commit") or ""
    theirs = bundle.read(RECORD, 256 << 20) or b""
    cfg = load(clone)
    cfg = replace(cfg, submission=replace(cfg.submission, anonymous=True))
    write_text_atomic(clone / CHECKS, _checks_json(parse_record(theirs, RECORD)))
    _built_files(bundle, clone)
    ids = identities(cfg)
    # As the record task makes it: the record's bytes, read back, pseudonymized (record/cache.py).
    mine = record_to_json(pseudonymize(parse_record(record_json(cfg, use_cache=False), RECORD), ids, r.salt))
    same = mine == theirs
    checks.append(Check(same, f"reveal: the record rebuilt from {repo} at {commit[:12]} " + (
        "equals the anonymous record byte for byte, up to the pseudonyms" if same else
        f"differs from the anonymous record, first at {_first_difference(mine, theirs)}")))
    epoch = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters", "sourceDateEpoch") if slsa else None
    archive = anonymous_archive(cfg, commit, ids, epoch if isinstance(epoch, int) else 0)
    omitted = [{"path": p, "sha256": d} for p, d in archive.omitted]
    same = archive.sha256 == bundle.digest(SOURCE_TAR) and omitted == r.doc.get("omitted")
    checks.append(Check(same, f"reveal: {SOURCE_TAR} " + (
        f"is commit {commit[:12]} less the {len(omitted)} file(s) the reveal file lists, as they are there" if same else
        f"is not commit {commit[:12]} less the files the reveal file lists")))


def check_repo(repo: Path, r: Reveal, bundle: Bundle, slsa: manifest.Statement | None, checks: list[Check]) -> None:
    commit = r.get("commit") or ""
    with tempfile.TemporaryDirectory(prefix="paperprov-reveal-") as tmp:
        clone = Path(tmp, "clone")
        problem = _clone(repo, commit, clone)
        if problem is not None:
            checks.append(Check(False, f"reveal: {problem}"))
            return
        tree = _git(clone, "rev-parse", f"{commit}^{{tree}}").stdout.strip()
        checks.append(Check(tree == r.get("tree"), f"reveal: commit {commit[:12]} of {repo} has " + (
            "the revealed tree" if tree == r.get("tree") else f"tree {tree[:12]}, not the revealed {str(r.get('tree'))[:12]}")))
        try:
            _rebuild(clone, r, bundle, slsa, repo, checks)
        except ProvenanceError as err:
            checks.append(Check(False, f"reveal: cannot rebuild the record at {commit[:12]} ({err})"))
