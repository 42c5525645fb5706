"""The record's work remembered per file, so a record after an edit attributes, counts and
encodes again only the units whose files changed.

What is remembered, per file that holds units, in two files under
`<git-dir>/paperprov/units/`: the shard, each unit's attribution before reviews,
claim-check outcomes and formal results are added (those come from git notes and
build/checks.json), the commits without AI evidence behind its lines, and its line of
record.json; and the light file, the file's line runs with their line of record.json, and
what the file's units add to the record as a whole (groups.py: their lines, counts and
graph nodes, under a print of everything they are made from). A record after an edit
reads the light files of unchanged files and the shards of changed ones only.

A file's group is used while its units, the files their lines lie in (content and git
evidence) and what is around them are the same (groups.py). Within a file made again, a
unit's entry is used while the unit is the same (the walk gave the same unit: lines,
extents, ids, markers, uses), the declarations around it are the same, the labels its
`\\uses` name still exist, and its own lines have the same git evidence (`_Keys.of_unit`:
which commit each line comes from, and what notes, line facts and a shallow boundary say
of the file's commits; an attribution reads no line's text); and while the token is the
same: paperprov's version, the shapes of what is stored, provenance.yaml and the Agent
Trace records. An edit makes again the units whose lines it changed or moved; a commit
those whose lines it touched.

Pickles with a header (pickled.py, as for the remembered walk). A damaged, unreadable or
other version's shard is simply not used.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from provenance import __version__, pickled
from provenance.evidence.blame import blame_print
from provenance.evidence.blamecache import Blames
from provenance.evidence.collect import GitEvidence
from provenance.model import Attribution, Evidence, LineRun, Marker, Unit
from provenance.record.groups import Group
from provenance.record.table import Rows
from provenance.recordjson import runs_line, unit_line

STORE = "paperprov/units"
_T = TypeVar("_T")
# The shard's own format, and the fields of what it holds: a development checkout that
# changes either does not read shards written before.
_SHAPE = [6, *([f.name for f in fields(c)] for c in (Unit, Marker, Attribution, Evidence, LineRun, Group, Rows))]


@dataclass
class _Unit:
    unit: Unit
    enclosing: tuple[Marker, ...]
    digests: tuple[tuple[str, str], ...]  # _Keys.of_unit: each range of its lines with its key
    attribution: Attribution
    untagged: frozenset[str]
    line: bytes | None = None  # the attribution's line of record.json


@dataclass
class _Runs:
    digest: str
    runs: tuple[LineRun, ...]
    line: bytes | None = None  # their line of record.json


@dataclass
class _Shard:
    units: dict[str, _Unit]
    dirty: bool = False


@dataclass
class _Light:
    group: tuple[str, Any] | None = None  # (print, groups.Group)
    runs: _Runs | None = None
    dirty: bool = False


class _Shards:
    """The shards and light files of this run (`_new`, `_light`) and of the last one
    (`_old`, `_old_light`, read when first asked)."""

    def __init__(self, store: Path | None, token: str) -> None:
        self._store = _Store(store, token) if store is not None else None
        self._old: dict[str, _Shard] = {}
        self._old_ids: dict[str, frozenset[str]] = {}  # the ids each old shard held
        self._new: dict[str, _Shard] = {}
        self._old_light: dict[str, _Light] = {}
        self._light: dict[str, _Light] = {}

    def _shard(self, rel: str, old: bool) -> _Shard:
        shards = self._old if old else self._new
        shard = shards.get(rel)
        if shard is None:
            found = self._store.load(rel, _Shard) if old and self._store else None
            shard = shards[rel] = found or _Shard({})
            if old:
                self._old_ids[rel] = frozenset(shard.units)
        return shard

    def _done(self, rel: str) -> None:
        """The file's units are made: let its old shard go (a change that makes a book's
        every unit again held both)."""
        self._old.pop(rel, None)

    def _lights(self, rel: str) -> tuple[_Light, _Light]:
        """The file's light file of the last run, and of this one."""
        new = self._light.get(rel)
        if new is None:
            new = self._light[rel] = _Light()
            found = self._store.load(rel, _Light) if self._store else None
            self._old_light[rel] = found or _Light()
        return self._old_light[rel], new

    def save(self) -> None:
        """Write the shards and light files that changed; drop those of files that no
        longer hold units."""
        if self._store is None:
            return
        for rel, shard in self._new.items():
            old = self._old_ids.get(rel)
            if shard.dirty or old is None or old != shard.units.keys():
                shard.dirty = False
                if not self._store.save(rel, shard):
                    return  # a read-only repository still gets its record, only slower next time
        for rel, light in self._light.items():
            if light.dirty:
                light.dirty = False
                if not self._store.save(rel, light):
                    return
        self._store.prune(self._light)

