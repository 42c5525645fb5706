"""The sealed identity binding of an anonymous submission, and its commitment.

The binding (canonical JSON, `_type` https://paperprov.dev/reveal/v1) says which named
authors made which anonymous submission:
  paper, attestation {name, sha256} (the bundle's attestation, which names every other
  member by digest: it is the bundle's digest here), anonymousKey (its public line), commit,
  tree, salt (hex), people [{pseudonym, names, emails, keys, author}], keys [{name,
  fingerprint, line}] (the long-term keys committed at the commit), omitted [{path, sha256}]
  (left out of source.tar), rewritten [paths] (archived with identities replaced).
It stays out of the bundle, in dist/<name>-reveal.json (mode 0600): a DSSE envelope,
payloadType application/vnd.paperprov.reveal+json, signed by each author's long-term key
(the submitting author at `doit submission`, co-authors with `paperprov reveal sign`).

The bundle carries only the commitment, anonymous.json: a DSSE envelope signed by the
anonymous key (payloadType application/vnd.paperprov.commitment+json) over
{_type https://paperprov.dev/anonymous/v1, paper, attestation {sha256}, binding {sha256 of
the binding's bytes}}. The random salt makes the commitment hiding (nobody can test a guess
of who the authors are against it); only the holders of the binding can open it, so nobody
else can later claim the submission as theirs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.attest import signing
from provenance.attest.anonarchive import AnonArchive
from provenance.config import Config
from provenance.errors import VerifyError
from provenance.evidence.identities import Identities
from provenance.model import canonical_json
from provenance.paths import ATTESTATION

REVEAL_TYPE = "application/vnd.paperprov.reveal+json"
BINDING_TYPE = "https://paperprov.dev/reveal/v1"
COMMITMENT_TYPE = "application/vnd.paperprov.commitment+json"
COMMITMENT_PREDICATE = "https://paperprov.dev/anonymous/v1"
MAX_REVEAL = 4 << 20


def binding(cfg: Config, ids: Identities, anonymous_key: str, salt: bytes, attestation_sha256: str,
            archive: AnonArchive) -> bytes:
    doc = {
        "_type": BINDING_TYPE,
        "paper": cfg.paper.name,
        "attestation": {"name": ATTESTATION, "sha256": attestation_sha256},
        "anonymousKey": anonymous_key,
        "commit": ids.commit,
        "tree": ids.tree,
        "salt": salt.hex(),
        "people": [{"pseudonym": p.pseudonym, "names": list(p.names), "emails": list(p.emails), "keys": list(p.keys),
                    "author": p.author} for p in ids.people],
        "keys": [{"name": k.name, "fingerprint": k.fingerprint, "line": k.line} for k in ids.keys],
        "omitted": [{"path": p, "sha256": d} for p, d in archive.omitted],
        "rewritten": list(archive.rewritten),
    }
    return canonical_json(doc)


def commitment(paper: str, attestation_sha256: str, binding_bytes: bytes) -> bytes:
    return canonical_json({"_type": COMMITMENT_PREDICATE, "paper": paper, "attestation": {"sha256": attestation_sha256},
                           "binding": {"sha256": hashlib.sha256(binding_bytes).hexdigest()}})


@dataclass(frozen=True)
class Reveal:
    """A reveal file, read: its envelope and the binding it carries."""

    envelope: signing.Envelope
    doc: dict[str, Any]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.envelope.payload).hexdigest()

    def get(self, key: str, kind: type = str) -> Any:
        value = self.doc.get(key)
        return value if isinstance(value, kind) else None

    @property
    def salt(self) -> bytes:
        try:
            return bytes.fromhex(self.get("salt") or "")
        except ValueError:
            return b""


def parse_reveal(data: bytes, where: str) -> Reveal:
    try:
        env = signing.parse_envelope(data.decode("utf-8"), where)
    except UnicodeDecodeError:
        raise VerifyError(f"{where}: not a reveal file (not UTF-8 text)") from None
    if env.payload_type != REVEAL_TYPE:
        raise VerifyError(f"{where}: payloadType {env.payload_type!r}; not a paperprov reveal file ({REVEAL_TYPE})")
    try:
        doc = json.loads(env.payload)
    except (ValueError, RecursionError):
        doc = None
    if not isinstance(doc, dict) or doc.get("_type") != BINDING_TYPE:
        raise VerifyError(f"{where}: its payload is not a paperprov identity binding ({BINDING_TYPE})")
    for key in ("commit", "salt", "anonymousKey"):
        if not isinstance(doc.get(key), str):
            raise VerifyError(f"{where}: the binding has no {key}; not a complete reveal file")
    return Reveal(env, doc)


def read_reveal(path: Path) -> Reveal:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_REVEAL + 1)
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read the reveal file ({exc.strerror})") from None
    if len(data) > MAX_REVEAL:
        raise VerifyError(f"{path}: larger than {MAX_REVEAL} bytes; not a reveal file")
    return parse_reveal(data, str(path))


def reveal_text(env: signing.Envelope) -> str:
    return json.dumps(env.to_dict(), indent=2, sort_keys=True) + "\n"


def kept_signatures(path: Path, payload: bytes) -> tuple[tuple[str, bytes], ...]:
    """Co-authors' signatures in an earlier reveal file over the same binding (a submission
    bundled again from the same build): they still sign exactly this; verify judges them."""
    try:
        old = read_reveal(path)
    except VerifyError:
        return ()
    return old.envelope.signatures if old.envelope.payload == payload else ()
