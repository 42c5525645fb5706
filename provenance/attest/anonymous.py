"""Signing an anonymous build: its one-off key and salt, its statements, its attestation.

State (build/anonymous/, made by the first anonymous `doit record`, kept until build/ is
removed; remove it to start a new, unlinkable anonymous identity): `key`, an Ed25519 private
key made for this submission (mode 0600; never a bundle member), `key.pub` its public line,
which the appendix names, and `salt`, 32 random bytes that key the digests standing for
commit ids (revealed at camera-ready, in the reveal file).

The attestation has the two statements of a named build (statements.py) with what would name
the authors taken out, and is signed by the anonymous key alone (no author's key, no
co-author's signature kept from an earlier build):
- SLSA externalParameters.anonymous = {"key": the anonymous public line};
- the `source` dependency is the anonymous source.tar (anonarchive.py) by sha256, with
  annotations.saltedCommit (the record's `commit`), instead of gitCommit/gitTree;
  runDetails.metadata.invocationId is the salted commit;
- input files are attested as the build read them, except provenance.yaml, by the digest
  of its pseudonymized copy in the archive (listed under annotations.rewritten); files left
  out of the archive are not attested (their digests are in the reveal file);
- no runs statement (attest/runs.py): its commands, host names, job ids and times would
  tell who ran the experiments and where; the SLSA statement still binds the outputs.
Before signing, the outputs are checked for names, emails, keys and commit ids (leaks.py),
and source files that name someone are reported (the submission would refuse them).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.attest import leaks, sign, signing
from provenance.attest import statements as manifest
from provenance.attest.anonarchive import AnonArchive, anonymous_archive
from provenance.attest.runs import RUNS_PREDICATE
from provenance.config import Config
from provenance.disclose.pseudonyms import ANONYMOUS_SIGNER
from provenance.errors import BuildError, SigningError
from provenance.evidence.gitrun import git, source_date_epoch
from provenance.evidence.identities import Identities, identities, salted
from provenance.evidence.pubkeys import PublicKey, fingerprint, read_public_keys
from provenance.fsutil import write_bytes_atomic, write_text_atomic
from provenance.paths import ANON_DIR, ANON_KEY, ANON_PUB, ANON_SALT, RECORD
from provenance.scan.sources import output_files

ANON_COMMENT = "anonymous"


@dataclass(frozen=True)
class AnonState:
    salt: bytes
    public_line: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_line, ANON_PUB)


def ensure_state(root: Path) -> None:
    """build/anonymous/{key,key.pub,salt}; a new key and salt if any of them is missing."""
    if all((root / p).is_file() for p in (ANON_KEY, ANON_PUB, ANON_SALT)):
        return
    (root / ANON_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    signer = signing.generate(root / ANON_KEY, ANON_COMMENT)  # inside build/, which git ignores
    write_text_atomic(root / ANON_PUB, signer.public_line + "\n", mode=0o644)
    write_text_atomic(root / ANON_SALT, secrets.token_hex(32) + "\n", mode=0o600)


def read_state(root: Path) -> AnonState:
    from provenance.record.anonymize import read_salt

    try:
        line = (root / ANON_PUB).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise BuildError(f"{ANON_PUB}: missing; run the anonymous build again (PAPERPROV_ANONYMOUS=1 doit build)") from None
    return AnonState(salt=read_salt(root), public_line=line)


def anonymous_signer(root: Path) -> signing.Signer:
    signer = signing.load_signer(root / ANON_KEY, comment=ANON_COMMENT)
    if signer.keyid != read_state(root).fingerprint:
        raise SigningError(f"{ANON_KEY} and {ANON_PUB} do not belong together; remove {ANON_DIR} and build again")
    return signer


def builder_secrets(cfg: Config, ids: Identities) -> leaks.Secrets:
    """The leak check's list: the repository's identities plus the builder's own (git user,
    keys in keys/ not committed yet, the configured signing key's .pub)."""
    def user(key: str, env: str) -> str:
        value = git(cfg.root, "config", key, check=False).stdout.decode("utf-8", "replace").strip()
        return value or os.environ.get(env, "")

    people = [(user("user.name", "GIT_AUTHOR_NAME"), user("user.email", "GIT_AUTHOR_EMAIL"))]
    keys: list[PublicKey] = list(read_public_keys(cfg.root))
    configured = os.environ.get("PAPERPROV_SIGNING_KEY") or cfg.signing.key
    if configured:
        pub = Path(configured).expanduser()
        pub = (pub if pub.is_absolute() else cfg.root / pub).with_name(Path(configured).name + ".pub")
        try:
            line = pub.read_text(encoding="utf-8").strip()
            keys.append(PublicKey(pub.stem, str(pub), line, fingerprint(line, str(pub))))
        except (OSError, UnicodeDecodeError, SigningError):
            pass  # no readable .pub beside it: keys/ holds its public line anyway
    return leaks.secrets(ids, people, keys)


