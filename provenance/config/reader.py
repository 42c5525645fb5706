"""Reading the parsed YAML with the key path at hand, so every error can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provenance.config.schema import CONFIG_NAME
from provenance.errors import ConfigError


class Reader:
    """Walks the parsed YAML with the key path at hand, so every error can name it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def fail(self, key: str, msg: str) -> ConfigError:
        return ConfigError(f"{CONFIG_NAME}: {key}: {msg}")

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        for k in value:
            if k not in allowed:
                raise self.fail(f"{key}.{k}" if key else str(k), f"unknown key; expected one of {', '.join(allowed)}")
        return value

    def typed(self, value: Any, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if value is None:
            return default
        if kind in (int, float) and isinstance(value, bool):
            raise self.fail(key, f"expected a number, got {value!r}")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(key, f"expected {names}, got {type(value).__name__} {value!r}")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return tuple(value)

    def existing(self, rel: str, key: str) -> str:
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise self.fail(key, f"{rel!r} must be a path inside the repository, relative to it")
        if (self.root / rel).is_dir():
            raise self.fail(key, f"{rel} is a directory; give file paths (list several files one by one)")
        if not (self.root / rel).is_file():
            if any(c in rel for c in "*?["):
                raise self.fail(key, f"{rel!r}: patterns are not expanded; list the files one by one")
            raise self.fail(key, f"file {rel} does not exist; fix the path or create the file")
        return Path(rel).as_posix()
