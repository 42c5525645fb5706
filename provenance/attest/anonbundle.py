"""`doit submission` in anonymous mode: dist/<name>-submission.zip that names no one, and
dist/<name>-reveal.json, which does and stays with the authors.

The zip holds what a named one holds, except: keys/anonymous.pub instead of the authors'
keys/*.pub; source.tar from anonarchive.py (no .git, no commit id, no owner names, omitted
files left out, provenance.yaml pseudonymized); and anonymous.json, the commitment to the
identity binding (reveal.py). Before anything is written, the whole zip is read back, every
member decompressed (source.tar's members, PDFs' streams and text), and searched for the
authors' and contributors' names, emails, key names, fingerprints and public keys, the
commit id and the tree id (leaks.py); any finding fails the submission, naming every one.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

from provenance.attest import leaks, signing
from provenance.attest import statements as manifest
from provenance.attest.anonarchive import anonymous_archive
from provenance.attest.anonymous import AnonState, anonymous_signer, builder_secrets, read_state
from provenance.attest.reveal import COMMITMENT_TYPE, REVEAL_TYPE, binding, commitment, kept_signatures, reveal_text
from provenance.attest.sign import check_subjects, select_signer
from provenance.attest.submission import _refusal, dirty_paths, zip_bytes
from provenance.config import Config
from provenance.errors import BuildError, GitError
from provenance.evidence.gitrun import source_date_epoch
from provenance.evidence.identities import identities, salted
from provenance.fsutil import write_bytes_atomic, write_text_atomic
from provenance.paths import ANON_BUNDLE_KEY, ATTESTATION, COMMITMENT, SOURCE_TAR, reveal_file, submission_zip

AGAIN = "run `PAPERPROV_ANONYMOUS=1 doit build` (or set submission.anonymous) and then doit submission again"


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def _attested(cfg: Config, state: AnonState, commit: str) -> tuple[list[str], str]:
    """(the attestation's subjects, the source archive's attested sha256), once it is known
    to be this anonymous build's attestation of `commit`, signed by its key only."""
    att = cfg.root / ATTESTATION
    if not att.is_file():
        raise BuildError(f"{ATTESTATION}: missing; {AGAIN}")
    stale = check_subjects(cfg, att)
    if stale:
        raise BuildError(f"{ATTESTATION} does not match {', '.join(stale[:5])}; {AGAIN}")
    names: set[str] = set()
    source = ""
    for env, st in manifest.read_attestation(att):
        names.update(st.subjects)
        if {k for k, _ in env.signatures} != {state.fingerprint}:
            raise BuildError(f"{ATTESTATION} is not signed by this build's anonymous key alone; {AGAIN}")
        if st.predicate_type == manifest.SLSA_PREDICATE:
            external = manifest.dig(st.predicate, "buildDefinition", "externalParameters", "anonymous", "key")
            if external != state.public_line:
                raise BuildError(f"{ATTESTATION} is a named build's, or another anonymous key's; {AGAIN}")
            if manifest.dig(st.predicate, "runDetails", "metadata", "invocationId") != salted(state.salt, commit):
                raise BuildError(f"{ATTESTATION} is for another commit than HEAD {commit[:12]}; {AGAIN}")
            source = st.source().get("sha256", "")
    return sorted(names), source


def write_anonymous_submission(cfg: Config, allow_dirty: bool = False,
                               announce: Callable[[str], None] = _stderr) -> tuple[Path, Path]:
    """(the zip, the reveal file) of an anonymous submission of HEAD."""
    root = cfg.root
    ids = identities(cfg)
    commit = ids.commit
    if commit is None:
        raise GitError(f"{root}: no commit yet; commit the paper before making a submission")
    changes = dirty_paths(root)
    if changes and not allow_dirty:
        raise GitError(_refusal(changes))
    state = read_state(root)
    names, source = _attested(cfg, state, commit)
    epoch = source_date_epoch(root)
    archive = anonymous_archive(cfg, commit, ids, epoch)
    if archive.sha256 != source:
        raise BuildError(f"{SOURCE_TAR} would differ from the one {ATTESTATION} names (provenance.yaml or "
                         f"submission globs changed?); {AGAIN}")
    att_bytes = (root / ATTESTATION).read_bytes()
    att_sha = hashlib.sha256(att_bytes).hexdigest()
    sealed = binding(cfg, ids, state.public_line, state.salt, att_sha, archive)
    anon = anonymous_signer(root)
    promise = signing.Envelope(commitment(cfg.paper.name, att_sha, sealed), COMMITMENT_TYPE, ()).signed_by(anon)
    entries: dict[str, bytes] = {ATTESTATION: att_bytes, ANON_BUNDLE_KEY: (state.public_line + "\n").encode(),
                                 SOURCE_TAR: archive.tar, COMMITMENT: (promise.to_line() + "\n").encode()}
    for name in names:
        entries[name] = (root / name).read_bytes()
    data = zip_bytes(entries, epoch)
    author = select_signer(cfg, announce, interactive=True)  # the submitting author's long-term key
    found = leaks.scan_zip(data, builder_secrets(cfg, ids))
    if found:
        raise BuildError(f"the anonymous submission would name its authors in {len(found)} place(s): "
                         f"{leaks.describe(found)}; remove them (list files that must name you under "
                         "submission.anonymize, write \\author{Anonymous} when \\paperprovanonymous is defined) "
                         "and run doit submission again")
    out, reveal = root / submission_zip(cfg.paper.name), root / reveal_file(cfg.paper.name)
    sigs = tuple(kept_signatures(reveal, sealed))
    env = signing.Envelope(sealed, REVEAL_TYPE, tuple(sorted(dict(sigs).items()))).signed_by(author)
    write_bytes_atomic(out, data, mode=0o644)
    write_text_atomic(reveal, reveal_text(env), mode=0o600)
    announce(f"paperprov: {reveal.relative_to(root)} names the authors of this anonymous submission: keep it "
             "private until camera-ready; co-authors add their signatures with `paperprov reveal sign "
             f"{reveal.relative_to(root)}`")
    return out, reveal
