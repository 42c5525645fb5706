"""Reviewer side: check a submission offline and produce a Report (formatters separate).

PATH is a submission zip, a build directory (the repo root or its build/), or an
attestation file. Checks, one line each: every envelope parses and has the in-toto
payload type; every signature, and which trusted key made it; the threshold of
distinct trusted keys; every subject's sha256; the record statement bound to the same
subjects, to record.json's digest and to the same commit; the claim checks' Test Result
statement, when there is one, agreeing with record.json (testresult.py); the runs statement,
if any, bound to the attested experiment outputs (runs.py); the source; with --rebuild, a
rebuild from the source archive (experiments run locally; the runs statement plays no part). Reading the bundle itself, within safe bounds, is
bundle.py's job; this module decides what each result means.

Source check (our choice): in a zip, source.tar's git tree id is recomputed from its
entries (blob and tree hashing as git does) and must equal the attested `gitTree`; its
pax header must name the attested `gitCommit`; and every attested input file must be in
it with the attested sha256. The attested tree is that of the archive's content, which
leaves out what `submission.exclude` and export-ignore say (the attestation lists it;
attest/archive.py computes the id with the same code). In a build directory the
attested inputs are compared with the working tree instead.

Rebuild (only when every other check passed against --trusted-keys: it runs the
authors' code): source.tar is extracted to a temporary directory, the bundle's
record.json is put in build/ (git history, which the record is computed from, is not in
the archive), and the experiments, the disclosure (naming the signers the attestation
records) and the PDF are rebuilt there with the attested SOURCE_DATE_EPOCH by this
paperprov, in a child process inside a bubblewrap sandbox (sandbox.py); their digests
must equal the attested ones.

Zip entries that no statement attests are listed as a warning (an error with --strict).
"""

from __future__ import annotations

from pathlib import Path

from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.errors import UsageError, VerifyError
from provenance.evidence.pubkeys import PublicKey
from provenance.paths import ATTESTATION, SOURCE_TAR
from provenance.verify import anonymous
from provenance.verify.anonymous import salted_commit
from provenance.verify.bundle import Bundle, SourceTree, locate, source_tree
from provenance.verify.keys import trusted_keys
from provenance.verify.rebuild import rebuild as rebuild_from_source
from provenance.verify.report import Check, Report
from provenance.verify.reveal import check_anonymous
from provenance.verify.runs import check_runs
from provenance.verify.sandbox import Limits, check_sandbox
from provenance.verify.testresult import check_test_result

INTEGRITY_NOTE = ("trusted keys are the bundle's own keys/*.pub: this proves the files are intact and "
                  "signed by those keys, not who holds them; pass --trusted-keys for authenticity")


# -- the checks ------------------------------------------------------------------------

def _signatures(i: int, env: signing.Envelope, keys: list[PublicKey], threshold: int,
                checks: list[Check], notes: list[str]) -> set[str]:
    data = signing.pae(env.payload_type, env.payload)
    by_id = {k.fingerprint: k for k in keys}
    signed: set[str] = set()
    for keyid, sig in env.signatures:
        key = by_id.get(keyid)
        if key is not None:
            ok = signing.verify_signature(key.line, sig, data)
            checks.append(Check(ok, f"envelope {i}: signature by {key.name} ({keyid}) "
                                    + ("verifies" if ok else "does NOT verify (signature or payload altered)")))
            if ok:
                signed.add(keyid)
            continue
        # DSSE keyids are hints: an unknown one may still be a trusted key's signature.
        match = next((k for k in keys if signing.verify_signature(k.line, sig, data)), None)
        if match is not None:
            checks.append(Check(True, f"envelope {i}: signature by {match.name} ({match.fingerprint}) verifies"))
            signed.add(match.fingerprint)
        else:
            notes.append(f"envelope {i}: a signature by untrusted key {keyid or '(no keyid)'} was not counted")
    checks.append(Check(len(signed) >= threshold,
                        f"envelope {i}: {len(signed)} distinct trusted key(s) signed; threshold {threshold}"))
    return signed


