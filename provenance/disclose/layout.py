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


def statement_deps(units: Sequence[Attribution]) -> dict[str, list[str]]:
    """Statement id -> the statements it uses (its own `uses` plus those of its proofs),
    in the order first met; document order of the keys."""
    stmts = [a for a in units if a.unit.kind == "statement"]
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
    return deps


def layering(deps: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Longest-path layers: a node sits one layer below the deepest node it uses (layer 0:
    uses nothing). A cycle (malformed record) is cut where it closes. Iterative, so a
    chain of thousands of statements does not hit Python's recursion limit."""
    layer: dict[str, int] = {}
    for root in deps:
        if root in layer:
            continue
        visiting = {root}
        stack = [(root, iter(deps[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next((t for t in it if t in deps and t not in layer and t not in visiting), None)
            if nxt is not None:
                visiting.add(nxt)
                stack.append((nxt, iter(deps[nxt])))
                continue
            stack.pop()
            visiting.discard(node)
            layer[node] = 1 + max((layer[t] for t in deps[node] if t in layer), default=-1)
    return layer


@dataclass(frozen=True)
class Placement:
    """Rows of nodes, top first, and each node's row and column (in slots: a node is one
    slot wide; a row holds at most `per_row`)."""

    rows: tuple[tuple[str, ...], ...]
    row: dict[str, int]
    col: dict[str, float]


def arrange(deps: Mapping[str, Sequence[str]], per_row: int, centre: bool = True) -> Placement:
    """Layers top-down, each ordered by the barycentre of what its nodes use (fewer
    crossings: a node sits under what it uses; ties in document order = the order of
    `deps`), wrapped into rows of `per_row`; centred in a band `per_row` slots wide, or
    left-aligned (then every gap between columns is free in every row)."""
    layer = layering(deps)
    order = {s: i for i, s in enumerate(deps)}
    rows: list[tuple[str, ...]] = []
    row: dict[str, int] = {}
    col: dict[str, float] = {}
    for lay in range(max(layer.values(), default=-1) + 1):
        members = [s for s in deps if layer[s] == lay]

        def bary(s: str) -> tuple[float, int]:
            xs = [col[t] for t in deps[s] if t in col]
            return (sum(xs) / len(xs) if xs else -1.0, order[s])

        members.sort(key=bary)
        for start in range(0, len(members), per_row):
            chunk = tuple(members[start:start + per_row])
            offset = (per_row - len(chunk)) / 2 if centre else 0.0
            for i, s in enumerate(chunk):
                col[s] = offset + i
                row[s] = len(rows)
            rows.append(chunk)
    return Placement(rows=tuple(rows), row=row, col=col)


def layout(units: Sequence[Attribution], rows: Mapping[str, Row]) -> Graph | None:
    """Statements laid out by longest-path layering: a statement sits one layer below the
    deepest statement it uses (its own `uses` plus those of its proofs). None when there
    are no statements, or more than MAX_GRAPH_NODES (too many to draw legibly)."""
    deps = statement_deps(units)
    if not deps or len(deps) > MAX_GRAPH_NODES:
        return None
    place = arrange(deps, PER_ROW)
    order = {s: i for i, s in enumerate(deps)}
    slot = 100.0 / PER_ROW
    node_w, node_h, gap = slot * 0.86, 8.0, 12.0
    height = len(place.rows) * (node_h + gap) - gap
    pos = {s: (slot * place.col[s] + (slot - node_w) / 2, height - node_h - place.row[s] * (node_h + gap))
           for s in deps}
    row_of = place.row
    nodes = []
    for s in sorted(pos, key=lambda s: (-pos[s][1], pos[s][0])):
        r = rows[s]
        nodes.append(Node(ref=r.ref, origin=r.origin, status=r.status, x=_fmt(pos[s][0]), y=_fmt(pos[s][1])))
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
