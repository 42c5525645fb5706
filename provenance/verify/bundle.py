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

import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from provenance.attest import statements as manifest
from provenance.attest.archive import TarTree, tar_tree
from provenance.errors import VerifyError
from provenance.hashing import sha256_stream
from provenance.paths import ATTESTATION, SOURCE_TAR

MAX_TOTAL = 2 << 30  # bytes, decompressed, in a whole bundle
MAX_RATIO = 200  # decompressed/compressed, for entries above 1 MiB
MAX_ENTRIES = 100_000


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
            with self.zf.open(info) as member:
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
                except (ValueError, zipfile.BadZipFile, OSError) as exc:
                    raise VerifyError(f"{name}: cannot read it from the bundle ({exc})") from None
        return self._digests[name]

    def read(self, name: str, limit: int = 256 << 20) -> bytes | None:
        with self.open(name) as fh:
            if fh is None:
                return None
            try:
                data = fh.read(limit + 1)
            except (zipfile.BadZipFile, OSError) as exc:
                raise VerifyError(f"{name}: cannot read it from the bundle ({exc})") from None
        if len(data) > limit:
            raise VerifyError(f"{name}: larger than {limit} bytes; refusing to read it")
        return data


def open_zip(path: Path) -> zipfile.ZipFile:
    """A zip whose entry names and sizes are safe to read; VerifyError otherwise."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise VerifyError(f"{path}: not a readable zip ({exc})") from None
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise VerifyError(f"{path}: {len(infos)} entries; refusing more than {MAX_ENTRIES}")
    seen, total = set(), 0
    for info in infos:
        name = info.filename.rstrip("/") if info.is_dir() else info.filename
        if not manifest.is_safe_name(name):
            raise VerifyError(f"{path}: refusing entry {info.filename!r} (absolute path, '..' or empty component)")
        if name in seen:
            raise VerifyError(f"{path}: entry {name!r} appears twice; refusing an ambiguous bundle")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise VerifyError(f"{path}: entry {name!r} is encrypted; a submission is never encrypted")
        total += info.file_size
        if total > MAX_TOTAL:
            raise VerifyError(f"{path}: more than {MAX_TOTAL >> 30} GiB once decompressed; refusing it")
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise VerifyError(f"{path}: entry {name!r} expands more than {MAX_RATIO}x (a zip bomb?); refusing it")
    return zf


def locate(path: Path) -> tuple[Bundle, str]:
    """The bundle PATH names and the attestation's name inside it."""
    if not path.exists():
        raise VerifyError(f"{path}: no such file or directory; give a submission zip, a build directory or an attestation")
    if path.is_file() and zipfile.is_zipfile(path):
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

# What source.tar holds, as git would name it (attest/archive.py: the same walk makes the
# attested tree id on the author's side).
SourceTree = TarTree


def source_tree(bundle: Bundle, algo: str) -> SourceTree | None:
    """source.tar hashed in one streamed pass (blob ids with `algo`, sha1 or sha256, and
    each file's sha256); None when the bundle has no source.tar."""
    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return None
        try:
            return tar_tree(fh, algo)
        except zipfile.BadZipFile as exc:
            raise VerifyError(f"{SOURCE_TAR}: not a readable tar archive ({exc})") from None


def extract_source(bundle: Bundle, dest: str) -> str | None:
    """Extract source.tar into `dest`; None on success, else why not (for a failed Check)."""
    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return f"no {SOURCE_TAR} in the bundle"
        try:
            with tarfile.open(fileobj=fh, mode="r|") as tf:
                tf.extractall(dest, filter="data")
        except (tarfile.TarError, OSError) as exc:
            return f"cannot extract {SOURCE_TAR} ({exc})"
    return None