MAX_ERRORS = 10  # unreadable envelope lines reported one by one; a non-attestation file has thousands


def _envelopes(bundle: Bundle, name: str, keys: list[PublicKey], threshold: int, checks: list[Check],
               notes: list[str], signed: list[set[str]]) -> dict[str, manifest.Statement]:
    raw = bundle.read(name, 64 << 20)
    if raw is None:
        raise VerifyError(f"{name}: not found in the bundle; nothing to verify")
    entries = manifest.read_entries(raw.decode("utf-8", "replace"))
    if not entries:
        checks.append(Check(False, f"{name}: holds no envelope"))
    statements: dict[str, manifest.Statement] = {}
    errors = [e for e in entries if e.error]
    if len(errors) > MAX_ERRORS:
        checks.append(Check(False, f"{name}: {len(errors)} of {len(entries)} lines are not readable envelopes "
                                   "(not an attestation?); the first ones follow"))
    for e in entries:
        if e.error and (len(errors) <= MAX_ERRORS or e in errors[:MAX_ERRORS]):
            checks.append(Check(False, e.error))
        if e.envelope is None:
            continue
        st = e.statement
        if st is not None:
            checks.append(Check(True, f"envelope {e.line}: parses; in-toto Statement v1, {st.predicate_type}"))
        signed.append(_signatures(e.line, e.envelope, keys, threshold, checks, notes))
        if st is None:
            continue
        if st.predicate_type in statements:
            checks.append(Check(False, f"envelope {e.line}: a second {st.predicate_type} statement"))
        statements[st.predicate_type] = st
    for ptype in (manifest.SLSA_PREDICATE, manifest.RECORD_PREDICATE):
        if ptype not in statements:
            checks.append(Check(False, f"{name}: no {ptype} statement"))
    return statements


def _subjects(bundle: Bundle, statements: dict[str, manifest.Statement], checks: list[Check]) -> None:
    expected: dict[str, str] = {}
    for st in statements.values():
        for sub, digest in st.subjects.items():
            if expected.setdefault(sub, digest) != digest:
                checks.append(Check(False, f"subject {sub}: the statements disagree on its digest"))
    for sub in sorted(expected):
        actual = bundle.digest(sub)
        if actual is None:
            checks.append(Check(False, f"subject {sub}: missing from the bundle"))
        else:
            same = actual == expected[sub]
            checks.append(Check(same, f"subject {sub}: sha256 " + ("matches" if same else
                                f"differs ({actual[:12]}..., attested {expected[sub][:12]}...): the file was changed")))


def _record(bundle: Bundle, statements: dict[str, manifest.Statement], checks: list[Check]) -> None:
    slsa, rec = statements.get(manifest.SLSA_PREDICATE), statements.get(manifest.RECORD_PREDICATE)
    if slsa is None or rec is None:
        return
    problems = []
    if set(rec.subjects) != set(slsa.subjects) | {manifest.RECORD_NAME}:
        problems.append("its subjects are not the provenance subjects plus " + manifest.RECORD_NAME)
    bound = manifest.dig(rec.predicate, "record", "digest", "sha256")
    if bound is None or bound != rec.subjects.get(manifest.RECORD_NAME) or bound != bundle.digest(manifest.RECORD_NAME):
        problems.append(f"its record digest does not match {manifest.RECORD_NAME}")
    if rec.predicate.get("commit") != (slsa.source().get("gitCommit") or salted_commit(slsa)):
        problems.append("it names another commit than the provenance statement")
    doc = bundle.read_json(manifest.RECORD_NAME)
    if not isinstance(doc, dict) or doc.get("commit") != rec.predicate.get("commit"):
        problems.append(f"{manifest.RECORD_NAME} is not JSON naming the attested commit")
    checks.append(Check(not problems, "record statement: " + ("; ".join(problems) if problems else
                        "bound to the same subjects, to record.json's digest and to the commit")))


