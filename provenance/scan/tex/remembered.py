"""A walk of the paper remembered, so a record whose sources did not change is not made
from a new walk (on a book, the walk is seconds of every record).

In the process: the last walk, while every file it read or looked for keeps its stat
(`paperprov status` asks for the dependencies, its cache key, and then for the units).
Across processes, given a store (stored.py, which the caller imports only when it has
one: the lint hook walks the paper afresh and imports neither pickle, json nor hashlib):
the walk while every such file keeps its content, or after edits that leave it as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from provenance.fsutil import keep
from provenance.scan.depcache import stamp
from provenance.scan.tex.state import Reaches
from provenance.scanned import Unit

if TYPE_CHECKING:
    from provenance.scan.tex.edits import Moved

Stamp = list[int] | None
D = TypeVar("D")  # the walk's dependencies (walker.TexDeps)
Walk = Callable[[], tuple[list[Unit], D, list[str], Reaches]]


@dataclass
class Entry:
    """A walk: the paths it read or looked for and their stamps, its units, dependencies
    and what its handlers read across lines; and, once a store keeps it, how."""

    read: list[str]
    stamps: list[Stamp]
    units: list[Unit]
    deps: Any
    reaches: Reaches
    body: str | None = None  # the id of the stored units, once stored
    stored: set[str] = field(default_factory=set)
    moves: list[tuple[str, Moved]] = field(default_factory=list)  # to apply to the stored units


class Store(Protocol):
    """Where a walk is kept across processes (stored.Store)."""

    @property
    def name(self) -> str: ...

    def load(self, root: Path, main: str, generated: Collection[str]) -> Entry | None: ...

    def save(self, root: Path, main: str, generated: Collection[str], entry: Entry) -> None: ...


_last: dict[tuple[str, str, frozenset[str]], Entry] = {}


def remembered(root: Path, main: str, generated: Collection[str], store: Store | None,
               walk: Walk[D]) -> tuple[list[Unit], D]:
    """`walk()`'s units and dependencies (it also returns every path it read or looked
    for, and what its handlers read across lines), or the remembered ones while those
    paths are unchanged or changed only by edits that leave the walk as it was."""
    key = (str(root), main, frozenset(generated))
    entry = _last.get(key)
    if entry is None or entry.stamps != stamps_of(root, entry.read):
        entry = store.load(root, main, generated) if store is not None else None
        if entry is None:
            units, deps, read, reaches = walk()
            entry = Entry(read, stamps_of(root, read), units, deps, reaches)
        _last.clear()
        _last[key] = entry
    if store is not None and store.name not in entry.stored:
        keep(partial(store.save, root, main, generated, entry))
    return list(entry.units), entry.deps


def stamps_of(root: Path, files: list[str]) -> list[Stamp]:
    top = str(root)  # a path joined as text: pathlib's `/` costs more than the stat, times a book's files
    return [stamp(os.path.join(top, rel)) for rel in files]
