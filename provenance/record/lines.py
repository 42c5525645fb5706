"""Each current line of a file classified by where it came from, from git blame.

A line is `uncommitted` (not committed yet), `unknown` (blamed on a shallow clone's
boundary commit, whose lines may be older than the clone), `ai` (a `paperprov tag` note
covers the line's original path and line in that commit, or the commit carries AI
evidence), `human` (the commit says `Assisted-by: none`), else `untagged`: a commit
with no evidence either way. Untagged lines stay untagged in the record whatever
`attribution.untagged` says; that setting only decides how attribute.py measures them.
The classifier is built once per record and answers for a unit's ranges or a whole file.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice

from provenance.evidence.blame import BlameSpan
from provenance.evidence.collect import GitEvidence
from provenance.model import Agent, LineRun

LINE_ORIGINS = ("ai", "human", "untagged", "unknown", "uncommitted")


class Lines:
    """Per-line classification of one range, with the commits behind the AI lines."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(LINE_ORIGINS, 0)
        self.ai_commits: Counter[str] = Counter()  # commit -> AI lines
        self.note_agents: dict[str, set[Agent]] = {}  # commit -> agents from notes
        self.declared_human = 0  # lines from commits that say `Assisted-by: none`
        self.untagged_commits: set[str] = set()  # commits behind the untagged lines

    @property
    def committed(self) -> int:
        return self.counts["ai"] + self.counts["human"] + self.counts["untagged"] + self.counts["unknown"]

    def add(self, other: Lines) -> None:
        for k, v in other.counts.items():
            self.counts[k] += v
        self.ai_commits.update(other.ai_commits)
        for sha, agents in other.note_agents.items():
            self.note_agents.setdefault(sha, set()).update(agents)
        self.declared_human += other.declared_human
        self.untagged_commits |= other.untagged_commits


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, end = 0, 0
    for lo, hi in sorted(intervals):
        lo = max(lo, end + 1)
        if hi >= lo:
            total += hi - lo + 1
            end = hi
    return total


class LineClassifier:
    def __init__(self, ev: GitEvidence) -> None:
        self.ev = ev
        self.classes: dict[str, str] = {}  # commit -> origin of its lines (before notes)
        for sha, info in ev.commits.items():
            self.classes[sha] = "ai" if info.is_ai else "human" if info.declared_none else "untagged"
        for sha in ev.boundary:
            self.classes[sha] = "unknown"  # a shallow clone's graft: its lines may be far older

    def slices(self, spans: Sequence[BlameSpan], lo: int, hi: int) -> Iterator[tuple[BlameSpan, int, int]]:
        """The parts of the (sorted, disjoint) spans inside lo..hi."""
        first = max(bisect_right(spans, lo, key=lambda s: s.start) - 1, 0)
        for s in islice(spans, first, None):
            if s.start > hi:
                break
            a, b = max(lo, s.start), min(hi, s.start + s.length - 1)
            if a <= b:
                yield s, a, b

    def tagged(self, s: BlameSpan, a: int, b: int) -> tuple[list[tuple[int, int]], set[Agent]]:
        """Lines a..b of span s that a `paperprov tag` note covers (as original line
        ranges of that commit), and the agents the tags name."""
        hits: list[tuple[int, int]] = []
        agents: set[Agent] = set()
        o_lo = s.orig_start + (a - s.start)
        o_hi = o_lo + (b - a)
        for tag in self.ev.notes.get(s.commit or "", ()):
            if tag.path == s.orig_path and tag.start <= o_hi and tag.end >= o_lo:
                hits.append((max(o_lo, tag.start), min(o_hi, tag.end)))
                agents.add(tag.agent)
        return hits, agents

    def range(self, file: str, lo: int, hi: int) -> Lines:
        out = Lines()
        counts = out.counts
        for s, a, b in self.slices(self.ev.blame.get(file, ()), lo, hi):
            n = b - a + 1
            sha = s.commit
            if sha is None:
                counts["uncommitted"] += n
                continue
            origin = self.classes.get(sha, "untagged")
            tagged = 0
            if sha in self.ev.notes:
                hits, agents = self.tagged(s, a, b)
                if agents:
                    out.note_agents.setdefault(sha, set()).update(agents)
                tagged = 0 if origin == "ai" else _union_length(hits)
            if origin == "ai":
                out.ai_commits[sha] += n
            elif tagged:
                counts["ai"] += tagged
                out.ai_commits[sha] += tagged
                n -= tagged
            counts[origin] += n
            if origin == "human" and sha in self.ev.commits and self.ev.commits[sha].declared_none:
                out.declared_human += n
            elif origin == "untagged" and n:
                out.untagged_commits.add(sha)
        return out

    def untagged_commits(self, spans: Sequence[tuple[str, int, int]]) -> set[str]:
        """The commits with no evidence either way behind some line of `spans`."""
        out: set[str] = set()
        for file, lo, hi in spans:
            for s, _, _ in self.slices(self.ev.blame.get(file, ()), lo, hi):
                if s.commit is not None and s.commit not in out and self.classes.get(s.commit, "untagged") == "untagged":
                    out.add(s.commit)
        return out

    def spans(self, spans: Sequence[tuple[str, int, int]]) -> Lines:
        """The lines of every (file, first, last) range, e.g. a unit's `spans`."""
        out = Lines()
        for file, lo, hi in spans:
            out.add(self.range(file, lo, hi))
        return out


def file_runs(c: LineClassifier, file: str, n_lines: int) -> tuple[LineRun, ...]:
    """The whole file as runs of lines with one origin (and, for AI lines, agent)."""
    out: list[LineRun] = []

    def add(a: int, b: int, origin: str, agent: str | None) -> None:
        if out and out[-1].end + 1 == a and (out[-1].origin, out[-1].agent) == (origin, agent):
            out[-1] = LineRun(out[-1].start, b, origin, agent)
        else:
            out.append(LineRun(a, b, origin, agent))

    for s, a, b in c.slices(c.ev.blame.get(file, ()), 1, n_lines):
        origin = "uncommitted" if s.commit is None else c.classes.get(s.commit, "untagged")
        info = c.ev.commits.get(s.commit or "")
        agent = str(info.agents[0]) if origin == "ai" and info is not None and info.agents else None
        if origin != "ai" and s.commit in c.ev.notes:
            for line in range(a, b + 1):  # rare: tagged commits, line by line
                _, agents = c.tagged(s, line, line)
                tag = min((str(g) for g in agents), default=None)
                add(line, line, "ai" if tag else origin, tag)
        else:
            add(a, b, origin, agent)
    return tuple(out)