def check_outputs(cfg: Config, names: list[str], s: leaks.Secrets) -> None:
    found = [leak for n in names for leak in leaks.scan_member(n, (cfg.root / n).read_bytes(), s)]
    if found:
        raise BuildError(f"the anonymous build names its authors in {len(found)} place(s): {leaks.describe(found)}; "
                         "remove them (e.g. \\author{Anonymous} and no pdfauthor when \\paperprovanonymous is "
                         "defined) and build again")


def warn_sources(archive: AnonArchive, s: leaks.Secrets, announce: Callable[[str], None]) -> None:
    found = leaks.scan_tar(archive.tar, "source.tar", s)
    for path in sorted({leak.member.removeprefix("source.tar:") for leak in found}):
        what = sorted({leak.what for leak in found if leak.member == f"source.tar:{path}"})
        announce(f"paperprov: warning: {path} names {', '.join(what)}; `doit submission` will refuse it: list it "
                 "under submission.anonymize in provenance.yaml (and leave it out of the anonymous PDF), or edit it")


def _as_archived(entries: list[Any], archive: AnonArchive) -> list[Any]:
    """{name, digest} entries as the archive holds the files: a rewritten one (provenance.yaml,
    pseudonymized) by the archive's digest, one left out dropped (the reveal file lists it),
    any other by the digest of the file the build read."""
    hidden = {p for p, _ in archive.omitted}
    out = []
    for e in entries:
        name = e.get("name") if isinstance(e, dict) else None
        if name in hidden:
            continue
        out.append({**e, "digest": {"sha256": archive.files[name]}} if name in archive.rewritten else e)
    return out


def statements(cfg: Config, state: AnonState, archive: AnonArchive, commit: str) -> list[bytes]:
    """A named build's statements (sign.statements), with what names the authors replaced."""
    stamp = salted(state.salt, commit)
    out = []
    for payload in sign.statements(cfg):
        st = json.loads(payload)
        pred = st.get("predicate", {})
        if st.get("predicateType") == RUNS_PREDICATE:
            continue  # commands with home paths, host names, job ids, times: left out (nothing needs it)
        if st.get("predicateType") == manifest.SLSA_PREDICATE:
            build = pred["buildDefinition"]
            build["externalParameters"]["anonymous"] = {"key": state.public_line}
            build["internalParameters"]["signers"] = [{"name": ANONYMOUS_SIGNER, "keyid": state.fingerprint}]
            deps = [d for d in build["resolvedDependencies"] if not (isinstance(d, dict) and d.get("name") == "source")]
            source = {"name": "source", "digest": {"sha256": archive.sha256},
                      "annotations": {"saltedCommit": stamp, "rewritten": list(archive.rewritten)}}
            build["resolvedDependencies"] = [source, *_as_archived(deps, archive)]
            pred["runDetails"]["metadata"]["invocationId"] = stamp
        elif isinstance(pred.get("configuration"), list):  # the test-result statement's files
            pred["configuration"] = _as_archived(pred["configuration"], archive)
        if st.get("predicateType") == manifest.RECORD_PREDICATE and pred.get("commit") != stamp:
            raise BuildError(f"{RECORD} is not this anonymous build's record of HEAD; run `doit record` again")
        out.append(manifest.to_bytes(st))
    return out


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def write_attestation(cfg: Config, out: Path, announce: Callable[[str], None] = _stderr) -> None:
    """build/attestation.intoto.jsonl of an anonymous build, signed by its anonymous key."""
    state = read_state(cfg.root)
    ids = identities(cfg)
    if ids.commit is None:
        raise BuildError(f"{cfg.root}: no commit yet; commit the paper before an anonymous build")
    s = builder_secrets(cfg, ids)
    check_outputs(cfg, [RECORD, *output_files(cfg)], s)
    archive = anonymous_archive(cfg, ids.commit, ids, source_date_epoch(cfg.root))
    warn_sources(archive, s, announce)
    signer = anonymous_signer(cfg.root)
    lines = [signing.Envelope(p, signing.PAYLOAD_TYPE, ()).signed_by(signer).to_line()
             for p in statements(cfg, state, archive, ids.commit)]
    write_bytes_atomic(out, ("\n".join(lines) + "\n").encode("utf-8"), mode=0o644)
