"""The reviewer's page's statement graph as SVG geometry: boxes and edge paths in pixels.

Placement is layout.py's (the statement graph's longest-path layers, barycentre order), left-aligned so that
the gap left of every column is free in every row: an edge that skips rows runs down
that lane instead of through the boxes in between. Numbers are formatted once here, so
the page is byte-stable; templates/report.html.j2 draws them (autoescaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from provenance.disclose.layout import arrange
from provenance.record.graph import StatementGraph

PER_ROW = 8  # boxes per row; a wider layer wraps
NODE_W, NODE_H = 168.0, 46.0
GAP_X, GAP_Y = 28.0, 56.0
MARGIN = 16.0
LABEL_CHARS = 24  # a box's second line is cut to this; the full text is in its tooltip


@dataclass(frozen=True)
class SvgNode:
    index: int  # the unit's index in the page's unit list (its element ids use it)
    x: str
    y: str


@dataclass(frozen=True)
class SvgEdge:
    source: int  # unit index of the statement used
    target: int  # unit index of the statement that uses it
    d: str  # the SVG path


@dataclass(frozen=True)
class SvgGraph:
    width: str
    height: str
    node_w: str
    node_h: str
    review_x: str  # where a box's review mark (circle) and check mark (square) sit
    check_x: str
    nodes: tuple[SvgNode, ...]
    edges: tuple[SvgEdge, ...]


def _f(v: float) -> str:
    return f"{v:.1f}"


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _path(x1: float, y1: float, x2: float, y2: float, lane: float | None) -> str:
    """From the bottom of the used box to the top of the user; through `lane` (an x in a
    free column gap) when rows lie in between."""
    if lane is None:
        my = (y1 + y2) / 2
        return f"M{_f(x1)} {_f(y1)}C{_f(x1)} {_f(my)} {_f(x2)} {_f(my)} {_f(x2)} {_f(y2)}"
    g1, g2 = y1 + GAP_Y / 2, y2 - GAP_Y / 2
    return (f"M{_f(x1)} {_f(y1)}C{_f(x1)} {_f(g1)} {_f(lane)} {_f(y1)} {_f(lane)} {_f(g1)}"
            f"L{_f(lane)} {_f(g2)}C{_f(lane)} {_f(y2)} {_f(x2)} {_f(g2)} {_f(x2)} {_f(y2)}")


def draw(graph: StatementGraph, index: Mapping[str, int]) -> SvgGraph | None:
    """index: statement id -> its unit index on the page. None when there is no statement."""
    if not graph.order:
        return None
    deps = graph.edges
    place = arrange(graph, PER_ROW, centre=False)
    slot_x, slot_y = NODE_W + GAP_X, NODE_H + GAP_Y
    pos = {s: (MARGIN + GAP_X / 2 + place.col[s] * slot_x, MARGIN + place.row[s] * slot_y) for s in deps}
    nodes = tuple(SvgNode(index[s], _f(x), _f(y)) for s, (x, y) in
                  sorted(pos.items(), key=lambda item: (place.row[item[0]], place.col[item[0]])))
    edges = []
    for s in graph.order:
        for t in deps[s]:
            x1, y1 = pos[t][0] + NODE_W / 2, pos[t][1] + NODE_H
            x2, y2 = pos[s][0] + NODE_W / 2, pos[s][1]
            lane = None
            if place.row[s] - place.row[t] != 1:
                # the column gap nearest the middle of the two boxes (or upward: a cycle)
                k = round((place.col[s] + place.col[t]) / 2 + 0.5)
                lane = MARGIN + GAP_X / 2 + k * slot_x - GAP_X / 2
            edges.append(SvgEdge(index[t], index[s], _path(x1, y1, x2, y2, lane)))
    cols = max((len(r) for r in place.rows), default=1)
    width = 2 * MARGIN + GAP_X + cols * slot_x
    height = 2 * MARGIN + len(place.rows) * slot_y - GAP_Y
    return SvgGraph(_f(width), _f(height), _f(NODE_W), _f(NODE_H), _f(NODE_W - 12), _f(NODE_W - 34),
                    nodes, tuple(edges))
