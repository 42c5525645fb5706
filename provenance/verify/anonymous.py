"""Verifying an anonymous submission (attest/anonymous.py, attest/anonbundle.py).

An attestation is anonymous when its SLSA statement carries externalParameters.anonymous.key:
the public key made for this one submission. Its envelopes are checked against that key
(--trusted-keys cannot apply: no reviewer holds it beforehand; at camera-ready the reveal
file binds it to the authors' keys). Instead of the git tree and commit of a named bundle:
source.tar must have the attested sha256, hold no .git, no commit id in a pax header, and
every attested input with its attested digest; anonymous.json (the commitment to the
identity binding) must be signed by the same key over this attestation's digest.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from dataclasses import dataclass

from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.attest.reveal import COMMITMENT_PREDICATE, COMMITMENT_TYPE
from provenance.errors import SigningError, VerifyError
from provenance.evidence.pubkeys import PublicKey, fingerprint
from provenance.paths import ANON_BUNDLE_KEY, COMMITMENT, SOURCE_TAR
from provenance.verify.bundle import Bundle, SourceTree, source_tree
from provenance.verify.report import Check


def meaning(key: PublicKey) -> str:
    return (f"anonymous submission: the files are intact and were signed by {key.fingerprint}, a key made for "
            "this submission alone, whose holder also committed to a sealed statement of who the authors are; "
            "it does not say who they are, nor that anyone you know stands behind it. At camera-ready, "
            "`paperprov verify BUNDLE --reveal REVEAL.json --trusted-keys AUTHORS_KEYS [--repo CLONE]` shows "
            "who made it")


def anonymous_key(bundle: Bundle, att: str) -> PublicKey | None:
    """The anonymous key an attestation names, or None for a named one."""
    raw = bundle.read(att, 64 << 20)
    if raw is None:
        return None
    for e in manifest.read_entries(raw.decode("utf-8", "replace")):
        st = e.statement
        if st is None or st.predicate_type != manifest.SLSA_PREDICATE:
            continue
        line = manifest.dig(st.predicate, "buildDefinition", "externalParameters", "anonymous", "key")
        if line is None:
            return None
        try:
            return PublicKey("anonymous", "the attestation", str(line), fingerprint(str(line), "anonymous key"))
        except SigningError as err:
            raise VerifyError(f"{att}: the anonymous key it names is unusable ({err})") from None
    return None


def salted_commit(slsa: manifest.Statement) -> str | None:
    for dep in slsa.dependencies():
        if isinstance(dep, dict) and dep.get("name") == "source":
            value = manifest.dig(dep, "annotations", "saltedCommit")
            return value if isinstance(value, str) else None
    return None


def _tar_facts(bundle: Bundle) -> tuple[list[str], bool]:
    """(entries under .git/, whether a pax header names a commit) of source.tar."""
    git_entries: list[str] = []
    commit = False
    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return [], False
        try:
            with tarfile.open(fileobj=fh, mode="r|") as tf:
                for m in tf:
                    if m.name == ".git" or m.name.startswith(".git/") or "/.git/" in m.name:
                        git_entries.append(m.name)
                commit = bool(tf.pax_headers.get("comment"))
        except (tarfile.TarError, EOFError, zipfile.BadZipFile, OSError):
            pass  # source_tree below reports an unreadable archive
    return git_entries, commit


def _rewritten(slsa: manifest.Statement) -> set[str]:
    for dep in slsa.dependencies():
        if isinstance(dep, dict) and dep.get("name") == "source":
            value = manifest.dig(dep, "annotations", "rewritten")
            return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()
    return set()


def _working_tree(bundle: Bundle, slsa: manifest.Statement, checks: list[Check]) -> None:
    """An anonymous build directory: the attested inputs against the files, except those the
    anonymous archive holds rewritten (provenance.yaml, pseudonymized)."""
    inputs = {k: v for k, v in slsa.inputs().items() if k != "source" and k not in _rewritten(slsa)}
    bad = sorted(n for n, d in inputs.items() if bundle.digest(n) != d)
    checks.append(Check(not bad, f"inputs: {len(inputs) - len(bad)} of {len(inputs)} attested input files match "
                        "the working tree" + (f"; differ or missing: {', '.join(bad[:5])}" if bad else "")))


def check_source(bundle: Bundle, slsa: manifest.Statement, checks: list[Check]) -> SourceTree | None:
    if bundle.zf is None and not bundle.has(SOURCE_TAR):
        _working_tree(bundle, slsa, checks)
        return None
    want = slsa.source().get("sha256", "")
    got = bundle.digest(SOURCE_TAR)
    if got is None:
        checks.append(Check(False, f"{SOURCE_TAR}: missing from the bundle"))
        return None
    checks.append(Check(got == want, f"{SOURCE_TAR}: " + ("sha256 as attested (anonymous source archive)" if got == want
                        else f"sha256 {got[:12]}... differs from the attested {want[:12] or '?'}...")))
    git_entries, commit = _tar_facts(bundle)
    clean = not git_entries and not commit
    checks.append(Check(clean, f"{SOURCE_TAR}: " + ("no .git and no commit id" if clean else
                        f"holds {'.git entries' if git_entries else ''}{' and ' if git_entries and commit else ''}"
                        f"{'a commit id in its pax header' if commit else ''}: it identifies the repository")))
    tree = source_tree(bundle, "sha1")
    inputs = {k: v for k, v in slsa.inputs().items() if k != "source"}
    files = tree.sha256 if tree is not None else {}
    bad = sorted(n for n, d in inputs.items() if files.get(n) != d)
    checks.append(Check(not bad, f"{SOURCE_TAR}: {len(inputs) - len(bad)} of {len(inputs)} attested input files match"
                        + (f"; differ or missing: {', '.join(bad[:5])}" if bad else "")))
    return tree


def vouched(bundle: Bundle, key: PublicKey | None) -> frozenset[str]:
    """Entries of an anonymous bundle that no statement lists but that are vouched for all
    the same: its public key (the one the attestation names) and the commitment (signed by it)."""
    if key is None:
        return frozenset()
    pub = (bundle.read(ANON_BUNDLE_KEY, 1 << 16) or b"").decode("utf-8", "replace").strip()
    return frozenset({COMMITMENT} | ({ANON_BUNDLE_KEY} if pub == key.line else set()))


@dataclass(frozen=True)
class Commitment:
    binding_sha256: str


def check_commitment(bundle: Bundle, att: str, key: PublicKey, checks: list[Check]) -> Commitment | None:
    raw = bundle.read(COMMITMENT, 1 << 20)
    if raw is None:
        checks.append(Check(False, f"{COMMITMENT}: missing; an anonymous bundle commits to who its authors are"))
        return None
    try:
        env = signing.parse_envelope(raw.decode("utf-8", "replace").strip(), COMMITMENT)
        doc = json.loads(env.payload)
    except (VerifyError, ValueError, RecursionError) as err:
        checks.append(Check(False, f"{COMMITMENT}: unreadable ({err})"))
        return None
    data = signing.pae(env.payload_type, env.payload)
    signed = any(signing.verify_signature(key.line, sig, data) for _, sig in env.signatures)
    att_sha = hashlib.sha256(bundle.read(att, 64 << 20) or b"").hexdigest()
    digest = manifest.dig(doc, "binding", "sha256")
    ok = (signed and env.payload_type == COMMITMENT_TYPE and isinstance(doc, dict)
          and doc.get("_type") == COMMITMENT_PREDICATE and manifest.dig(doc, "attestation", "sha256") == att_sha
          and isinstance(digest, str))
    checks.append(Check(ok, f"{COMMITMENT}: " + (f"sealed identity binding {str(digest)[:12]}... committed to by the "
                                                 "anonymous key for this attestation" if ok else
                                                 "not a commitment signed by the anonymous key over this attestation")))
    return Commitment(str(digest)) if ok else None


def rebuild_env(slsa: manifest.Statement) -> dict[str, str]:
    """The mode of the build a rebuild repeats: anonymous (\\paperprovanonymous defined, the
    appendix worded for it) exactly when the attestation names an anonymous key. The signers
    it names come from internalParameters.signers, as for any rebuild."""
    line = manifest.dig(slsa.predicate, "buildDefinition", "externalParameters", "anonymous", "key")
    return {"PAPERPROV_ANONYMOUS": "1" if isinstance(line, str) else "0"}
