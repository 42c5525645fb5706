"""`verify --rebuild`: rebuild the attested outputs from the bundle's source.tar and
compare digests. The rebuild itself runs in a child process (provenance.pipeline.rebuild),
so the reviewer's verify process never imports or runs the authors' build in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from provenance.attest import statements as manifest
from provenance.paths import SOURCE_TAR, ZIP_EPOCH
from provenance.verify.bundle import Bundle, extract_source
from provenance.verify.report import Check


def rebuild(bundle: Bundle, slsa: manifest.Statement, checks: list[Check], notes: list[str]) -> None:
    if bundle.zf is None and not bundle.has(SOURCE_TAR):
        checks.append(Check(False, "rebuild: needs a submission zip (it rebuilds from its source.tar)"))
        return
    epoch = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters", "sourceDateEpoch")
    # Each experiment's own epoch (evidence/epochs.py); the child checks their types.
    epochs = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters", "experimentEpochs")
    with tempfile.TemporaryDirectory(prefix="paperprov-rebuild-") as tmp:
        problem = extract_source(bundle, tmp)
        if problem is not None:
            checks.append(Check(False, f"rebuild: {problem}"))
            return
        # A one-commit repository of exactly the attested tree, for stages that read
        # HEAD (e.g. the committed keys/*.pub the disclosure names).
        gitenv = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="paperprov verify",
                      GIT_AUTHOR_EMAIL="verify@paperprov.invalid", GIT_COMMITTER_NAME="paperprov verify",
                      GIT_COMMITTER_EMAIL="verify@paperprov.invalid")
        for cmd in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify",
                                                      "-m", "rebuild"]):
            subprocess.run(["git", *cmd], cwd=tmp, env=gitenv, capture_output=True, check=False)
        record = bundle.read(manifest.RECORD_NAME) or b""
        os.makedirs(os.path.join(tmp, "build"), exist_ok=True)
        Path(tmp, manifest.RECORD_NAME).write_bytes(record)
        epoch = epoch if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0 else ZIP_EPOCH
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
        try:
            proc = subprocess.run([sys.executable, "-m", "provenance.pipeline.rebuild", tmp,
                                   json.dumps(epochs if isinstance(epochs, dict) else {})],
                                  cwd=tmp, env=env, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            checks.append(Check(False, "rebuild: did not finish within 30 minutes"))
            return
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            checks.append(Check(False, f"rebuild: failed ({tail})"))
            return
        notes.append(f"rebuild: {manifest.RECORD_NAME} was taken from the bundle (the git history it is "
                     "computed from is not in source.tar); its digest is checked above")
        rebuilt = Bundle(root=Path(tmp))
        for sub, digest in sorted(slsa.subjects.items()):
            same = rebuilt.digest(sub) == digest
            checks.append(Check(same, f"rebuild: {sub} " + ("is byte-identical" if same else "differs from the attested build")))
