"""The record remembered whole: `record_json` answers from `<git-dir>/paperprov/record.json`
while nothing the record is made of has changed, so a `paperprov status` (or a record
task) that finds the same inputs costs a hash of the sources, not a scan and an
attribution of every unit.

The key is what the record task's up-to-date check looks at (scan/sources.record_inputs:
every source the record reads, the claim-check outcomes, Agent Trace files, and
evidence/gitstate.state_token: HEAD, the notes refs, the shallow boundary, an open
session), by content, plus what the index stages for those inputs (a `git add` or
`git rm --cached` changes what `dirty` says) and paperprov's version. A damaged,
unreadable or unwritable cache is simply not used. Same inputs, same bytes: the cache
stores the record's exact bytes. When the key changes, the record is made again from what
is remembered per file (pieces.py), so an edit or a commit costs the files it touched.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from provenance import __version__, pickled
from provenance.config import Config
from provenance.errors import GitError
from provenance.evidence import gitstate
from provenance.evidence.gitrun import LITERAL, git
from provenance.fsutil import keep, write_bytes_atomic, write_cache
from provenance.hashing import keep_known, load_known, source_digest
from provenance.model import Record
from provenance.record.assemble import Made, make_record
from provenance.record.groups import GRAPH
from provenance.record.pieces import STORE, Pieces, token
from provenance.record.table import Laid, layout
from provenance.recordjson import parse_record, parts_of, record_to_json
from provenance.scan.sources import record_inputs, trace_files

CACHE = "paperprov/record.json"
LAID = "paperprov/table.pickle"  # what the record's status table is laid out from
TABLE = "paperprov/status.txt"  # the table itself, for the last checks' durations
DIGESTS = "paperprov/digests.json"  # the sources' digests by their stat (hashing.keep_known)
_HEADER = b"paperprov-record-cache "


def digests(cfg: Config) -> dict[str, str]:
    """Every record input (scan/sources.record_inputs) by content; "missing" for one
    that cannot be read."""
    top = str(cfg.root)  # joined as text: pathlib's `/` costs more than the (remembered) digest
    return {rel: source_digest(os.path.join(top, rel)) or "missing"
            for rel in record_inputs(cfg, gitstate.walk_store(cfg.root))}


def key(cfg: Config, inputs: Mapping[str, str]) -> str:
    """The record's cache key; `inputs` are digests(cfg)."""
    h = hashlib.sha256(f"paperprov {__version__}\n".encode())
    # An anonymous build records fewer units (submission.anonymize): another record.
    h.update(f"anonymous {cfg.submission.anonymous} {list(cfg.submission.anonymize)}\n".encode())
    h.update(gitstate.state_token(cfg.root, cfg.evidence.refs).encode())
    if gitstate.git_dir(cfg.root) is not None:
        # What the index holds for the inputs (a `git add` or `git rm --cached` changes
        # what `dirty` says); not the index file's stat, which `git status` rewrites.
        staged = git(cfg.root, LITERAL, "ls-files", "--stage", "-z", "--", *inputs, check=False).stdout
        h.update(b"index " + hashlib.sha256(staged).hexdigest().encode() + b"\n")
    for rel, digest in inputs.items():
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def record_json(cfg: Config, use_cache: bool = True) -> bytes:
    """The bytes of build/record.json for the working tree as it is now."""
    parts = record_json_made(cfg, use_cache)[0]
    return parts[0] if len(parts) == 1 else b"".join(parts)


def record_json_made(cfg: Config, use_cache: bool = True) -> tuple[list[bytes], Made | None]:
    """record_json's bytes in parts, for a caller that writes them out one after another
    (`status --json`: a book's record is not held twice to be joined), and the record as
    made when it was made now (None when the cache answered whole)."""
    with _keyed(cfg, use_cache) as keyed:
        if keyed is None:
            made = make_record(cfg, use_cache)
            return parts_of(made, made.lines, dependencies=made.dependencies), made
        common, inputs, k = keyed
        try:
            with open(common / CACHE, "rb") as fh:
                if fh.readline() == _HEADER + k.encode() + b"\n":
                    return [fh.read()], None
        except OSError:
            pass
        return _make(cfg, common, inputs, k)


