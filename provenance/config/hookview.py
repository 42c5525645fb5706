"""What the commit hooks read of provenance.yaml: `paper.main` and `lint.require_label`
(lint), `policy.declare_paths` (policy), `signing.key` (no-private-keys).

The hooks run on every commit, and building the whole Config for four values would cost
each of them the schema's frozen dataclasses, PyYAML or the parse's digest (20-30 ms, more
than a hook's own work). So a hook that validates provenance.yaml in full (validate.py:
the checks and errors of every other command) keeps these values with the text it
validated in build/.paperprov/hooks.json, and the next hooks read them from there while
the text, paperprov's version and the checkout's path are the same. Any other text (an
edit, a malformed file) is validated in full again, and gets exactly the error `load`
gives. Not looked at again while the text is unchanged: the files it names (a script
deleted since is the build's to report, not the next commit's). Kept only where build/
exists, as the parse is (parsed.py); a damaged file is simply not used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from provenance import __version__
from provenance.config.reader import read_bounded
from provenance.fsutil import write_cache
from provenance.paths import CONFIG_NAME, HOOK_SETTINGS


class HookSettings(NamedTuple):
    main: str  # paper.main
    require_label: tuple[str, ...]  # lint.require_label
    declare_paths: tuple[str, ...]  # policy.declare_paths
    signing_key: str | None  # signing.key


def hook_settings(root: Path) -> HookSettings | None:
    """The values in `root`'s provenance.yaml, None without one; a malformed one raises
    the ConfigError `load` raises."""
    root = Path(root).resolve()
    if not (root / CONFIG_NAME).is_file():
        return None
    text = read_bounded(root / CONFIG_NAME)
    stamp = {"version": __version__, "root": str(root), "text": text}
    kept = _kept(root / HOOK_SETTINGS, stamp)
    if kept is not None:
        return kept
    from provenance.config.validate import parse  # the full check: every section, the schema

    cfg = parse(text, root)
    settings = HookSettings(cfg.paper.main, cfg.lint.require_label, cfg.policy.declare_paths, cfg.signing.key)
    if (root / HOOK_SETTINGS).parent.parent.is_dir():  # build/ exists (a hook never creates it)
        write_cache(root / HOOK_SETTINGS, json.dumps({**stamp, "values": settings._asdict()}))
    return settings


def _kept(path: Path, stamp: dict[str, str]) -> HookSettings | None:
    """The values kept in `path` for this stamp, or None when it holds no such thing."""
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or any(kept.get(k) != v for k, v in stamp.items()):
        return None
    values: Any = kept.get("values")
    if not isinstance(values, dict) or set(values) != set(HookSettings._fields):
        return None
    main, labels, paths, key = (values[f] for f in HookSettings._fields)
    if not isinstance(main, str) or not (key is None or isinstance(key, str)):
        return None
    if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in (labels, paths)):
        return None
    return HookSettings(main, tuple(labels), tuple(paths), key)
