"""The record's smallest value types, apart from model.py (which re-exports them): who
wrote something (`Agent`), one fact and where it came from (`Evidence`), and canonical
JSON. The commit hooks that tag commits need only these, and a hook process that
imported model.py would pay for its other dataclasses (1-2 ms each) before any work."""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING, as mypy reads it, without importing typing (~5 ms a hook)
if TYPE_CHECKING:
    from typing import Any

@dataclass(frozen=True)
class Agent:
    tool: str
    model: str = "unknown"

    def __str__(self) -> str:
        return f"{self.tool}:{self.model}"


@dataclass(frozen=True)
class Evidence:
    """One fact and where it came from: a marker or sidecar (file, line), or a commit."""

    source: str
    detail: str
    file: str | None = None
    line: int | None = None
    commit: str | None = None


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: same value, same bytes."""
    import json  # here: the commit hooks import this module and never need it

    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