class _Lights(_Shards):
    """What the light files answer: a file's group and its line runs."""

    keys: _Keys

    def group(self, rel: str, made_from: str | None, make: Callable[[], Any]) -> Any:
        """What the file's units add to the record (groups.Group): the remembered one while
        `made_from` (a print of everything it is made from; None: not to be remembered) is
        the same, else `make()`."""
        old, new = self._lights(rel)
        if made_from is not None and old.group is not None and old.group[0] == made_from:
            new.group = old.group
            return old.group[1]
        made = make()
        old.group = None  # not held to the end of the record beside the new one
        if made_from is not None:
            new.group, new.dirty = (made_from, made), True
        return made

    def runs(self, rel: str, compute: Callable[[], tuple[LineRun, ...] | None]) -> tuple[LineRun, ...] | None:
        """The file's line runs (None: the file is gone)."""
        digest = self.keys.of_file(rel)
        old, new = self._lights(rel)
        if old.runs is not None and digest is not None and old.runs.digest == digest:
            new.runs = old.runs
            return old.runs.runs
        runs = compute()
        if runs is not None and digest is not None:
            new.runs, new.dirty = _Runs(digest, runs, None), True
        return runs

    def runs_line(self, rel: str, runs: Sequence[LineRun]) -> bytes:
        """The file's line runs as their line of record.json."""
        light = self._light.get(rel)
        kept = light.runs if light is not None else None
        if light is None or kept is None or kept.runs is not runs:
            return runs_line(rel, runs)
        if kept.line is None:
            kept.line = runs_line(rel, runs)
            light.dirty = True
        return kept.line


class Pieces(_Lights):
    """Per-unit and per-file results of one record, old ones reused where still valid;
    without a store it only computes."""

    def __init__(self, store: Path | None = None, token: str = "", digests: Mapping[str, str] | None = None) -> None:
        super().__init__(store, token)
        self.digests = dict(digests or {})
        self.keys = _Keys(self.digests)
        self._by_id: dict[str, _Unit] = {}

    def know(self, ev: GitEvidence, files: Iterable[str]) -> None:
        """The git evidence the record attributes from (before any piece is asked for)."""
        self.keys = _Keys(self.digests, ev, files)

    def attributions(self, units: Sequence[Unit], enclosing: Mapping[str, tuple[Marker, ...]],
                     uses: Callable[[Unit], tuple[str, ...]],
                     compute: Callable[[Unit, tuple[Marker, ...]], Attribution],
                     untagged: Callable[[Unit], set[str]]) -> tuple[Attribution, ...]:
        """Every unit's attribution: the remembered one while nothing it was made from
        changed (`uses(unit)`: its \\uses naming existing labels), else `compute(unit,
        enclosing markers)`; `untagged(unit)`, its commits without AI evidence, beside it."""
        out = []
        shards: dict[str, tuple[dict[str, _Unit], _Shard]] = {}
        for u in units:
            here = shards.get(u.file)
            if here is None:
                here = shards[u.file] = (self._shard(u.file, old=True).units, self._shard(u.file, old=False))
            around = enclosing.get(u.id, ())
            digests = self.keys.of_unit(u)
            entry = here[0].get(u.id)
            if (entry is None or digests is None or entry.digests != digests or entry.unit != u
                    or entry.enclosing != around or entry.attribution.unit.uses != uses(u)):
                entry = _Unit(u, around, digests or (), compute(u, around), frozenset(untagged(u)))
                here[1].dirty = True
            here[1].units[u.id] = entry
            self._by_id[u.id] = entry
            out.append(entry.attribution)
        for rel in shards:
            self._done(rel)
        return tuple(out)

    def untagged(self, units: Iterable[Unit]) -> set[str]:
        """The commits with no AI evidence behind some line of these units."""
        out: set[str] = set()
        for u in units:
            out |= self._by_id[u.id].untagged
        return out

    def unit_line(self, a: Attribution) -> bytes:
        """`a`'s line of record.json; remembered only for the attribution as made here
        (one a review or a check result changed is encoded afresh each time)."""
        entry = self._by_id.get(a.unit.id)
        if entry is None or entry.attribution is not a:
            return unit_line(a)
        if entry.line is None:
            entry.line = unit_line(a)
            self._shard(a.unit.file, old=False).dirty = True
        return entry.line


