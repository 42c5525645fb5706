"""The reviewer's page's source listings: each file's lines, shaded by who wrote them, with
the units' boundaries marked.

Line origins come from the record's line runs (`files`: per file, runs of lines with
one origin, ai, human, untagged, unknown or uncommitted, and the agent of ai lines).
A record without runs for a file falls back to the units: a line takes the origin of
the innermost unit that covers it. The record may come from a reviewer's bundle, so
runs that make no sense are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from provenance.model import LineRun

LINE_ORIGINS = ("ai", "human", "untagged", "unknown", "uncommitted", "mixed")
MAX_LINES = 100_000


@dataclass(frozen=True)
class Boundary:
    unit: int  # index of the unit on the page
    label: str  # what the marker says, e.g. "Lemma lem:monotone"
    origin: str


@dataclass(frozen=True)
class Line:
    text: str
    shade: str  # one of LINE_ORIGINS, or "" (no claim)
    agent: str  # "tool:model" for ai lines when known
    starts: tuple[Boundary, ...] = ()  # units whose first line this is
    ends: int = 0  # how many units end on this line


@dataclass(frozen=True)
class SourceFile:
    index: int
    path: str
    lines: tuple[Line, ...]
    note: str  # why the text is missing, or which origin data shaded it
    line_level: bool  # shaded from per-line origins (the record's `files`), not from units


@dataclass(frozen=True)
class Span:
    """What the listing needs to know of a unit."""

    unit: int
    file: str
    start: int
    end: int
    label: str
    origin: str


def runs_of(files: Mapping[str, Sequence[LineRun]]) -> dict[str, list[tuple[int, int, str, str]]]:
    """The record's line runs as (start, end, origin, agent), keeping only well-formed ones."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for path, runs in files.items():
        out[path] = [(r.start, min(r.end, MAX_LINES), r.origin, r.agent or "") for r in runs
                     if 1 <= r.start <= r.end and r.origin in LINE_ORIGINS]
    return out


def _shades(n: int, spans: Sequence[Span], runs: list[tuple[int, int, str, str]] | None) -> list[tuple[str, str]]:
    shades = [("", "")] * (n + 1)
    if runs is not None:
        for start, end, origin, agent in runs:
            for i in range(start, min(end, n) + 1):
                shades[i] = (origin, agent if origin == "ai" else "")
        return shades
    # innermost unit wins: paint the widest first
    for sp in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.unit)):
        for i in range(max(sp.start, 1), min(sp.end, n) + 1):
            shades[i] = (sp.origin, "")
    return shades


def listing(index: int, path: str, text: str | None, spans: Sequence[Span],
            runs: list[tuple[int, int, str, str]] | None, missing: str = "") -> SourceFile:
    """One file's listing. `text` None: not available (`missing` says why)."""
    if text is None:
        return SourceFile(index, path, (), missing or "not available", False)
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    raw_lines = raw_lines[:MAX_LINES]
    n = len(raw_lines)
    shades = _shades(n, spans, runs)
    starts: dict[int, list[Boundary]] = {}
    ends: dict[int, int] = {}
    for sp in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), s.unit)):
        first = min(max(sp.start, 1), max(n, 1))
        starts.setdefault(first, []).append(Boundary(sp.unit, sp.label, sp.origin))
        last = min(max(sp.end, first), max(n, 1))
        ends[last] = ends.get(last, 0) + 1
    lines = tuple(Line(t.rstrip("\r"), shades[i][0], shades[i][1], tuple(starts.get(i, ())), ends.get(i, 0))
                  for i, t in enumerate(raw_lines, 1))
    note = "lines shaded by their own origin" if runs is not None else "lines shaded by the origin of their unit"
    return SourceFile(index, path, lines, note, runs is not None)
