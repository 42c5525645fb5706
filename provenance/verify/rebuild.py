"""`verify --rebuild`: rebuild the attested outputs from the bundle's source.tar and
compare digests.

A rebuild runs the authors' code, so checks.py asks for one only when every other check
passed against keys the reviewer trusts (--trusted-keys). The build itself runs in a
child process (provenance.pipeline.rebuild), never in the verify process, inside the
sandbox and limits of sandbox.py (or, with --no-sandbox, under the limits only).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from provenance.attest import statements as manifest
from provenance.errors import VerifyError
from provenance.paths import SOURCE_TAR, ZIP_EPOCH
from provenance.verify.anonymous import rebuild_env
from provenance.verify.bundle import Bundle, extract_source
from provenance.verify.report import Check
from provenance.verify.sandbox import Limits, environment, run


def _epochs(slsa: manifest.Statement) -> list[tuple[str, int]]:
    """The attested experimentEpochs; malformed entries (hostile input) are left out."""
    value = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters", "experimentEpochs")
    if not isinstance(value, dict):
        return []
    return sorted((k, v) for k, v in value.items() if isinstance(k, str) and "=" not in k and
                  isinstance(v, int) and not isinstance(v, bool) and v >= 0)


def rebuild(bundle: Bundle, slsa: manifest.Statement, checks: list[Check], notes: list[str],
            limits: Limits = Limits()) -> None:
    if bundle.zf is None and not bundle.has(SOURCE_TAR):
        checks.append(Check(False, "rebuild: needs a submission zip (it rebuilds from its source.tar)"))
        return
    epoch = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters", "sourceDateEpoch")
    epoch = epoch if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0 else ZIP_EPOCH
    try:
        signers = slsa.disclosed_signers()
    except VerifyError as err:
        checks.append(Check(False, f"rebuild: {err}"))
        return
    with tempfile.TemporaryDirectory(prefix="paperprov-rebuild-", ignore_cleanup_errors=True) as tmp:
        writable = Path(tmp)
        src = writable / "src"
        src.mkdir()
        problem = extract_source(bundle, str(src))
        if problem is not None:
            checks.append(Check(False, f"rebuild: {problem}"))
            return
        # git history, which the record is computed from, is not in the archive
        (src / "build").mkdir(exist_ok=True)
        (src / manifest.RECORD_NAME).write_bytes(bundle.read(manifest.RECORD_NAME) or b"")
        argv = [sys.executable, "-I", "-m", "provenance.pipeline.rebuild", str(src)]
        argv += [f"--signer={name}={keyid}" for name, keyid in signers]
        # Each experiment's own SOURCE_DATE_EPOCH, as attested (evidence/epochs.py); an
        # anonymous build's mode (the signers it names are in argv, as for any build).
        argv += [f"--epoch={name}={value}" for name, value in _epochs(slsa)]
        env = environment(writable, {"SOURCE_DATE_EPOCH": str(epoch), **rebuild_env(slsa)})
        code, tail = run(argv, writable, src, env, limits)
        if code is None:
            checks.append(Check(False, f"rebuild: did not finish within {limits.timeout_minutes:g} minutes "
                                       "(--rebuild-timeout); stopped it"))
            return
        if code != 0:
            checks.append(Check(False, f"rebuild: failed ({tail})"))
            return
        how = "in a bubblewrap sandbox" if limits.sandbox else "WITHOUT a sandbox (--no-sandbox)"
        notes.append(f"rebuild: ran the authors' build {how}; {manifest.RECORD_NAME} was taken from the bundle "
                     "(the git history it is computed from is not in source.tar); its digest is checked above")
        rebuilt = Bundle(root=src)
        for sub, digest in sorted(slsa.subjects.items()):
            same = rebuilt.digest(sub) == digest
            checks.append(Check(same, f"rebuild: {sub} " + ("is byte-identical" if same else "differs from the attested build")))
