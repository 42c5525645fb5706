"""What each file's units add to the record, made once and remembered whole, so a record
after an edit does per-unit work only for the files the edit changed.

A file's group holds, for the units whose heading lies in that file (document order):
their lines of record.json, their counts (summary.Tally), their nodes of the statement
graph (graph.Node), the commits without AI evidence behind their lines and their rows of
the status table (table.Rows). It is a
function of what it is made from, and `made_from` prints exactly that: the units as the
walk gave them, the declarations around them, the labels their `\\uses` name that exist,
the content and git evidence of every file their lines lie in (pieces._Keys), and the
reviews, claim-check outcomes and formal results that apply to them. pieces.py keeps a
group under its print; the token of the store (paperprov's version, provenance.yaml,
the Agent Trace records) covers the rest.

The summary's statement closure is remembered the same way (`graph_summary`), under a
print of every node in document order: an edit that leaves the graph as it was (most
edits of prose) does not walk the graph again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from provenance import __version__, pickled
from provenance.fsutil import keep
from provenance.model import Attribution, Rests, Unit
from provenance.record.graph import Node, StatementGraph, format_cycle, node
from provenance.record.summary import Tally
from provenance.record.table import Rows, rests_on
from provenance.recordjson import dependencies_json

GRAPH = "paperprov/graph.pickle"


@dataclass(frozen=True)
class Group:
    ids: tuple[str, ...]
    lines: tuple[bytes, ...]  # each unit's line of record.json, as `ids`
    tally: Tally
    nodes: tuple[tuple[Any, ...], ...]  # graph.Node's fields: plain tuples unpickle faster
    nodes_print: str  # digest of `nodes`
    untagged: frozenset[str]
    rows: Rows  # the units' rows of the status table


def print_of(*parts: object) -> str:
    """A digest of plain data (dataclasses, tuples, strings, numbers): equal digests, equal
    data. Equal data may still differ in print (pickle writes an object met twice as a
    reference, and an equal copy in full), which only costs a group made again."""
    return hashlib.sha256(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


def fields_of(units: Sequence[Unit]) -> list[tuple[Any, ...]]:
    """The units' field values, for print_of: the same print as the units themselves
    (the store's shape names Unit's fields), in half the time."""
    return [tuple(vars(u).values()) for u in units]


def make(finals: Sequence[Attribution], line: Callable[[Attribution], bytes], untagged: frozenset[str]) -> Group:
    """The group of these final attributions (reviews, check outcomes, formal results added)."""
    tally = Tally()
    for a in finals:
        tally.add(a)
    nodes = tuple(tuple(n) for n in map(node, finals) if n is not None)
    return Group(ids=tuple(a.unit.id for a in finals), lines=tuple(map(line, finals)), tally=tally.merged(),
                 nodes=nodes, nodes_print=_print_of_nodes(nodes), untagged=untagged, rows=Rows.of(finals))


def _print_of_nodes(nodes: tuple[tuple[Any, ...], ...]) -> str:
    # By repr, not print_of: plain strings, flags and tuples, whose pickle would differ
    # between nodes of fresh attributions and of remembered ones (which strings are one
    # object), and the closure be walked again for nothing.
    return hashlib.sha256(repr(nodes).encode()).hexdigest()


def graph_summary(store: Path | None, groups: Sequence[Group], ids: Sequence[str]
                  ) -> tuple[dict[str, Rests], tuple[str, ...], bytes, tuple[str, ...]]:
    """The statement graph's closure, formatted cycles, the closure as encoded in
    record.json and as the status table lists it (table.rests_on), for the record's
    units (`ids`, document order); remembered in `store` (the git directory) under a
    print of its nodes."""
    made_from = print_of(__version__, [g.nodes_print for g in groups], "\0".join(ids))
    header = {"version": __version__, "graph": made_from, "holds": "closure, cycles, encoded closure, rests"}
    if store is not None:
        found = pickled.load(store / GRAPH, header.__eq__)
        if found is not None and isinstance(found[1], tuple) and len(found[1]) == 4:
            return found[1]
    nodes_of = {n[0]: Node(*n) for g in groups for n in g.nodes}
    graph = StatementGraph.of_nodes([nodes_of[i] for i in ids if i in nodes_of], ids)
    closure = graph.closure()
    out = closure, tuple(format_cycle(c) for c in graph.cycles()), dependencies_json(closure), rests_on(closure)
    if store is not None:
        keep(partial(pickled.save, store / GRAPH, header, out))
    return out


def untagged_commits(groups: Iterable[Group]) -> int:
    """How many commits without AI evidence lie behind some unit's lines."""
    out: set[str] = set()
    for g in groups:
        out |= g.untagged
    return len(out)


def tally(groups: Iterable[Group]) -> Tally:
    out = Tally()
    for g in groups:
        out.merge(g.tally)
    return out


def lines(groups: Iterable[Group], ids: Sequence[str]) -> list[bytes]:
    """The units' lines of record.json in document order (`ids`)."""
    by_id: dict[str, bytes] = {}
    for g in groups:
        by_id.update(zip(g.ids, g.lines))
    return [by_id[i] for i in ids]
