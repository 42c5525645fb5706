"""What each statement rests on: the `uses` graph between statements, closed transitively.

Nodes are statements. A proof belongs to its statement (`unit.parent`): the labels its
proof uses are the statement's dependencies, and an AI-drafted proof or a failing check
linked to the proof counts against the statement. Uses that point at sections,
equations or figures are not dependencies here: a result rests on other results.
A reference from a proof to its own statement ("Proof of Lemma 2") is not a cycle.

Pure functions of the record's Attributions; order is document (record) order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from provenance.model import Attribution

AI_ORIGINS = ("ai", "mixed")
MAX_CYCLES = 100  # elementary cycles can be exponentially many; a paper needs a few


@dataclass(frozen=True)
class BadCheck:
    unit: str  # the statement whose check it is
    nodeid: str
    outcome: str  # failed | error | missing | not-run


@dataclass(frozen=True)
class Rests:
    """For one statement: every statement it depends on (not itself), and among those
    and itself, the AI-drafted ones without a current review, the checks not passed, and
    (once any statement links a formal proof) the statements with a proof that no proof
    assistant has checked."""

    rests_on: tuple[str, ...] = ()
    unreviewed_ai: tuple[str, ...] = ()
    bad_checks: tuple[BadCheck, ...] = ()
    not_formally_proved: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rests_on": list(self.rests_on),
            "unreviewed_ai": list(self.unreviewed_ai),
            "bad_checks": [{"unit": c.unit, "nodeid": c.nodeid, "outcome": c.outcome} for c in self.bad_checks],
            "not_formally_proved": list(self.not_formally_proved),
        }

    @property
    def clean(self) -> bool:
        return not self.unreviewed_ai and not self.bad_checks


@dataclass(frozen=True)
class _Graph:
    order: dict[str, int]  # statement id -> document position
    members: dict[str, list[Attribution]]  # statement id -> the statement, then its proofs
    edges: dict[str, list[str]]  # statement id -> statements it uses, document order


def _current(a: Attribution) -> bool:
    return any(not r.stale for r in a.reviewed_by)


def _build(units: Sequence[Attribution]) -> _Graph:
    ids = {a.unit.id: a for a in units}
    by_label = {a.unit.label: a.unit.id for a in units if a.unit.label}
    by_label.update({i: i for i in ids})
    statements = [a for a in units if a.unit.kind == "statement"]
    order = {a.unit.id: i for i, a in enumerate(statements)}
    members: dict[str, list[Attribution]] = {s: [ids[s]] for s in order}
    for a in units:
        if a.unit.kind == "proof" and a.unit.parent in order:
            members[a.unit.parent].append(a)
    edges: dict[str, list[str]] = {}
    for s, group in members.items():
        targets = {by_label.get(lb) for m in group for lb in m.unit.uses}
        edges[s] = sorted((t for t in targets if t in order and t != s), key=order.__getitem__)
    return _Graph(order=order, members=members, edges=edges)


def _unreviewed_ai(group: list[Attribution]) -> bool:
    statement = group[0]
    if _current(statement):
        return False  # a review of a statement covers its proofs
    return any(m.origin in AI_ORIGINS and not _current(m) for m in group)


def _not_formal(g: _Graph) -> dict[str, bool]:
    """Statement id -> it has a proof (in the paper, or a linked formal one) and no
    `proved` formal result; all False while no statement links a formal proof."""
    if not any(group[0].formal for group in g.members.values()):
        return dict.fromkeys(g.members, False)
    return {s: (len(group) > 1 or bool(group[0].formal)) and not any(r.status == "proved" for r in group[0].formal)
            for s, group in g.members.items()}


def _reach(g: _Graph, start: str) -> list[str]:
    seen = {start}
    todo = [start]
    while todo:
        for t in g.edges[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return sorted(seen, key=g.order.__getitem__)


def closure(units: Sequence[Attribution]) -> dict[str, Rests]:
    """Statement id -> what it rests on, transitively through `uses` (cycles are fine:
    every statement on a cycle rests on all the others)."""
    g = _build(units)
    unreviewed = {s: _unreviewed_ai(group) for s, group in g.members.items()}
    bad = {s: [BadCheck(s, c.nodeid, c.outcome) for m in group for c in m.checks if c.outcome != "passed"]
           for s, group in g.members.items()}
    informal = _not_formal(g)
    out: dict[str, Rests] = {}
    for s in g.order:
        reach = _reach(g, s)
        out[s] = Rests(
            rests_on=tuple(t for t in reach if t != s),
            unreviewed_ai=tuple(t for t in reach if unreviewed[t]),
            bad_checks=tuple(c for t in reach for c in dict.fromkeys(bad[t])),
            not_formally_proved=tuple(t for t in reach if informal[t]),
        )
    return out


def _sccs(g: _Graph) -> dict[str, int]:
    """Statement id -> its strongly connected component (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in g.order:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            targets = g.edges[v]
            if i < len(targets):
                work.append((v, i + 1))
                w = targets[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = index[v]
                    if w == v:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return comp


def cycles(units: Sequence[Attribution]) -> list[list[str]]:
    """Every elementary cycle of `uses` between statements (up to MAX_CYCLES), each
    starting at its first statement in document order; sorted by document order."""
    g = _build(units)
    comp = _sccs(g)
    found: list[list[str]] = []
    for s in g.order:  # cycles whose earliest statement is s
        allowed = {t for t in g.order if comp[t] == comp[s] and g.order[t] >= g.order[s]}
        path = [s]
        iters = [iter(g.edges[s])]
        while iters and len(found) < MAX_CYCLES:
            nxt = next(iters[-1], None)
            if nxt is None:
                iters.pop()
                path.pop()
            elif nxt == s:
                found.append(list(path))
            elif nxt in allowed and nxt not in path:
                path.append(nxt)
                iters.append(iter(g.edges[nxt]))
    return sorted(found, key=lambda c: [g.order[x] for x in c])


def format_cycle(cycle: Sequence[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])
