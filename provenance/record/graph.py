"""The statement graph of a record: which statement uses which, built once per record and
used by the closure (what each statement rests on), the cycle check and the drawing of
the dependency graph (disclose/layout.py).

Nodes are statements. A proof belongs to its statement (`unit.parent`): the labels its
proof uses are the statement's dependencies, and an AI-drafted proof or a failing check
linked to the proof counts against the statement. Uses that point at sections,
equations or figures are not dependencies here: a result rests on other results.
A reference from a proof to its own statement ("Proof of Lemma 2") is not a cycle.

Everything is linear in statements plus edges (strongly connected components first,
then one pass over them), apart from the closure's own output; order is document order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from provenance.model import Attribution, BadCheck, Rests

MAX_CYCLES = 100  # elementary cycles can be exponentially many; a paper needs a few


class Node(NamedTuple):
    """What the graph needs of one unit: a statement's or a proof's place and standing,
    or only the label of another unit (a \\uses naming a section leads nowhere)."""

    id: str
    kind: str
    label: str | None
    parent: str | None
    uses: tuple[str, ...]  # the labels its \\uses name that exist (Attribution.unit.uses)
    ai: bool  # Attribution.is_ai
    reviewed: bool  # Attribution.has_current_review
    bad: tuple[tuple[str, str], ...]  # (node id, outcome) of its checks that did not pass
    formal: tuple[str, ...]  # the statuses of its formal proofs


def node(a: Attribution) -> Node | None:
    """The unit's node, or None for one the graph never looks at (no label, not a
    statement or proof)."""
    u = a.unit
    if u.kind not in ("statement", "proof"):
        return Node(u.id, u.kind, u.label, u.parent, (), False, False, (), ()) if u.label else None
    return Node(u.id, u.kind, u.label, u.parent, u.uses, a.is_ai, a.has_current_review,
                tuple((c.nodeid, c.outcome) for c in a.checks if c.outcome != "passed"),
                tuple(f.status for f in a.formal))


@dataclass(frozen=True)
class StatementGraph:
    order: dict[str, int]  # statement id -> document position
    members: dict[str, list[Node]]  # statement id -> the statement, then its proofs
    edges: dict[str, list[str]]  # statement id -> statements it uses, document order

    @classmethod
    def of(cls, units: Sequence[Attribution]) -> StatementGraph:
        return cls.of_nodes([n for n in map(node, units) if n is not None], [a.unit.id for a in units])

    @classmethod
    def of_nodes(cls, nodes: Sequence[Node], ids: Iterable[str]) -> StatementGraph:
        """The graph of the nodes of a record's units (document order) among all unit ids."""
        return cls(*_build(nodes, ids))

    @cached_property
    def _sccs(self) -> list[list[str]]:
        return _components(self.order, self.edges)

    def components(self) -> list[list[str]]:
        """Strongly connected components, each listed after every component it can reach:
        the order a bottom-up pass needs (computed once per graph)."""
        return self._sccs

    def closure(self) -> dict[str, Rests]:
        """Statement id -> what it rests on, transitively (every statement on a cycle rests
        on all the others)."""
        unreviewed = {s: _unreviewed_ai(group) for s, group in self.members.items()}
        bad = {s: tuple(dict.fromkeys(BadCheck(s, nodeid, outcome) for m in group for nodeid, outcome in m.bad))
               for s, group in self.members.items()}
        reach: dict[str, frozenset[str]] = {}
        for comp in self.components():  # what a component reaches is known before it is needed
            mine = set(comp)
            for s in comp:
                for t in self.edges[s]:
                    if t not in mine:
                        mine |= reach[t]
            frozen = frozenset(mine)
            for s in comp:
                reach[s] = frozen
        informal = _not_formal(self.members)
        out: dict[str, Rests] = {}
        for s in self.order:
            below = sorted(reach[s], key=self.order.__getitem__)
            out[s] = Rests(rests_on=tuple(t for t in below if t != s),
                           unreviewed_ai=tuple(t for t in below if unreviewed[t]),
                           bad_checks=tuple(c for t in below for c in bad[t]),
                           not_formally_proved=tuple(t for t in below if informal[t]))
        return out

    def cycles(self) -> list[list[str]]:
        """Elementary cycles of `uses` (up to MAX_CYCLES), each starting at its first
        statement in document order; sorted by document order."""
        found: list[list[str]] = []
        for comp in self.components():
            if len(comp) < 2:
                continue
            members = set(comp)
            for s in comp:  # cycles whose earliest statement is s
                allowed = {t for t in members if self.order[t] >= self.order[s]}
                _cycles_from(self.edges, s, allowed, found)
        return sorted(found, key=lambda c: [self.order[x] for x in c])

    def layers(self) -> dict[str, int]:
        """Longest-path layering for drawing: a statement sits one layer below the deepest
        statement it uses; statements on a cycle share a layer."""
        layer: dict[str, int] = {}
        for comp in self.components():
            members = set(comp)
            depth = 1 + max((layer[t] for s in comp for t in self.edges[s] if t not in members), default=-1)
            for s in comp:
                layer[s] = depth
        return layer


def _build(nodes: Sequence[Node], ids: Iterable[str]
           ) -> tuple[dict[str, int], dict[str, list[Node]], dict[str, list[str]]]:
    by_label = {n.label: n.id for n in nodes if n.label}
    by_label.update({i: i for i in ids})
    statements = [n for n in nodes if n.kind == "statement"]
    order = {n.id: i for i, n in enumerate(statements)}
    members: dict[str, list[Node]] = {n.id: [n] for n in statements}
    for n in nodes:
        if n.kind == "proof" and n.parent in order:
            members[n.parent].append(n)
    edges: dict[str, list[str]] = {}
    for s, group in members.items():
        targets = {by_label.get(lb) for m in group for lb in m.uses}
        edges[s] = sorted((t for t in targets if t is not None and t in order and t != s), key=order.__getitem__)
    return order, members, edges


def _components(order: dict[str, int], edges: dict[str, list[str]]) -> list[list[str]]:
    """Iterative Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in order:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            targets = edges[v]
            if i < len(targets):
                work.append((v, i + 1))
                w = targets[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp, key=order.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def _cycles_from(edges: dict[str, list[str]], s: str, allowed: set[str], found: list[list[str]]) -> None:
    path = [s]
    iters = [iter(edges[s])]
    while iters and len(found) < MAX_CYCLES:
        nxt = next(iters[-1], None)
        if nxt is None:
            iters.pop()
            path.pop()
        elif nxt == s:
            found.append(list(path))
        elif nxt in allowed and nxt not in path:
            path.append(nxt)
            iters.append(iter(edges[nxt]))


def _unreviewed_ai(group: list[Node]) -> bool:
    if group[0].reviewed:
        return False  # a review of a statement covers its proofs
    return any(m.ai and not m.reviewed for m in group)


def _not_formal(members: dict[str, list[Node]]) -> dict[str, bool]:
    """Statement id -> it has a proof (in the paper, or a linked formal one) and no
    `proved` formal result; all False while no statement links a formal proof."""
    if not any(group[0].formal for group in members.values()):
        return dict.fromkeys(members, False)
    return {s: (len(group) > 1 or bool(group[0].formal)) and "proved" not in group[0].formal
            for s, group in members.items()}


def format_cycle(cycle: Sequence[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])
