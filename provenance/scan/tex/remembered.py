"""A walk of the paper remembered, so a record whose sources did not change is not made
from a new walk (on a book, the walk is seconds of every record).

In the process: the last walk, while every file it read or looked for keeps its stat
(`paperprov status` asks for the dependencies, its cache key, and then for the units).
Across processes: in `store`, a file the caller names, while every such file keeps its
content, so a new commit, a review or a new claim-check result reuses the walk. The
record keeps it beside the blame cache, `<git-dir>/paperprov/scan.pickle`: a pickle,
which is safe only where nothing but paperprov writes, and no clone, bundle or build
output ever writes under .git/. Never point it into build/ or the sources. A damaged,
unreadable or other version's file is simply not used.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from provenance import __version__, pickled
from provenance.hashing import source_digest
from provenance.model import Marker, Unit
from provenance.scan.depcache import stamp

Stamp = list[int] | None
# What the stored objects look like, beside paperprov's version: a development checkout
# that adds a field to a unit does not read units pickled without it.
_SHAPE = [[f.name for f in fields(Unit)], [f.name for f in fields(Marker)]]
D = TypeVar("D")  # the walk's dependencies (walker.TexDeps)


@dataclass
class _Entry:
    read: list[str]
    stamps: list[Stamp]
    units: list[Unit]
    deps: Any
    stored: set[str] = field(default_factory=set)


_last: dict[tuple[str, str, frozenset[str]], _Entry] = {}


def remembered(root: Path, main: str, generated: Collection[str], store: Path | None,
               walk: Callable[[], tuple[list[Unit], D, list[str]]]) -> tuple[list[Unit], D]:
    """`walk()`'s units and dependencies (it also returns every path it read or looked
    for), or the remembered ones while those paths are unchanged."""
    key = (str(root), main, frozenset(generated))
    entry = _last.get(key)
    if entry is None or entry.stamps != _stamps(root, entry.read):
        entry = _load(root, main, generated, store) if store is not None else None
        if entry is None:
            units, deps, read = walk()
            entry = _Entry(read, _stamps(root, read), units, deps)
        _last.clear()
        _last[key] = entry
    if store is not None and str(store) not in entry.stored:
        _save(root, main, generated, store, entry)
    return list(entry.units), entry.deps


def _stamps(root: Path, files: list[str]) -> list[Stamp]:
    return [stamp(root / rel) for rel in files]


def _digests(root: Path, files: list[str]) -> list[str | None]:
    return [source_digest(root / rel) for rel in files]


def _load(root: Path, main: str, generated: Collection[str], store: Path) -> _Entry | None:
    def current(head: Any) -> bool:  # this version and key, and every file it read as it was
        return (isinstance(head, dict) and head.get("version") == __version__ and head.get("shape") == _SHAPE
                and head.get("key") == [main, sorted(generated)]
                and _digests(root, [rel for rel, _ in head["read"]]) == [digest for _, digest in head["read"]])

    found = pickled.load(store, current)
    if found is None or not isinstance(found[1], tuple) or len(found[1]) != 2:
        return None
    read = [rel for rel, _ in found[0]["read"]]
    return _Entry(read, _stamps(root, read), found[1][0], found[1][1], {str(store)})


def _save(root: Path, main: str, generated: Collection[str], store: Path, entry: _Entry) -> None:
    digests = _digests(root, entry.read)
    if _stamps(root, entry.read) != entry.stamps:
        return  # a file changed since the walk read it: its digest would not be what was walked
    head = {"version": __version__, "shape": _SHAPE, "key": [main, sorted(generated)], "read": list(zip(entry.read, digests))}
    if not pickled.save(store, head, (entry.units, entry.deps)):
        return  # a read-only repository still gets its record, only slower next time
    entry.stored.add(str(store))
