"""The work behind `paperprov hook no-private-keys`: staged files -> one line per private
key about to be committed (what a key looks like: keyscan.py). It imports the
configuration only when the repository has a provenance.yaml that may name signing.key."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from provenance.errors import ConfigError
from provenance.hooks.keyscan import private_keys_in
from provenance.paths import CONFIG_NAME


def private_keys(root: Path, files: Sequence[str]) -> list[str]:
    """`file:line: ...` for every private key about to be committed."""
    configured: Path | None = None
    try:
        from provenance.config.hookview import hook_settings

        settings = hook_settings(root)
    except ConfigError:
        settings = None  # a broken provenance.yaml is the policy hook's business; still scan the files
    if settings is not None and settings.signing_key:
        key = Path(os.path.expanduser(settings.signing_key))
        configured = (key if key.is_absolute() else root / key).resolve()
    problems = []
    for name in files:
        path = root / name
        if configured is not None and path.resolve() == configured:
            problems.append(f"{name}: this is signing.key in {CONFIG_NAME}, a private key; "
                            f"unstage it (git rm --cached {name}) and keep it outside the repository")
            continue
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                continue  # git commits a symlink as its target's name, never what it points to
            data = path.read_bytes()
        except (IsADirectoryError, FileNotFoundError):
            continue
        for line, kind in private_keys_in(data):
            problems.append(f"{name}:{line}: {kind}; unstage the file (git rm --cached {name}), "
                            "remove the key and keep private keys outside the repository")
    return problems