def status_table(cfg: Config, durations: Mapping[str, float]) -> str:
    """The `paperprov status` table of the record of the working tree now (table.py),
    remembered in `<git-dir>/paperprov/status.txt` under the record's key and the checks'
    durations; else laid out from what the record was laid out from when it was made
    (kept beside it), so a status after a build or an edit never reads a record back."""
    with _keyed(cfg) as keyed:
        if keyed is None:
            return layout(make_record(cfg).laid, durations)
        common, inputs, k = keyed
        tkey = hashlib.sha256(f"{k} {sorted(durations.items())!r}".encode()).hexdigest().encode() + b"\n"
        try:
            with open(common / TABLE, "rb") as fh:
                if fh.readline() == tkey:
                    return fh.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        found = pickled.load(common / LAID, {"version": __version__, "record": k}.__eq__)
        laid = found[1] if found is not None and isinstance(found[1], Laid) else _make(cfg, common, inputs, k)[1].laid
        text = layout(laid, durations)
        write_cache(common / TABLE, (tkey, text.encode("utf-8")))
        return text


@contextmanager
def _keyed(cfg: Config, use_cache: bool = True) -> Iterator[tuple[Path, dict[str, str], str] | None]:
    """Where the record is kept (the git directory), its inputs' digests and its key;
    None outside git (nowhere to keep it) or without the caches. Meanwhile the garbage
    collector is off (_no_gc) and the sources' digests are remembered by their stat
    across processes (hashing.keep_known)."""
    with _no_gc():
        common = gitstate.common_dir(cfg.root) if use_cache else None
        if common is None:
            yield None
            return
        load_known(common / DIGESTS)
        inputs = digests(cfg)
        yield common, inputs, key(cfg, inputs)
        keep_known(common / DIGESTS, cfg.root)


# What `warm` may hold in memory, as bytes of pickle on disk: a book's light files and
# walk (~40 MB) fit; its shards, read only for the files an edit touched, are not held.
WARM_BUDGET = 256 << 20


def warm(directory: Path, enough: Callable[[], bool] = lambda: False) -> None:
    """Unpickle now what a record of the repository at or above `directory` reads after
    an edit (the walk, the statement closure, what the table is laid out from, every
    file's light file: pickled.preload), for a server that forks a process per request
    (cli/serve.py) to do between requests; `enough()` ends it early."""
    try:
        common = gitstate.common_dir(gitstate.find_root(directory))
    except GitError:
        return
    if common is None:
        return
    store = common / STORE
    try:
        lights = sorted(os.path.join(store, n) for n in os.listdir(store) if n.endswith(".light.pickle"))
    except OSError:
        lights = []
    paths = [str(common / gitstate.WALK_STORE), str(common / GRAPH), str(common / LAID), *lights]
    pickled.preload(paths, common / "paperprov", WARM_BUDGET, enough)


def _make(cfg: Config, common: Path, inputs: Mapping[str, str], k: str) -> tuple[list[bytes], Made]:
    """Make the record from what is remembered per file; keep it whole under its key `k`,
    and what its status table is laid out from."""
    pieces = _pieces(cfg, common / STORE, inputs)
    made = make_record(cfg, True, pieces, common)
    parts = parts_of(made, made.lines, pieces.runs_line, made.dependencies)
    keep(partial(_keep_made, common, k, pieces, parts, made))
    return parts, made


def _keep_made(common: Path, k: str, pieces: Pieces, parts: list[bytes], made: Made) -> None:
    """The record's pieces, its bytes under its key, and what its table is laid out from."""
    pieces.save()
    write_cache(common / CACHE, [_HEADER + k.encode() + b"\n", *parts])
    pickled.save(common / LAID, {"version": __version__, "record": k}, made.laid)


def _pieces(cfg: Config, store: Path, inputs: Mapping[str, str]) -> Pieces:
    """What the record remembers per file (pieces.py), keyed beside the files and their
    git evidence by what every piece reads: provenance.yaml as read (its values, not its
    bytes: a comment or a reordered key there does not make a book's every unit again),
    the Agent Trace records."""
    parts = [f"config {hashlib.sha256(repr(cfg).encode()).hexdigest()}"]
    parts += [f"trace {rel} {inputs.get(rel, 'missing')}" for rel in trace_files(cfg)]
    return Pieces(store, token(parts), inputs)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a record is made: the record is tens of
    thousands of small objects, none of them garbage yet, and the collector's passes over
    them took a third of the time on a book. Reference counting still frees everything
    that is not a cycle. Before it is on again, what exists is frozen (left out of its
    passes), or its first pass would walk every object made meanwhile (0.5 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


def write_record(cfg: Config, out: Path) -> Record:
    """build/record.json for the working tree as it is now, and the record it holds."""
    data = record_json(cfg)
    if cfg.submission.anonymous:  # names, emails and commit ids replaced (anonymize.py)
        from provenance.record.anonymize import anonymous_record

        data = record_to_json(anonymous_record(cfg, parse_record(data, str(out))))
    write_bytes_atomic(out, data)
    return parse_record(data, str(out))
