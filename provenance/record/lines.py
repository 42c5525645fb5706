"""Each current line of a file classified by where it came from, from git blame.

A line is `uncommitted` (not committed yet), `unknown` (blamed on a shallow clone's
boundary commit, whose lines may be older than the clone), `ai` (a `paperprov tag` note
covers the line's original path and line in that commit, or the commit carries AI
evidence), `human` (the commit says `Assisted-by: none`), else `untagged`: a commit
with no evidence either way. Untagged lines stay untagged in the record whatever
`attribution.untagged` says; that setting only decides how attribute.py measures them.
The classifier is built once per record and answers for a unit's ranges or a whole file.

Line-level evidence from other tools (git-ai notes, Agent Trace records: `line_facts`)
is placed the same way: a current line whose blame commit is C and original line L is
covered when a fact about C (or, for an Agent Trace record, about its `vcs.revision`)
covers L on that path. Precedence for a covered line: the fact decides it, whatever the
commit's trailers say (an AI fact makes it `ai` with the fact's agent; a known human's
range makes it `human`, counted with `Assisted-by: none` lines as positive evidence of
human work). Lines no fact covers keep the commit's class and `paperprov tag` ranges.
Declarations in the source still win over all of this, per unit (attribute.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice

from provenance.evidence.blame import BlameSpan
from provenance.evidence.collect import GitEvidence
from provenance.evidence.linefacts import LineFact, covering
from provenance.model import Agent, LineRun

LINE_ORIGINS = ("ai", "human", "untagged", "unknown", "uncommitted")


class Lines:
    """Per-line classification of one range, with the commits behind the AI lines."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(LINE_ORIGINS, 0)
        self.ai_commits: Counter[str] = Counter()  # commit -> AI lines
        self.note_agents: dict[str, set[Agent]] = {}  # commit -> agents from notes
        self.declared_human = 0  # lines from commits that say `Assisted-by: none`, or known humans'
        self.untagged_commits: set[str] = set()  # commits behind the untagged lines
        self.facts: Counter[tuple[str, str, str]] = Counter()  # (commit, source, who) -> lines
        self.fact_agents: set[Agent] = set()  # agents that git-ai / Agent Trace name

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
        self.facts.update(other.facts)
        self.fact_agents |= other.fact_agents


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, end = 0, 0
    for lo, hi in sorted(intervals):
        lo = max(lo, end + 1)
        if hi >= lo:
            total += hi - lo + 1
            end = hi
    return total


def split(ev: GitEvidence,
          parts: Iterator[tuple[BlameSpan, int, int]]) -> Iterator[tuple[BlameSpan, int, int, LineFact | None]]:
    """Each part, cut where line-level facts about its commit start and end: the
    covered pieces with the fact that decides them, the rest with None."""
    for s, a, b in parts:
        facts = ev.line_facts.get(s.commit or "") if ev.line_facts else None
        if not facts:
            yield s, a, b, None
            continue
        shift = s.start - s.orig_start
        at = a
        for fa, fb, fact in covering(facts, s.orig_path, a - shift, b - shift):
            if fa + shift > at:
                yield s, at, fa + shift - 1, None
            yield s, fa + shift, fb + shift, fact
            at = fb + shift + 1
        if at <= b:
            yield s, at, b, None


def count_fact(out: Lines, sha: str, fact: LineFact, n: int) -> None:
    out.facts[(sha, fact.source, fact.label)] += n
    if fact.origin == "ai":
        out.counts["ai"] += n  # not in ai_commits: the commit's own evidence did not decide these
        out.fact_agents.add(fact.agent or Agent("unknown"))
    else:
        out.counts["human"] += n
        out.declared_human += n


class _Classes:
    """Commit -> the origin of its lines before notes, worked out when first asked for: an
    edit's record classifies the commits behind the lines it attributes again, not a
    history's every commit (evidence/blamecache.Commits decodes them as lazily)."""

    def __init__(self, ev: GitEvidence) -> None:
        self.commits = ev.commits
        # A shallow clone's graft: its lines may be far older than it says.
        self._known: dict[str, str] = {sha: "unknown" for sha in ev.boundary}

    def get(self, sha: str, default: str = "untagged") -> str:
        found = self._known.get(sha)
        if found is None:
            info = self.commits.get(sha)
            found = default if info is None else "ai" if info.is_ai else "human" if info.declared_none else "untagged"
            if info is not None:
                self._known[sha] = found
        return found


class LineClassifier:
    def __init__(self, ev: GitEvidence) -> None:
        self.ev = ev
        self.classes = _Classes(ev)  # commit -> origin of its lines (before notes)

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
        for s, a, b, fact in split(self.ev, self.slices(self.ev.blame.get(file, ()), lo, hi)):
            n = b - a + 1
            sha = s.commit
            if sha is None:
                counts["uncommitted"] += n
                continue
            if fact is not None:
                count_fact(out, sha, fact, n)
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

    def spans(self, spans: Sequence[tuple[str, int, int]]) -> Lines:
        """The lines of every (file, first, last) range, e.g. a unit's `spans`."""
        if len(spans) == 1:  # most units
            return self.range(*spans[0])
        out = Lines()
        for file, lo, hi in spans:
            out.add(self.range(file, lo, hi))
        return out


def untagged_commits(c: LineClassifier, spans: Sequence[tuple[str, int, int]]) -> set[str]:
    """The commits with no evidence either way behind some line of `spans`."""
    out: set[str] = set()
    for file, lo, hi in spans:
        for s, _, _, fact in split(c.ev, c.slices(c.ev.blame.get(file, ()), lo, hi)):
            if fact is None and s.commit is not None and s.commit not in out and \
                    c.classes.get(s.commit, "untagged") == "untagged":
                out.add(s.commit)
    return out


def file_runs(c: LineClassifier, file: str, n_lines: int) -> tuple[LineRun, ...]:
    """The whole file as runs of lines with one origin (and, for AI lines, agent)."""
    out: list[LineRun] = []

    def add(a: int, b: int, origin: str, agent: str | None) -> None:
        if out and out[-1].end + 1 == a and (out[-1].origin, out[-1].agent) == (origin, agent):
            out[-1] = LineRun(out[-1].start, b, origin, agent)
        else:
            out.append(LineRun(a, b, origin, agent))

    for s, a, b, fact in split(c.ev, c.slices(c.ev.blame.get(file, ()), 1, n_lines)):
        if fact is not None and s.commit is not None:
            add(a, b, fact.origin, str(fact.agent or Agent("unknown")) if fact.origin == "ai" else None)
            continue
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
