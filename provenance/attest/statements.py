"""The in-toto statements paperprov signs, as plain dicts, and their canonical bytes.

Statement 1 — SLSA Provenance v1 (`https://slsa.dev/provenance/v1`):
  subjects: build/paper.pdf, every experiment output, build/disclosure.{tex,md}.
  buildDefinition.buildType = `https://paperprov.dev/build/v1` (this project's own):
    externalParameters  {"paper": name, "main": path, "experiments": [{name, script, seed, args,
                         command (words with placeholders), cwd, outputs (repository paths)}], "latex": {engine,
                         shellEscape, extraArgs}}
    internalParameters  {"sourceDateEpoch": int, "environment":
                         {"python", "packages": {name: version}, "tex": first line},
                         "signers": [{"name", "keyid"}] — the signers the appendix names
                         (attest/signers.py); verify requires a signature by each,
                         "experimentEpochs": {name: int} — each experiment's own
                         SOURCE_DATE_EPOCH (evidence/epochs.py), which verify --rebuild uses}
    resolvedDependencies: {"name": "source", "digest": {"gitCommit", "gitTree"}} (no URI:
                         a path would name the builder's machine; gitTree is the tree of what
                         source.tar holds, and "annotations": {"excluded": [paths]} lists
                         what it leaves out of the commit, when anything), then every input file
                         {"name": repo-relative path, "digest": {"sha256"}}.
  runDetails: builder {"id": `https://paperprov.dev/builder/v1`, "version": {"paperprov"}},
    metadata {"invocationId": "<commit>"} (no wall-clock times: two builds of one commit
    must give the same bytes), byproducts: build/record.json with its sha256.

Statement 2 — the provenance record (`https://paperprov.dev/record/v1`, ours):
  subjects: the subjects of statement 1 plus build/record.json.
  predicate: {"commit", "dirty", "record": {"name": "build/record.json", "digest":
    {"sha256"}}, "schema": "paperprov/record/v1", "summary": the record's summary}.
  The record's bytes are a subject, so the full record is bound by digest; the summary
  is copied so a reader of the attestation alone sees the headline figures.

Statement 3 — the claim checks' outcomes, as an in-toto Test Result
(`https://in-toto.io/attestation/test-result/v0.1`), when any check or formal proof is
linked: testresult.py. A list, one statement per predicate type, so further ones fit.

Statement 4 — how the experiments ran (`https://paperprov.dev/runs/v1`, ours; runs.py), when
they ran in this build: executors, job ids, nodes, times, commands, environments. It
differs between builds of one commit, which is why those facts are in no statement above.

All are in-toto Statement v1 (`https://in-toto.io/Statement/v1`), serialised as
canonical JSON (model.canonical_json). Statements 1 to 3 carry no absolute paths, host
names or times other than SOURCE_DATE_EPOCH, so their unsigned payloads are a function of
the commit; statement 4 is the exception, by design.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.attest.signing import PAYLOAD_TYPE, Envelope, parse_envelope
from provenance.errors import VerifyError
from provenance.model import canonical_json
from provenance.paths import RECORD

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PREDICATE = "https://slsa.dev/provenance/v1"
RECORD_PREDICATE = "https://paperprov.dev/record/v1"
BUILD_TYPE = "https://paperprov.dev/build/v1"
BUILDER_ID = "https://paperprov.dev/builder/v1"
RECORD_NAME = RECORD


def is_safe_name(name: str) -> bool:
    """A relative POSIX path that stays inside its root: what a subject, an input or an
    archive entry may be called. Hostile bundles use absolute names and `..`."""
    if not name or "\\" in name or "\0" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def subjects(digests: dict[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "digest": {"sha256": d}} for name, d in sorted(digests.items())]


def provenance_statement(*, outputs: dict[str, str], inputs: dict[str, str], commit: str | None,
                         tree: str | None, external: dict[str, Any], internal: dict[str, Any],
                         record_digest: str, version: str, excluded: tuple[str, ...] = ()) -> dict[str, Any]:
    source: dict[str, str] = {}
    if commit:
        source["gitCommit"] = commit
    if tree:
        source["gitTree"] = tree
    src: dict[str, Any] = {"name": "source", "digest": source}
    if excluded:  # what source.tar leaves out of the commit (attest/archive.py)
        src["annotations"] = {"excluded": list(excluded)}
    deps = ([src] if source else []) + [
        {"name": name, "digest": {"sha256": d}} for name, d in sorted(inputs.items())
    ]
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects(outputs),
        "predicateType": SLSA_PREDICATE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": external,
                "internalParameters": internal,
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"paperprov": version}},
                "metadata": {"invocationId": commit or "uncommitted"},
                "byproducts": [{"name": RECORD_NAME, "digest": {"sha256": record_digest}}],
            },
        },
    }


def record_statement(*, outputs: dict[str, str], record_digest: str, record: dict[str, Any]) -> dict[str, Any]:
    subs = dict(outputs)
    subs[RECORD_NAME] = record_digest
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects(subs),
        "predicateType": RECORD_PREDICATE,
        "predicate": {
            "schema": record.get("schema"),
            "commit": record.get("commit"),
            "dirty": bool(record.get("dirty")),
            "record": {"name": RECORD_NAME, "digest": {"sha256": record_digest}},
            "summary": record.get("summary", {}),
        },
    }


def to_bytes(statement: dict[str, Any]) -> bytes:
    return canonical_json(statement)


# -- reading (reviewer side) -----------------------------------------------------------

def dig(obj: Any, *keys: str) -> Any:
    """obj[k1][k2]... or None when any level is missing or not a mapping (hostile input)."""
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


@dataclass(frozen=True)
class Statement:
    predicate_type: str
    subjects: dict[str, str]  # name -> sha256
    predicate: dict[str, Any]

    def dependencies(self) -> list[Any]:
        deps = dig(self.predicate, "buildDefinition", "resolvedDependencies")
        return deps if isinstance(deps, list) else []

    def excluded(self) -> list[str]:
        """What the source archive leaves out of the commit, as attested."""
        for dep in self.dependencies():
            if isinstance(dep, dict) and dep.get("name") == "source":
                value = dig(dep, "annotations", "excluded")
                return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        return []

    def source(self) -> dict[str, str]:
        for dep in self.dependencies():
            if isinstance(dep, dict) and dep.get("name") == "source" and isinstance(dep.get("digest"), dict):
                return {k: v for k, v in dep["digest"].items() if isinstance(v, str)}
        return {}

    def disclosed_signers(self) -> tuple[tuple[str, str], ...]:
        """(name, keyid) of the signers the appendix names (internalParameters.signers);
        VerifyError when the list is malformed (it reaches the rebuild's command line)."""
        raw = dig(self.predicate, "buildDefinition", "internalParameters", "signers")
        if raw is None:
            return ()
        out = []
        for item in raw if isinstance(raw, list) else [None]:
            name, keyid = dig(item, "name"), dig(item, "keyid")
            if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", name)
                    and isinstance(keyid, str) and re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", keyid)):
                raise VerifyError("internalParameters.signers: not a list of {name, keyid: SHA256:...}")
            out.append((name, keyid))
        return tuple(out)

    def inputs(self) -> dict[str, str]:
        out = {}
        for dep in self.dependencies():
            if isinstance(dep, dict) and isinstance(dep.get("name"), str) and isinstance(dep.get("digest"), dict):
                sha = dep["digest"].get("sha256")
                if isinstance(sha, str):
                    out[dep["name"]] = sha
        return out


def parse_statement(payload: bytes, where: str) -> Statement:
    """An in-toto Statement v1 with sha256 subject digests; VerifyError otherwise."""
    try:
        obj = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise VerifyError(f"{where}: the payload is not JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise VerifyError(f"{where}: the payload is not a JSON object")
    if obj.get("_type") != STATEMENT_TYPE:
        raise VerifyError(f"{where}: _type is {obj.get('_type')!r}, expected {STATEMENT_TYPE}")
    ptype, pred, subs = obj.get("predicateType"), obj.get("predicate"), obj.get("subject")
    if not isinstance(ptype, str) or not isinstance(pred, dict) or not isinstance(subs, list) or not subs:
        raise VerifyError(f"{where}: needs predicateType, predicate and a non-empty subject list")
    digests: dict[str, str] = {}
    for i, s in enumerate(subs):
        name = s.get("name") if isinstance(s, dict) else None
        sha = s.get("digest", {}).get("sha256") if isinstance(s, dict) and isinstance(s.get("digest"), dict) else None
        if not isinstance(name, str) or not isinstance(sha, str) or name in digests:
            raise VerifyError(f"{where}: subject[{i}] needs a unique name and a sha256 digest")
        digests[name] = sha.lower()
    return Statement(ptype, digests, pred)


# -- the one reader of an attestation (build/attestation.intoto.jsonl) ------------------------

@dataclass(frozen=True)
class Entry:
    """One line of an attestation: its envelope and statement, or why it is unreadable
    (`statement` None with an `error`; `envelope` None when not even that parsed)."""

    line: int
    envelope: Envelope | None
    statement: Statement | None
    error: str | None = None


def read_entries(text: str, where: str = "envelope") -> list[Entry]:
    """Every non-empty line of an attestation, read as far as it goes (for a reviewer,
    who wants to see each problem); `where` prefixes the line number in messages."""
    out: list[Entry] = []
    for i, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        at = f"{where} {i}" if where == "envelope" else f"{where}:{i}"
        try:
            env = parse_envelope(line, at)
        except VerifyError as err:
            out.append(Entry(i, None, None, str(err)))
            continue
        if env.payload_type != PAYLOAD_TYPE:
            out.append(Entry(i, None, None, f"{at}: payloadType {env.payload_type!r}, expected {PAYLOAD_TYPE}"))
            continue
        try:
            out.append(Entry(i, env, parse_statement(env.payload, at)))
        except VerifyError as err:
            out.append(Entry(i, env, None, str(err)))
    return out


def read_attestation(path: Path) -> list[tuple[Envelope, Statement]]:
    """An attestation the build or its authors rely on: every line must read, else one
    VerifyError line naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VerifyError(f"{path}: cannot read the attestation ({exc}); run `doit build`") from None
    entries = read_entries(text, str(path))
    bad = next((e for e in entries if e.error), None)
    if bad is not None:
        raise VerifyError(f"{bad.error}; run `doit build` to write it again")
    return [(e.envelope, e.statement) for e in entries if e.envelope is not None and e.statement is not None]
