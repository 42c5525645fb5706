"""SOURCE_DATE_EPOCH per output: the time each build step may stamp into what it writes.

An experiment's epoch is the commit time of the last commit, at HEAD, that changed one of
the files it reads (experiment_deps: its command's files, the modules they import, its
declared inputs). It is a function of the commit and of the experiment's own inputs, so
a figure built at an older commit and not rebuilt since carries the same time as a
rebuild at HEAD would give it: committing a section, or a key, leaves every experiment's
epoch (and so its outputs) as they are. The PDF, the record and the disclosure are built
again at every commit and keep HEAD's time (gitrun.source_date_epoch).

The experiment task's up-to-date check includes its epoch, the attestation records each
one (internalParameters.experimentEpochs) and `verify --rebuild` builds with them.
An explicit SOURCE_DATE_EPOCH in the environment wins, as for the PDF. Answers are
cached per HEAD in build/.paperprov/epochs.json, so a no-op `doit` runs no git.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from provenance.config import Config
from provenance.errors import ToolMissing
from provenance.evidence.gitrun import LITERAL, git
from provenance.evidence.gitstate import head_commit
from provenance.fsutil import write_cache
from provenance.paths import ZIP_EPOCH
from provenance.scan.sources import experiment_deps

CACHE = "build/.paperprov/epochs.json"


def last_change(root: Path, files: list[str], head: str) -> int:
    """Commit time of the last commit up to `head` that touched one of `files`;
    ZIP_EPOCH when none did (nothing committed yet) or there is no git."""
    if not files:
        return ZIP_EPOCH
    try:
        out = git(root, LITERAL, "log", "-1", "--format=%ct", head, "--", *files, check=False)
    except ToolMissing:
        return ZIP_EPOCH
    stamp = out.stdout.decode().strip()
    return int(stamp) if out.returncode == 0 and stamp.isdigit() else ZIP_EPOCH


def experiment_epochs(cfg: Config) -> dict[str, int]:
    """Every experiment's SOURCE_DATE_EPOCH at HEAD, by name."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return {e.name: int(env) for e in cfg.experiments}
    head = head_commit(cfg.root)
    if head is None:
        return {e.name: ZIP_EPOCH for e in cfg.experiments}
    path = cfg.root / CACHE
    try:
        store = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        store = {}
    cached = dict(store.get("epochs", {})) if store.get("head") == head else {}
    before = dict(cached)
    out: dict[str, int] = {}
    for e in cfg.experiments:
        files = experiment_deps(cfg, e)
        key = hashlib.sha256("\0".join(files).encode()).hexdigest()
        if not isinstance(cached.get(key), int):
            cached[key] = last_change(cfg.root, files, head)
        out[e.name] = cached[key]
    if cached != before or store.get("head") != head:
        write_cache(path, json.dumps({"head": head, "epochs": cached}, sort_keys=True))
    return out
