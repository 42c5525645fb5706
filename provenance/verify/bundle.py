"""Reading what a reviewer was given, without trusting it: a submission zip or a build directory.

The bundle is hostile input until verified, so every read is bounded before anything
is decompressed or written: entry names must be safe relative paths (no absolute path,
no '..', no empty component), a zip may hold at most MAX_ENTRIES entries and MAX_TOTAL
bytes once decompressed, and a large entry may not expand more than MAX_RATIO times (a
zip bomb). A zip or a source.tar that breaks these bounds is refused as a whole with a
VerifyError (which verify.py reports as "cannot be examined"), never read in part.
source.tar is read here too: streamed once to recompute its git tree id (so the
attested `gitTree` can be checked without git), and extracted, with tarfile's "data"
filter, for a rebuild. Deciding what the results mean is verify.py's job.
"""

from __future__ import annotations

import json
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from provenance.attest import statements as manifest
from provenance.attest.archive import TarTree, tar_tree
from provenance.errors import VerifyError
from provenance.hashing import sha256_stream
from provenance.paths import ATTESTATION, SOURCE_TAR


def show(name: str, limit: int = 80) -> str:
    """An entry name from a hostile archive, quoted and cut short for a message."""
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 3] + "..."

MAX_TOTAL = 2 << 30  # bytes, decompressed, in a whole bundle
MAX_RATIO = 200  # decompressed/compressed, for entries above 1 MiB
MAX_ENTRIES = 100_000
# Everything reading a zip member or a tar stream may raise on a corrupt archive: a bad
# deflate stream (zlib.error), a truncated one (EOFError), a bad CRC or header
# (BadZipFile), an unknown compression method (NotImplementedError).
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
               RuntimeError, tarfile.TarError)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty zip's end record


@dataclass
class Bundle:
    """Files by repo-relative name, from a directory or a zip; digests are cached."""

    root: Path | None = None
    zf: zipfile.ZipFile | None = None
    _digests: dict[str, str | None] = field(default_factory=dict)

    def names(self) -> list[str]:
        if self.zf is not None:
            return [i.filename for i in self.zf.infolist() if not i.is_dir()]
        return []

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes] | None]:
        if not manifest.is_safe_name(name):
            yield None
        elif self.zf is not None:
            try:
                info = self.zf.getinfo(name)
            except KeyError:
                yield None
                return
            try:
                member = self.zf.open(info)
            except READ_ERRORS as exc:
                raise VerifyError(f"{name}: cannot read it from the bundle ({exc})") from None
            with member:
                yield member
        else:
            assert self.root is not None
            path = self.root / name
            fh: IO[bytes] | None
            try:
                inside = path.resolve().is_relative_to(self.root.resolve())
                fh = open(path, "rb") if inside and path.is_file() else None
            except OSError:
                fh = None
            if fh is None:
                yield None
                return
            with fh:
                yield fh

    def has(self, name: str) -> bool:
        with self.open(name) as fh:
            return fh is not None

    def digest(self, name: str) -> str | None:
        if name not in self._digests:
            with self.open(name) as fh:
                try:
                    self._digests[name] = None if fh is None else sha256_stream(fh, MAX_TOTAL)[0]
                except READ_ERRORS as exc:
                    raise VerifyError(f"{name}: cannot read it from the bundle ({exc})") from None
        return self._digests[name]

    def read(self, name: str, limit: int = 256 << 20) -> bytes | None:
        with self.open(name) as fh:
            if fh is None:
                return None
            try:
                data = fh.read(limit + 1)
            except READ_ERRORS as exc:
                raise VerifyError(f"{name}: cannot read it from the bundle ({exc})") from None
        if len(data) > limit:
            raise VerifyError(f"{name}: larger than {limit} bytes; refusing to read it")
        return data

    def read_json(self, name: str) -> Any:
        """The member parsed as JSON; None when it is absent or not JSON (the check that
        reads it says what that means)."""
        raw = self.read(name)
        try:
            return json.loads(raw) if raw is not None else None
        except (ValueError, RecursionError):
            return None