def _source_line(tree: str, commit: str, want_tree: str, want_commit: str, excluded: list[str]) -> Check:
    """source.tar against the attested source: each id named on its own side."""
    left_out = f"; leaves out {len(excluded)} attested path(s): {', '.join(excluded[:5])}" if excluded else ""
    if tree == want_tree and commit == want_commit:
        return Check(True, f"{SOURCE_TAR}: git tree {tree[:12]} of commit {commit[:12]} as attested{left_out}")
    problems = []
    if tree != want_tree:
        problems.append(f"its git tree is {tree[:12]}, the attested tree is {want_tree[:12] or '(none)'}")
    if commit != want_commit:
        problems.append(f"it names commit {commit[:12] or '(none)'}, the attested commit is {want_commit[:12] or '(none)'}")
    return Check(False, f"{SOURCE_TAR}: " + "; ".join(problems))


def _source(bundle: Bundle, slsa: manifest.Statement, checks: list[Check]) -> SourceTree | None:
    src, inputs = slsa.source(), {k: v for k, v in slsa.inputs().items() if k != "source"}
    # An unzipped submission is a directory with source.tar: check that, not a working tree.
    if bundle.zf is None and not bundle.has(SOURCE_TAR):
        bad = sorted(n for n, d in inputs.items() if bundle.digest(n) != d)
        checks.append(Check(not bad, f"inputs: {len(inputs) - len(bad)} of {len(inputs)} attested input files match "
                            "the working tree" + (f"; differ or missing: {', '.join(bad[:5])}" if bad else "")))
        return None
    want_tree = src.get("gitTree", "")
    got = source_tree(bundle, "sha256" if len(want_tree) == 64 else "sha1")
    if got is None:
        checks.append(Check(False, f"{SOURCE_TAR}: missing from the bundle"))
        return None
    checks.append(_source_line(got.tree, got.commit, want_tree, src.get("gitCommit", ""), slsa.excluded()))
    bad = sorted(n for n, d in inputs.items() if got.sha256.get(n) != d)
    checks.append(Check(not bad, f"{SOURCE_TAR}: {len(inputs) - len(bad)} of {len(inputs)} attested input files match"
                        + (f"; differ or missing: {', '.join(bad[:5])}" if bad else "")))
    return got


def _disclosed(slsa: manifest.Statement, signed: list[set[str]], checks: list[Check]) -> None:
    """Every signer the appendix names must have signed every envelope with a trusted key."""
    try:
        disclosed = slsa.disclosed_signers()
    except VerifyError as err:
        checks.append(Check(False, str(err)))
        return
    for name, keyid in disclosed:
        missing = [i for i, keys in enumerate(signed, 1) if keyid not in keys]
        checks.append(Check(not missing, f"disclosed signer {name} ({keyid}): " + (
            "signed every envelope" if not missing else
            f"no valid signature by a trusted key in envelope {', '.join(map(str, missing))}; the appendix names "
            f"{name} as a signer: {name} runs `paperprov sign --add`, or the key must be among --trusted-keys")))


def _unattested(bundle: Bundle, statements: dict[str, manifest.Statement], tree: SourceTree | None, strict: bool,
                checks: list[Check], notes: list[str], also: frozenset[str] = frozenset()) -> None:
    """Zip entries no statement vouches for: a warning, an error with --strict. The
    committed keys/*.pub are vouched for by source.tar (same bytes as in its tree)."""
    if bundle.zf is None:
        return  # a build directory holds LaTeX's by-products too
    vouched = {ATTESTATION, SOURCE_TAR} | {n for st in statements.values() for n in st.subjects} | also
    sha = tree.sha256 if tree is not None else {}
    extra = sorted(n for n in bundle.names() if n not in vouched and not (n in sha and bundle.digest(n) == sha[n]))
    if not extra:
        return
    listed = ", ".join(extra[:10]) + (f" and {len(extra) - 10} more" if len(extra) > 10 else "")
    what = f"{len(extra)} bundle entries that no statement attests: {listed}"
    if strict:
        checks.append(Check(False, f"{what} (--strict refuses them)"))
    else:
        notes.append(f"warning: {what}; they were not checked (--strict makes this an error)")


