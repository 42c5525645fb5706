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


@dataclass(frozen=True)
class Placement:
    """Rows of statements, top first, and each one's row and column (in slots: a node is
    one slot wide; a row holds at most `per_row`)."""

    rows: tuple[tuple[str, ...], ...]
    row: dict[str, int]
    col: dict[str, float]


def arrange(graph: StatementGraph, per_row: int, centre: bool = True) -> Placement:
    """The statements in rows: by layer (StatementGraph.layers), each layer sorted by the
    barycentre of what its statements use (fewer crossings; ties in document order) and
    wrapped into rows of `per_row`; centred in a band `per_row` slots wide, or
    left-aligned (then the gap beside every column is free in every row)."""
    layer = graph.layers()
    rows: list[tuple[str, ...]] = []
    row: dict[str, int] = {}
    col: dict[str, float] = {}
    for lay in range(max(layer.values(), default=-1) + 1):
        members = [s for s in graph.order if layer[s] == lay]

        def bary(s: str) -> tuple[float, int]:
            xs = [col[t] for t in graph.edges[s] if t in col]
            return (sum(xs) / len(xs) if xs else -1.0, graph.order[s])

        members.sort(key=bary)
        for start in range(0, len(members), per_row):
            chunk = tuple(members[start:start + per_row])
            offset = (per_row - len(chunk)) / 2 if centre else 0.0
            for i, s in enumerate(chunk):
                col[s] = offset + i
                row[s] = len(rows)
            rows.append(chunk)
    return Placement(rows=tuple(rows), row=row, col=col)


def _positions(graph: StatementGraph, node_w: float, node_h: float, gap: float, slot: float,
               ) -> tuple[dict[str, tuple[float, float]], dict[str, int], float]:
    """Each statement's corner (rows as `arrange` makes them, top row highest) and the
    picture's height."""
    place = arrange(graph, PER_ROW)
    height = len(place.rows) * (node_h + gap) - gap
    pos = {s: (slot * place.col[s] + (slot - node_w) / 2, height - node_h - place.row[s] * (node_h + gap))
           for s in graph.order}
    return pos, place.row, height


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