def _local_name(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The name in the entry's local header (what a streaming unzip would extract)."""
    assert zf.fp is not None
    zf.fp.seek(info.header_offset)
    head = zf.fp.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    (size,) = struct.unpack("<H", head[26:28])
    return zf.fp.read(size)


def _check_entry(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    if not manifest.is_safe_name(name):
        raise VerifyError(f"{path}: refusing entry {show(info.filename)} (absolute path, '..' or empty component)")
    if info.flag_bits & 0x1:
        raise VerifyError(f"{path}: entry {show(name)} is encrypted; a submission is never encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise VerifyError(f"{path}: entry {show(name)} uses compression method {info.compress_type}; "
                          "a submission uses only stored or deflate")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise VerifyError(f"{path}: entry {show(name)} is a symbolic link; a submission holds none")
    local = _local_name(zf, info)
    if local is None or local.decode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace") != info.filename:
        raise VerifyError(f"{path}: entry {show(name)}: its local header names another file (or is missing); "
                          "refusing an ambiguous zip")
    if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise VerifyError(f"{path}: entry {show(name)} expands more than {MAX_RATIO}x (a zip bomb?); refusing it")


def open_zip(path: Path) -> zipfile.ZipFile:
    """A zip whose entry names, headers, methods and sizes are safe to read, checked
    before any entry is decompressed; VerifyError otherwise."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise VerifyError(f"{path}: a zip that cannot be read (truncated or corrupt? {exc})") from None
    try:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise VerifyError(f"{path}: {len(infos)} entries; refusing more than {MAX_ENTRIES}")
        seen, total = set(), 0
        for info in infos:
            name = info.filename.rstrip("/") if info.is_dir() else info.filename
            _check_entry(path, zf, info, name)
            if name in seen:
                raise VerifyError(f"{path}: entry {show(name)} appears twice; refusing an ambiguous bundle")
            seen.add(name)
            total += info.file_size
            if total > MAX_TOTAL:
                raise VerifyError(f"{path}: more than {MAX_TOTAL >> 30} GiB once decompressed; refusing it")
    except OSError as exc:
        zf.close()
        raise VerifyError(f"{path}: cannot read the zip ({exc})") from None
    except VerifyError:
        zf.close()
        raise
    return zf


def _is_zip(path: Path) -> bool:
    """A zip by its first bytes or its end record: a truncated zip is still a zip (and
    refused as one), never read as an attestation."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in ZIP_MAGIC or zipfile.is_zipfile(path)
    except OSError:
        return False


def locate(path: Path) -> tuple[Bundle, str]:
    """The bundle PATH names and the attestation's name inside it."""
    if not path.exists():
        raise VerifyError(f"{path}: no such file or directory; give a submission zip, a build directory or an attestation")
    if path.is_file() and _is_zip(path):
        return Bundle(zf=open_zip(path)), ATTESTATION
    if path.is_dir():
        if (path / ATTESTATION).is_file():
            return Bundle(root=path), ATTESTATION
        if (path / "attestation.intoto.jsonl").is_file() and path.name == "build":
            return Bundle(root=path.parent), ATTESTATION
        raise VerifyError(f"{path}: no {ATTESTATION} here; run `doit build` or give the submission zip")
    if path.parent.name == "build":
        return Bundle(root=path.parent.parent), f"build/{path.name}"
    return Bundle(root=path.parent), path.name


# -- source.tar ------------------------------------------------------------------------

# What source.tar holds, as git would name it: the same walk (attest/archive.py) makes
# the attested tree id on the author's side, so the two cannot disagree.
SourceTree = TarTree


class _Budget:
    """The bounds on source.tar's members, checked from each header before its data is
    read: a safe name, at most MAX_ENTRIES members and MAX_TOTAL bytes in all, counting
    a sparse member at its full size (and refusing it: `git archive` writes none)."""

    def __init__(self) -> None:
        self.entries = 0
        self.total = 0

    def admit(self, m: tarfile.TarInfo) -> str:
        name = m.name.rstrip("/")
        self.entries += 1
        if self.entries > MAX_ENTRIES or not manifest.is_safe_name(name):
            raise VerifyError(f"{SOURCE_TAR}: refusing entry {show(m.name)} (unsafe name or too many entries)")
        if m.issparse():
            raise VerifyError(f"{SOURCE_TAR}: entry {show(m.name)} is a sparse file of {m.size} bytes; "
                              "git archive writes none, refusing it")
        self.total += max(m.size, 0)
        if self.total > MAX_TOTAL:
            raise VerifyError(f"{SOURCE_TAR}: more than {MAX_TOTAL >> 30} GiB of files; refusing it")
        return name


def source_tree(bundle: Bundle, algo: str) -> SourceTree | None:
    """source.tar hashed in one streamed pass (blob ids with `algo`, sha1 or sha256, and
    each file's sha256), every member admitted by the budget first; None when the bundle
    has no source.tar."""
    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return None
        try:
            return tar_tree(fh, algo, admit=_Budget().admit)
        except READ_ERRORS as exc:
            raise VerifyError(f"{SOURCE_TAR}: not a readable tar archive ({exc})") from None


def extract_source(bundle: Bundle, dest: str) -> str | None:
    """Extract source.tar into `dest` within the same bounds (and tarfile's "data"
    filter); None on success, else why not (for a failed Check)."""
    budget = _Budget()

    def bounded(m: tarfile.TarInfo, where: str) -> tarfile.TarInfo | None:
        budget.admit(m)
        return tarfile.data_filter(m, where)

    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return f"no {SOURCE_TAR} in the bundle"
        try:
            with tarfile.open(fileobj=fh, mode="r|") as tf:
                tf.extractall(dest, filter=bounded)
        except VerifyError as err:
            return str(err)
        except READ_ERRORS as exc:
            return f"cannot extract {SOURCE_TAR} ({exc})"
    return None