class _Keys:
    """What the pieces of a file are made from: its content and the git evidence for its
    lines (`_print`), one string per file, made once; and what one unit's
    attribution is made from, the blame of its own lines and what notes, line facts or a
    shallow boundary say of that file's commits (an attribution reads no line's text:
    rewording one line of a long chapter leaves its other units' keys as they were)."""

    def __init__(self, digests: Mapping[str, str], ev: GitEvidence | None = None,
                 files: Iterable[str] = ()) -> None:
        self.digests, self.ev = digests, ev
        self._made: dict[str, str | None] = {}
        self._starts: dict[str, list[int]] = {}
        self._said: dict[str, str] = {}
        self.evidence = {f: self._print(f) for f in files}

    def of_file(self, rel: str) -> str | None:
        """None for a file that is not a record input (never remembered)."""
        if rel not in self._made:
            digest = self.digests.get(rel)
            self._made[rel] = None if digest is None else f"{digest} {self.evidence.get(rel, '')}"
        return self._made[rel]

    def of_files(self, files: Iterable[str]) -> tuple[tuple[str, str], ...] | None:
        """(file, of_file) for each of the files, sorted; None if one is not an input."""
        out = []
        for f in sorted(files):
            k = self.of_file(f)
            if k is None:
                return None
            out.append((f, k))
        return tuple(out)

    def of_unit(self, unit: Unit) -> tuple[tuple[str, str], ...] | None:
        """(file, key) per range of the unit's lines: the blame of those lines and what
        is said of the file's commits; None if a file is not an input."""
        out = []
        for f, lo, hi in unit.spans:
            if self.digests.get(f) is None:
                return None
            out.append((f, f"{self.said(f)} {self._blame(f, lo, hi)}"))
        return tuple(out)

    def _print(self, rel: str) -> str:
        """A digest of everything the file's lines are attributed from: which commit each
        line comes from (blame), and what is `said` of those commits. A commit's own
        message and names cannot change, so its id stands for them. A new commit that
        touches no line of a file leaves the file's print as it was."""
        blame = self.ev.blame if self.ev else {}
        h = hashlib.sha256((blame.print(rel) if isinstance(blame, Blames) else blame_print(blame.get(rel, ()))).encode())
        h.update(self.said(rel).encode())
        return h.hexdigest()

    def said(self, rel: str) -> str:
        """What the `paperprov tag` notes, git-ai and Agent Trace line facts and the
        shallow boundary say of the commits behind the file's lines."""
        if rel not in self._said:
            self._said[rel] = _said(self.ev, rel) if self.ev else ""
        return self._said[rel]

    def _blame(self, rel: str, lo: int, hi: int) -> str:
        spans = self.ev.blame.get(rel, ()) if self.ev else ()
        starts = self._starts.get(rel)
        if starts is None:
            starts = self._starts[rel] = [s.start for s in spans]
        first = max(bisect_right(starts, lo) - 1, 0)
        last = bisect_right(starts, hi)
        clipped = [(max(lo, s.start), min(hi, s.start + s.length - 1), s.commit, s.orig_path,
                    s.orig_start + max(lo, s.start) - s.start) for s in spans[first:last]]
        return hashlib.sha256(repr([c for c in clipped if c[0] <= c[1]]).encode()).hexdigest()


class _Store:
    """Shards and light files on disk, two per file: a header (version, shape, token,
    file, kind), then the body, read only when the header matches."""

    _SUFFIX: dict[type, str] = {_Shard: ".pickle", _Light: ".light.pickle"}

    def __init__(self, directory: Path, token: str) -> None:
        self.directory, self.token = directory, token
        self.top = str(directory)

    def path(self, rel: str, kind: type) -> str:
        return os.path.join(self.top, shard_name(rel, self._SUFFIX[kind]))  # not pathlib's `/`: 600 a record

    def _header(self, rel: str, kind: type) -> dict[str, object]:
        return {"version": __version__, "shape": _SHAPE, "token": self.token, "file": rel, "kind": kind.__name__}

    def load(self, rel: str, kind: type[_T]) -> _T | None:
        found = pickled.load(self.path(rel, kind), self._header(rel, kind).__eq__)
        return found[1] if found is not None and isinstance(found[1], kind) else None

    def save(self, rel: str, body: _Shard | _Light) -> bool:
        return pickled.save(self.path(rel, type(body)), self._header(rel, type(body)), body)

    def prune(self, files: Collection[str]) -> None:
        """Remove the shards and light files of every file but these."""
        keep = {shard_name(rel, suffix) for rel in files for suffix in self._SUFFIX.values()}
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.endswith(".pickle") and name not in keep:
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass


def _said(ev: GitEvidence, rel: str) -> str:
    """What notes, line facts or a shallow boundary say of the commits behind `rel`'s
    lines ("" when nothing: most repositories)."""
    if not (ev.notes or ev.line_facts or ev.boundary):
        return ""
    paths: dict[str, set[str]] = {}
    for s in ev.blame.get(rel, ()):
        if s.commit:
            paths.setdefault(s.commit, set()).add(s.orig_path)
    said = [(c, [t for t in ev.notes.get(c, ()) if t.path in paths[c]],
             [x for x in ev.line_facts.get(c, ()) if x.path in paths[c]], c in ev.boundary)
            for c in sorted(paths)]
    said = [x for x in said if x[1] or x[2] or x[3]]
    return repr(said) if said else ""


def shard_name(rel: str, suffix: str = ".pickle") -> str:
    """The file under the store that holds `rel`'s pieces (its shard; `.light.pickle`:
    its light file)."""
    return hashlib.sha256(rel.encode()).hexdigest()[:32] + suffix


def token(parts: Sequence[str]) -> str:
    """The token of the pieces: what every remembered piece depends on besides its files."""
    h = hashlib.sha256(f"paperprov {__version__}\n{_SHAPE}\n".encode())
    for p in parts:
        h.update(p.encode() + b"\n")
    return h.hexdigest()
