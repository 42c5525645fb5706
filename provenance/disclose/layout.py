"""The disclosure's dependency graph of statements: which statement rests on which (through
`\\uses`, its own and its proofs'), laid out in layers and turned into coordinates for the
kernel's picture mode (boxes and \\qbezier edges), plus the adjacency list the Markdown
prints instead.

It is apart from view.py because it is geometry, not disclosure: the view there
decides what each node says (its Ref, origin and review status); this decides only where
it goes. Coordinates are in hundredths of the line width, formatted once here so the
.tex output is byte-stable; templates/disclosure.tex.j2 draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from provenance.record.graph import StatementGraph

MAX_GRAPH_NODES = 60
PER_ROW = 5  # graph nodes per row; a layer with more wraps onto several rows
T = TypeVar("T")  # what a node shows (the disclosure's Row)


@dataclass(frozen=True)
class Node(Generic[T]):
    row: T
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
class Graph(Generic[T]):
    height: str
    node_w: str
    node_h: str
    nodes: tuple[Node[T], ...]
    edges: tuple[Edge, ...]
    uses: tuple[tuple[T, tuple[T, ...]], ...]  # for the Markdown adjacency list

    @property
    def compact(self) -> bool:
        """Short enough (in hundredths of the line width) to keep on one page with its
        heading and legend; a taller graph may break from them."""
        return float(self.height) <= 110


def _fmt(v: float) -> str:
    return f"{v:.2f}"


def _positions(graph: StatementGraph, node_w: float, node_h: float, gap: float, slot: float,
               ) -> tuple[dict[str, tuple[float, float]], dict[str, int], float]:
    """Each statement's corner, in rows of at most PER_ROW per layer, each layer sorted by
    the barycentre of what it uses (fewer crossings); and the picture's height."""
    layer = graph.layers()
    pos: dict[str, tuple[float, float]] = {}
    row_of: dict[str, int] = {}
    row_y = 0.0
    for lay in range(max(layer.values()) + 1):
        members = [s for s in graph.order if layer[s] == lay]

        def bary(s: str) -> tuple[float, int]:
            xs = [pos[t][0] for t in graph.edges[s] if t in pos]
            return (sum(xs) / len(xs) if xs else -1.0, graph.order[s])

        members.sort(key=bary)
        for start in range(0, len(members), PER_ROW):
            chunk = members[start:start + PER_ROW]
            offset = (100.0 - slot * len(chunk)) / 2
            for i, s in enumerate(chunk):
                pos[s] = (offset + slot * i + (slot - node_w) / 2, row_y)
                row_of[s] = round(-row_y / (node_h + gap))
            row_y -= node_h + gap
    height = -row_y - gap
    return {s: (x, y + height - node_h) for s, (x, y) in pos.items()}, row_of, height


def layout(graph: StatementGraph, rows: Mapping[str, T]) -> Graph[T] | None:
    """The statements laid out by longest-path layering: a statement sits one layer below
    the deepest statement it uses (its own `uses` plus those of its proofs). None when
    there are no statements, or more than MAX_GRAPH_NODES (too many to draw legibly)."""
    if not graph.order or len(graph.order) > MAX_GRAPH_NODES:
        return None
    slot = 100.0 / PER_ROW
    node_w, node_h, gap = slot * 0.86, 8.0, 12.0
    pos, row_of, height = _positions(graph, node_w, node_h, gap, slot)
    nodes = tuple(Node(rows[s], _fmt(pos[s][0]), _fmt(pos[s][1])) for s in sorted(pos, key=lambda s: (-pos[s][1], pos[s][0])))
    edges = []
    for s in graph.order:
        for t in graph.edges[s]:
            x1, y1 = pos[t][0] + node_w / 2, pos[t][1]
            x2, y2 = pos[s][0] + node_w / 2, pos[s][1] + node_h
            cx = (x1 + x2) / 2
            span = row_of[s] - row_of[t]
            if span > 1:  # bend around the rows in between instead of through their nodes
                cx += (1 if cx >= 50 else -1) * (node_w + 4 * (span - 2))
            edges.append(Edge(_fmt(x1), _fmt(y1), _fmt(cx), _fmt((y1 + y2) / 2), _fmt(x2), _fmt(y2)))
    uses = tuple((rows[s], tuple(rows[t] for t in graph.edges[s])) for s in graph.order)
    return Graph(height=_fmt(height), node_w=_fmt(node_w), node_h=_fmt(node_h), nodes=nodes,
                 edges=tuple(edges), uses=uses)