def verify_path(path: Path, trusted: Path | None = None, threshold: int = 1, rebuild: bool | Limits = False,
                strict: bool = False, reveal: Path | None = None, repo: Path | None = None) -> Report:
    """Every check on PATH. VerifyError only for input that cannot be examined at all
    (unreadable or hostile containers); everything else is a failed Check. A rebuild
    (`rebuild`: True or the sandbox's Limits) runs only when every other check passed
    against --trusted-keys. An anonymous bundle is checked against its own one-off key
    (verify/anonymous.py), and --reveal opens it (verify/reveal.py)."""
    if threshold < 1:
        raise UsageError("--threshold must be at least 1")
    limits = Limits() if rebuild is True else rebuild or None
    if limits is not None and limits.sandbox:
        check_sandbox()  # before reading anything: the reviewer learns at once what to install
    bundle, att = locate(path)
    checks: list[Check] = []
    notes: list[str] = []
    try:
        anon = anonymous.anonymous_key(bundle, att)
        keys = [anon] if anon is not None else trusted_keys(trusted, bundle)
        if anon is not None:
            notes.append(anonymous.meaning(anon))
        elif trusted is None:
            notes.append(INTEGRITY_NOTE)
        if not keys:
            checks.append(Check(False, "trusted keys: none found; pass --trusted-keys FILE|DIR"))
        signed: list[set[str]] = []
        # --threshold counts the authors' keys on a reveal file; an anonymous bundle has one key.
        statements = _envelopes(bundle, att, keys, 1 if anon else threshold, checks, notes, signed)
        _subjects(bundle, statements, checks)
        _record(bundle, statements, checks)
        check_test_result(bundle, statements, checks)
        check_runs(statements, checks)
        slsa = statements.get(manifest.SLSA_PREDICATE)
        tree = None
        if slsa is not None:
            _disclosed(slsa, signed, checks)
            tree = anonymous.check_source(bundle, slsa, checks) if anon else _source(bundle, slsa, checks)
        if anon is not None:
            check_anonymous(bundle, att, anon, reveal, trusted, threshold, repo, checks, notes)
        elif reveal is not None:
            raise UsageError("--reveal: this bundle is not an anonymous submission; there is nothing to reveal")
        _unattested(bundle, statements, tree, strict, checks, notes, anonymous.vouched(bundle, anon))
        if limits is not None:
            _maybe_rebuild(bundle, slsa, trusted, limits, checks, notes, anon is not None)
    finally:
        if bundle.zf is not None:
            bundle.zf.close()
    return Report(str(path), tuple(checks), tuple(notes))


def _maybe_rebuild(bundle: Bundle, slsa: manifest.Statement | None, trusted: Path | None, limits: Limits,
                   checks: list[Check], notes: list[str], anonymous: bool = False) -> None:
    failed = sum(1 for c in checks if not c.ok)
    if anonymous and not failed and slsa is not None:
        # Nobody can trust an anonymous key beforehand: a reviewer who asks rebuilds it,
        # in the sandbox, once everything else verified.
        notes.append("rebuild: an anonymous submission's key is nobody's you know; it ran because you asked")
        rebuild_from_source(bundle, slsa, checks, notes, limits)
    elif trusted is None:
        checks.append(Check(False, "rebuild: not run: it runs the authors' code, so only for a bundle signed by keys "
                                   "you trust; pass --trusted-keys"))
    elif failed or slsa is None:
        checks.append(Check(False, f"rebuild: not run: {failed or 'a'} check(s) above failed; a rebuild runs the "
                                   "authors' code only for a bundle that verifies"))
    else:
        rebuild_from_source(bundle, slsa, checks, notes, limits)
