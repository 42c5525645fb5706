"""Camera-ready: `paperprov verify BUNDLE --reveal REVEAL --trusted-keys KEYS [--repo CLONE]`
shows that an anonymous submission was made by the named authors.

Checks, in order (the first two stop the rest when they fail, so a wrong file is one line):
1. the reveal file's binding is the one the bundle committed to (its sha256 is the digest in
   the anonymous key's signed anonymous.json), naming this attestation and this key;
2. its signatures verify against --trusted-keys (the authors' long-term keys, from a source
   you trust: their forge accounts, a venue's records; not the reveal file or the bundle);
   a file signed by no trusted key fails;
3. the revealed commit, salted with the revealed salt, is the digest the anonymous record
   and attestation carry;
4. with --repo (revealrepo.py), from that repository at the revealed commit: the record
   rebuilt, pseudonymized with the revealed salt, equals the bundle's byte for byte, and
   the anonymous source archive made again equals the bundle's source.tar.
Who is who (Author 1 = ...), and the files left out, are printed as notes.
"""

from __future__ import annotations

from pathlib import Path

from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.attest.reveal import REVEAL_TYPE, Reveal, read_reveal
from provenance.errors import UsageError
from provenance.evidence.identities import salted
from provenance.evidence.pubkeys import PublicKey
from provenance.paths import RECORD
from provenance.verify.anonymous import Commitment, check_commitment, salted_commit
from provenance.verify.bundle import Bundle
from provenance.verify.keys import trusted_keys
from provenance.verify.report import Check


def _opens(r: Reveal, path: Path, promise: Commitment | None, key: PublicKey, att_sha: str,
           checks: list[Check]) -> bool:
    if promise is None:
        checks.append(Check(False, f"reveal: the bundle has no valid commitment to open; {path} cannot be checked"))
        return False
    if r.digest != promise.binding_sha256:
        checks.append(Check(False, f"reveal: {path} is for another submission: its binding {r.digest[:12]}... is not "
                                   f"the one this bundle committed to ({promise.binding_sha256[:12]}...)"))
        return False
    same = manifest.dig(r.doc, "attestation", "sha256") == att_sha and r.get("anonymousKey", str) == key.line
    checks.append(Check(same, f"reveal: {path} opens the bundle's commitment" + (
        ", for this attestation and its anonymous key" if same else ", but names another attestation or key")))
    return same


def _who(r: Reveal, fp: str) -> str:
    """Which author, by the binding's list of committed keys and people, holds key `fp`."""
    names = [k.get("name") for k in r.doc.get("keys", []) if isinstance(k, dict) and k.get("fingerprint") == fp]
    for p in r.doc.get("people", []):
        if isinstance(p, dict) and any(n in p.get("keys", []) for n in names):
            return f"{p.get('pseudonym')}, {', '.join(map(str, p.get('names', [])))}"
    return "a key not committed at the revealed commit"


def _signatures(r: Reveal, keys: list[PublicKey], threshold: int, checks: list[Check], notes: list[str]) -> None:
    data = signing.pae(REVEAL_TYPE, r.envelope.payload)
    signed: dict[str, PublicKey] = {}
    untrusted = []
    for keyid, sig in r.envelope.signatures:
        match = next((k for k in keys if k.fingerprint == keyid and signing.verify_signature(k.line, sig, data)), None)
        match = match or next((k for k in keys if signing.verify_signature(k.line, sig, data)), None)
        if match is None:
            untrusted.append(keyid or "(no keyid)")
        else:
            signed[match.fingerprint] = match
    if not signed:
        checks.append(Check(False, f"reveal: signed only by keys you do not trust ({', '.join(untrusted) or 'none'}); "
                                   "pass the authors' public keys with --trusted-keys"))
        return
    for fp, k in sorted(signed.items()):
        checks.append(Check(True, f"reveal: binding signed by {k.name} ({fp}): {_who(r, fp)}"))
    notes.extend(f"reveal: a signature by untrusted key {u} was not counted" for u in untrusted)
    checks.append(Check(len(signed) >= threshold, f"reveal: {len(signed)} distinct trusted key(s) signed the binding; "
                                                  f"threshold {threshold}"))


def _commit(bundle: Bundle, r: Reveal, slsa: manifest.Statement | None, checks: list[Check]) -> None:
    commit = r.get("commit") or ""
    stamp = salted(r.salt, commit) if r.salt else ""
    record = bundle.read_json(RECORD)
    in_record = isinstance(record, dict) and record.get("commit") == stamp
    in_att = slsa is not None and salted_commit(slsa) == stamp
    ok = bool(stamp) and in_record and in_att
    checks.append(Check(ok, f"reveal: commit {commit} " + ("is the one the anonymous record and attestation name "
                                                           "(salted with the revealed salt)" if ok else
                                                           "salted with the revealed salt is not the digest the "
                                                           "anonymous record and attestation carry")))


def _notes(r: Reveal, notes: list[str]) -> None:
    for p in r.doc.get("people", []):
        if isinstance(p, dict):
            who = ", ".join([*map(str, p.get("names", [])), *(f"<{e}>" for e in p.get("emails", []))])
            notes.append(f"reveal: {p.get('pseudonym')} is {who or 'known by a key only'}")
    for o in r.doc.get("omitted", []):
        if isinstance(o, dict):
            notes.append(f"reveal: {o.get('path')} was left out of the anonymous source (sha256 {str(o.get('sha256'))[:12]}...)")


def check_reveal(bundle: Bundle, att: str, key: PublicKey | None, promise: Commitment | None, path: Path,
                 trusted: Path | None, threshold: int, repo: Path | None, checks: list[Check], notes: list[str]) -> None:
    if key is None:
        raise UsageError("--reveal: this bundle is not an anonymous submission; there is nothing to reveal")
    if trusted is None:
        raise UsageError("--reveal needs --trusted-keys: the authors' public keys, from a source you trust")
    r = read_reveal(path)
    att_sha = bundle.digest(att) or ""
    if not _opens(r, path, promise, key, att_sha, checks):
        return
    _signatures(r, trusted_keys(trusted, bundle), threshold, checks, notes)
    statements = manifest.read_entries((bundle.read(att, 64 << 20) or b"").decode("utf-8", "replace"))
    slsa = next((e.statement for e in statements if e.statement is not None
                 and e.statement.predicate_type == manifest.SLSA_PREDICATE), None)
    _commit(bundle, r, slsa, checks)
    _notes(r, notes)
    if repo is None:
        notes.append(f"reveal: the record was not rebuilt; pass --repo DIR, a clone of the authors' repository holding "
                     f"commit {r.get('commit')} and its notes (git fetch origin 'refs/notes/*:refs/notes/*')")
        return
    from provenance.verify.revealrepo import check_repo

    check_repo(repo, r, bundle, slsa, checks)


def check_anonymous(bundle: Bundle, att: str, key: PublicKey, reveal: Path | None, trusted: Path | None,
                    threshold: int, repo: Path | None, checks: list[Check], notes: list[str]) -> None:
    """The commitment of an anonymous submission zip, and with --reveal, what opens it."""
    if bundle.zf is None:
        if reveal is not None:
            raise UsageError("--reveal: give the anonymous submission zip (it holds the commitment the reveal file opens)")
        return  # a build directory: no commitment yet (doit submission makes it)
    promise = check_commitment(bundle, att, key, checks)
    if reveal is not None:
        check_reveal(bundle, att, key, promise, reveal, trusted, threshold, repo, checks, notes)
