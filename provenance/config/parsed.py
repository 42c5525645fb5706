"""provenance.yaml's parsed YAML remembered in build/.paperprov/config.json, by the digest
of its text, so the processes that only read it (a no-op `doit build`, every commit
hook, `status`) need not import PyYAML (12-20 ms) nor parse it again.

Kept only where the build directory exists (a hook never creates build/), and only when
JSON gives back exactly what YAML gave (mappings with string keys, lists, strings, numbers,
booleans, null; a date, a number as a key or a NaN is simply never remembered). What is
remembered passed parse_yaml's bounds when it was written; the validation after it (validate.py)
runs every time (the commit hooks keep the few values they read of a validated text apart,
hookview.py). A damaged or unreadable file is simply not used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance.config.reader import parse_yaml
from provenance.fsutil import write_text_atomic
from provenance.paths import CONFIG_PARSED


def parse_remembered(text: str, root: Path) -> Any:
    """parse_yaml(text), answered from `root`/build/.paperprov/config.json when it holds it."""
    path = root / CONFIG_PARSED
    key = f"{__version__} {hashlib.sha256(text.encode()).hexdigest()}"
    try:
        kept = json.loads(path.read_bytes())
        if isinstance(kept, dict) and kept.get("key") == key and "data" in kept:
            return kept["data"]
    except (OSError, ValueError):
        pass
    data = parse_yaml(text)
    if path.parent.parent.is_dir():  # build/ exists: remember it
        try:
            encoded = json.dumps({"key": key, "data": data}, allow_nan=False)
            if json.loads(encoded)["data"] == data:
                write_text_atomic(path, encoded, durable=False)
        except (TypeError, ValueError, OSError):
            pass  # not exactly JSON, or a read-only tree: parsed again next time
    return data
