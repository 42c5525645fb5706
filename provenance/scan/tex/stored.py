"""The walk of the paper kept across processes (remembered.py keeps it in the process):
while every file it read or looked for keeps its content, so a new commit, a review or
a new claim-check result reuses it; and also after edits that leave the walk as it was
or only move a file's later lines (edits.py: lines of text reworded, added or removed),
judged against the text each file had when it was walked. Kept beside the blame cache:

- `<store>` (`<git-dir>/paperprov/scan.pickle`): the units and dependencies, a pickle,
  which is safe only where nothing but paperprov writes; no clone, bundle or build
  output ever writes under .git/. Never point it into build/ or the sources;
- `<store>.json`: what they were walked from (each file's digest, the lines its handlers
  read across, the pickle's id, and the line moves of edits since the pickle was
  written, applied when it is read), rewritten alone when an edit leaves the units as
  they were or only moves lines: a few moves are cheaper than pickling a book's units;
- `texts/<sha256>`: each .tex file's text as walked, by its digest.

A damaged, unreadable or other version's file is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from provenance import __version__, pickled
from provenance.fsutil import write_bytes_atomic, write_text_atomic
from provenance.hashing import source_digest
from provenance.scan.tex.edits import Moved, fits, shift_all, shift_reach, walk_edit
from provenance.scan.tex.lexer import decode
from provenance.scan.tex.remembered import Entry, stamps_of
from provenance.scan.tex.state import HANDLERS, Reach
from provenance.scanned import Marker, Unit

# What the stored objects look like, beside paperprov's version: a development checkout
# that adds a field to a unit does not read units pickled without it; the first number
# says how units are walked (2: an \\end{proof} ends a section in an \\input file too).
_SHAPE = [2, [f.name for f in fields(Unit)], [f.name for f in fields(Marker)]]
TEXTS = "texts"
_MOVES = 16  # line moves kept in the index before the units are pickled again


@dataclass(frozen=True)
class Store:
    """The walk kept at `path` (remembered.Store)."""

    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def load(self, root: Path, main: str, generated: Collection[str]) -> Entry | None:
        return _load(root, main, generated, self.path)

    def save(self, root: Path, main: str, generated: Collection[str], entry: Entry) -> None:
        _save(root, main, generated, self.path, entry)


def _digests(root: Path, files: list[str]) -> list[str | None]:
    top = str(root)
    return [source_digest(os.path.join(top, rel)) for rel in files]


def _index(store: Path) -> Path:
    return store.with_name(store.name + ".json")


def _head(main: str, generated: Collection[str]) -> dict[str, Any]:
    # The words the walk stops at: a checkout that handles one more walks again.
    return {"version": __version__, "shape": _SHAPE, "key": [main, sorted(generated)], "words": sorted(HANDLERS)}


def _load(root: Path, main: str, generated: Collection[str], store: Path) -> Entry | None:
    try:
        index = json.loads(_index(store).read_bytes())
        if {k: index[k] for k in ("version", "shape", "key", "words")} != _head(main, generated):
            return None
        read = [str(rel) for rel, _ in index["read"]]
        reaches = {str(rel): tuple((int(a), int(b)) for a, b in r) for rel, r in index["reaches"].items()}
        body = str(index["id"])
        was = [None if d is None else str(d) for _, d in index["read"]]
        kept = [(str(rel), Moved(int(a), int(b), bool(g), None if c is None else str(c), int(e)))
                for rel, a, b, g, c, e in index.get("moves", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    now = _digests(root, read)
    moves = []
    for rel, old, new in zip(read, was, now, strict=True):
        if old == new:
            continue
        moved = _walk_edit(root, store, rel, old, reaches[rel]) if rel in reaches else None
        if moved is None:
            return None
        if moved.by:
            moves.append((rel, moved))
    found = pickled.load(store, {**_head(main, generated), "id": body}.__eq__)
    if found is None or not isinstance(found[1], tuple) or len(found[1]) != 2:
        return None
    units, deps = found[1]
    if kept:
        units, deps = shift_all(units, deps, kept)
    if not all(fits(units, rel, moved) for rel, moved in moves):
        return None
    if moves:
        units, deps = shift_all(units, deps, moves)
    for rel, moved in moves:  # the index's reaches are those of the last texts walked
        reaches[rel] = shift_reach(reaches[rel], moved)
    entry = Entry(read, stamps_of(root, read), units, deps, reaches, body, moves=kept + moves)
    if len(entry.moves) > _MOVES:
        entry.body, entry.moves = None, []  # pickled again
    if was == now:
        entry.stored.add(str(store))
    return entry


def _walk_edit(root: Path, store: Path, rel: str, old: str | None, reaches: Reach) -> Moved | None:
    """How `rel`, which read as `old` (its digest) when walked, is walked now (edits.py)."""
    if old is None:
        return None
    try:
        was = (store.parent / TEXTS / old).read_bytes()
        now = (root / rel).read_bytes()
    except OSError:
        return None
    return walk_edit(decode(was), decode(now), reaches) if hashlib.sha256(was).hexdigest() == old else None


def _save(root: Path, main: str, generated: Collection[str], store: Path, entry: Entry) -> None:
    if str(store) in entry.stored:
        return  # kept by an earlier call put off with it (fsutil.keep)
    digests = _digests(root, entry.read)
    if stamps_of(root, entry.read) != entry.stamps:
        return  # a file changed since the walk read it: its digest would not be what was walked
    if entry.body is None:
        body = secrets.token_hex(8)
        if not pickled.save(store, {**_head(main, generated), "id": body}, (entry.units, entry.deps)):
            return  # a read-only repository still gets its record, only slower next time
        entry.body, entry.moves = body, []
    texts = {rel: d for rel, d in zip(entry.read, digests, strict=True) if rel in entry.reaches and d}
    index = {**_head(main, generated), "id": entry.body, "read": list(zip(entry.read, digests, strict=True)),
             "reaches": {rel: entry.reaches[rel] for rel in texts},
             "moves": [[rel, m.after, m.by, m.grown, m.closes, m.ends_at] for rel, m in entry.moves]}
    try:
        _keep_texts(root, store.parent / TEXTS, texts)
        write_text_atomic(_index(store), json.dumps(index, separators=(",", ":")), durable=False)
    except OSError:
        return
    entry.stored.add(str(store))


def _keep_texts(root: Path, directory: Path, texts: dict[str, str]) -> None:
    """Each file's text under its digest (as walked: the stamps held), and no other."""
    directory.mkdir(parents=True, exist_ok=True)
    have = set(os.listdir(directory))
    for rel, digest in texts.items():
        if digest not in have:
            write_bytes_atomic(directory / digest, (root / rel).read_bytes(), durable=False)
    for name in have - set(texts.values()):
        try:
            os.unlink(directory / name)
        except OSError:
            pass
