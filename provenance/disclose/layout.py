"""The disclosure's dependency graph of statements: which statement rests on which (through
`\\uses`, its own and its proofs'), laid out in layers and turned into coordinates for the
kernel's picture mode (boxes and \\qbezier edges), plus the adjacency list the Markdown
prints instead.

It is apart from disclosure.py because it is geometry, not disclosure: the view there
decides what each node says (its Ref, origin and review status); this decides only where
it goes. Coordinates are in hundredths of the line width, formatted once here so the
.tex output is byte-stable; templates/disclosure.tex.j2 draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.model import Attribution

if TYPE_CHECKING:  # disclosure.py imports this module; the types only annotate
    from provenance.disclose.view import Ref, Row

MAX_GRAPH_NODES = 60
PER_ROW = 5  # graph nodes per row; a layer with more wraps onto several rows


@dataclass(frozen=True)
class Node:
    ref: Ref
    origin: str
    status: str
    x: str  # picture coordinates, formatted once so output is byte-stable
    y: str
    formal: str = ""  # "Coq-checked", "Lean declared", ... or ""


@dataclass(frozen=True)
class Edge:
    x1: str
    y1: str
    cx: str
    cy: str
    x2: str
    y2: str


@dataclass(frozen=True)
class Graph:
    height: str
    node_w: str
    node_h: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    uses: tuple[tuple[Ref, tuple[Ref, ...]], ...]  # for the Markdown adjacency list

    @property
    def compact(self) -> bool:
        """Short enough (in hundredths of the line width) to keep on one page with its
        heading and legend; a taller graph may break from them."""
        return float(self.height) <= 110


def _fmt(v: float) -> str:
    return f"{v:.2f}"


def layout(units: Sequence[Attribution], rows: Mapping[str, Row]) -> Graph | None:
    """Statements laid out by longest-path layering: a statement sits one layer below the
    deepest statement it uses (its own `uses` plus those of its proofs). None when there
    are no statements, or more than MAX_GRAPH_NODES (too many to draw legibly)."""
    stmts = [a for a in units if a.unit.kind == "statement"]
    if not stmts or len(stmts) > MAX_GRAPH_NODES:
        return None
    by_name: dict[str, str] = {}
    for a in stmts:
        by_name.setdefault(a.unit.id, a.unit.id)
        if a.unit.label:
            by_name.setdefault(a.unit.label, a.unit.id)
    deps: dict[str, list[str]] = {a.unit.id: [] for a in stmts}
    for a in units:
        owner = a.unit.id if a.unit.kind == "statement" else a.unit.parent if a.unit.kind == "proof" else None
        for used in a.unit.uses:
            target = by_name.get(used)
            if owner in deps and target and target != owner and target not in deps[owner]:
                deps[owner].append(target)
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(s: str) -> int:  # a cycle (malformed record) is cut where it closes
        if s in layer:
            return layer[s]
        visiting.add(s)
        d = 1 + max((depth(t) for t in deps[s] if t not in visiting), default=-1)
        visiting.discard(s)
        layer[s] = d
        return d

    for a in stmts:
        depth(a.unit.id)
    order = {a.unit.id: i for i, a in enumerate(stmts)}
    pos: dict[str, tuple[float, float]] = {}
    row_of: dict[str, int] = {}
    nodes, row_y, slot = [], 0.0, 100.0 / PER_ROW
    node_w, node_h, gap = slot * 0.86, 8.0, 12.0
    for lay in range(max(layer.values()) + 1):
        members = [s for s in deps if layer[s] == lay]

        def bary(s: str) -> tuple[float, int]:  # fewer crossings: sit under what you use
            xs = [pos[t][0] for t in deps[s] if t in pos]
            return (sum(xs) / len(xs) if xs else -1.0, order[s])

        members.sort(key=bary)
        for start in range(0, len(members), PER_ROW):
            chunk = members[start:start + PER_ROW]
            offset = (100.0 - slot * len(chunk)) / 2
            for i, s in enumerate(chunk):
                pos[s] = (offset + slot * i + (slot - node_w) / 2, row_y)
                row_of[s] = round(-row_y / (node_h + gap))
            row_y -= node_h + gap
    height = -row_y - gap
    for s, (x, y) in pos.items():
        pos[s] = (x, y + height - node_h)
    for s in sorted(pos, key=lambda s: (-pos[s][1], pos[s][0])):
        r = rows[s]
        nodes.append(Node(ref=r.ref, origin=r.origin, status=r.status, x=_fmt(pos[s][0]), y=_fmt(pos[s][1]),
                          formal=r.formal))
    edges = []
    for s in sorted(deps, key=order.__getitem__):
        for t in deps[s]:
            x1, y1 = pos[t][0] + node_w / 2, pos[t][1]
            x2, y2 = pos[s][0] + node_w / 2, pos[s][1] + node_h
            cx = (x1 + x2) / 2
            span = row_of[s] - row_of[t]
            if span > 1:  # bend around the rows in between instead of through their nodes
                cx += (1 if cx >= 50 else -1) * (node_w + 4 * (span - 2))
            edges.append(Edge(_fmt(x1), _fmt(y1), _fmt(cx), _fmt((y1 + y2) / 2), _fmt(x2), _fmt(y2)))
    uses = tuple((rows[s].ref, tuple(rows[t].ref for t in deps[s])) for s in sorted(deps, key=order.__getitem__))
    return Graph(height=_fmt(height), node_w=_fmt(node_w), node_h=_fmt(node_h), nodes=tuple(nodes),
                 edges=tuple(edges), uses=uses)
