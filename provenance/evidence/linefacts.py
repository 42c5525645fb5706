"""Line-level facts from other tools: "lines A-B of PATH, as committed in C, were written
by this AI agent (or by this known human)". git-ai notes (gitai.py) and Agent Trace
records (agenttrace.py) both become LineFacts keyed by the commit their line numbers
refer to; record/lines.py carries them to HEAD through blame, as it does `paperprov tag`
ranges.

Where facts overlap on a line, an AI fact wins over a human one (a disclosure must not
under-report AI), then the source and agent in sorted order, so the result does not
depend on the order notes were read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from provenance.model import Agent

SOURCES = ("git-ai", "agent-trace")


@dataclass(frozen=True)
class LineFact:
    path: str  # repository-relative POSIX path, as in the commit
    start: int  # 1-based, inclusive
    end: int
    origin: str  # "ai" | "human"
    source: str  # "git-ai" | "agent-trace"
    agent: Agent | None = None  # who, for AI lines
    human: str = ""  # who, for a known human ("Name <email>"), when the source says

    @property
    def label(self) -> str:
        """What the record's evidence says of it: `tool:model`, or the known human."""
        if self.origin == "ai":
            return str(self.agent or Agent("unknown"))
        return f"known human {self.human}".rstrip() if self.human else "known human"


def _rank(f: LineFact) -> tuple[int, str, str, str]:
    return (0 if f.origin == "ai" else 1, f.source, f.label, f"{f.start:09d}")


def covering(facts: Iterable[LineFact], path: str, lo: int, hi: int) -> list[tuple[int, int, LineFact]]:
    """The parts of lo..hi that facts about `path` cover, as disjoint (a, b, fact) in
    line order, each with the fact that wins there."""
    mine = sorted((f for f in facts if f.path == path and f.start <= hi and f.end >= lo), key=_rank)
    if not mine:
        return []
    cuts = sorted({max(lo, f.start) for f in mine} | {min(hi, f.end) + 1 for f in mine})
    out: list[tuple[int, int, LineFact]] = []
    for a, nxt in zip(cuts, cuts[1:], strict=False):
        b = nxt - 1
        best = next((f for f in mine if f.start <= a and f.end >= b), None)
        if best is None:
            continue
        if out and out[-1][1] + 1 == a and out[-1][2] == best:
            out[-1] = (out[-1][0], b, best)
        else:
            out.append((a, b, best))
    return out


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """`1-4,9,12-14` -> [(1, 4), (9, 9), (12, 14)]; ValueError for anything else."""
    out = []
    for part in text.split(","):
        a, sep, b = part.partition("-")
        if not a.isascii() or not a.isdigit() or (sep and not (b.isascii() and b.isdigit())):
            raise ValueError(f"bad line range {part!r}")
        start, end = int(a), int(b) if sep else int(a)
        if start < 1 or end < start:
            raise ValueError(f"bad line range {part!r}")
        out.append((start, end))
    return out


def by_commit(pairs: Sequence[tuple[str, LineFact]]) -> dict[str, tuple[LineFact, ...]]:
    out: dict[str, list[LineFact]] = {}
    for commit, fact in pairs:
        out.setdefault(commit, []).append(fact)
    return {c: tuple(dict.fromkeys(fs)) for c, fs in out.items()}
