"""source.tar of an anonymous submission: the files of the commit, and nothing that names it
or its authors.

It is written here, not by `git archive`, which puts the commit id into a pax header and the
owner "root" into every entry: entries are the commit's files in path order, regular files
0644 or 0755, symbolic links, no folders, owner 0 with no names, mtime SOURCE_DATE_EPOCH, no
global header. Same commit, same bytes (its sha256 is attested).

Left out (and listed, with each file's sha256 at the commit, in the reveal file):
- what `submission.anonymize` matches (acknowledgements, funding, an authors file),
- what `submission.exclude` matches (left out in every mode),
- keys/*.pub (long-term public keys identify their owners) and .mailmap.
Rewritten: provenance.yaml, with every name, email and key name replaced by its pseudonym's
form (evidence/identities.py), comments included; a rebuild reads the rest of it unchanged.
Any other file that names someone is not changed: the leak check refuses the submission
and says which file, so the authors decide (anonymize it, or edit it).
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from provenance.config import CONFIG_NAME, Config
from provenance.config.globs import matches
from provenance.errors import GitError
from provenance.evidence.gitrun import git
from provenance.evidence.identities import Identities

AUTO_OMIT = ("keys/*.pub", ".mailmap")


@dataclass(frozen=True)
class AnonArchive:
    tar: bytes
    sha256: str
    files: Mapping[str, str]  # archived path -> sha256 of its bytes in the archive
    omitted: tuple[tuple[str, str], ...]  # (path, sha256 of the file at the commit)
    rewritten: tuple[str, ...]  # archived with identities replaced


def tree_entries(root: Path, commit: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of every file of the commit (submodules have no files here)."""
    out = []
    raw = git(root, "ls-tree", "-r", "-z", "--full-tree", commit).stdout.decode("utf-8", "surrogateescape")
    for rec in raw.split("\0"):
        if "\t" not in rec:
            continue
        meta, path = rec.split("\t", 1)
        mode, kind, oid = meta.split()
        if kind == "blob":
            out.append((mode, oid, path))
    return sorted(out, key=lambda e: e[2].encode("utf-8", "surrogateescape"))


def read_blobs(root: Path, oids: list[str]) -> dict[str, bytes]:
    """Blob contents by id, in one `git cat-file --batch`."""
    if not oids:
        return {}
    data = git(root, "cat-file", "--batch", input=("\n".join(oids) + "\n").encode()).stdout
    out, pos = {}, 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        header = data[pos:nl].decode().split()
        if len(header) != 3:  # "<oid> missing": a partial clone
            raise GitError(f"blob {header[0] if header else '?'} is not in this clone (a partial clone?); "
                           "fetch it (`git fetch`), or leave its file out with submission.exclude")
        size = int(header[2])
        out[header[0]] = data[nl + 1:nl + 1 + size]
        pos = nl + 1 + size + 1
    return out


def _entry(path: str, mode: str, content: bytes, epoch: int) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(path)
    info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "", ""
    if mode == "120000":
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, content.decode("utf-8", "surrogateescape"), 0o777
        return info, None
    info.size, info.mode = len(content), 0o755 if mode == "100755" else 0o644
    return info, content


def omitted_globs(cfg: Config) -> tuple[str, ...]:
    return cfg.submission.anonymize + cfg.submission.exclude + AUTO_OMIT


def anonymous_archive(cfg: Config, commit: str, ids: Identities, epoch: int) -> AnonArchive:
    entries = tree_entries(cfg.root, commit)
    blobs = read_blobs(cfg.root, sorted({oid for _, oid, _ in entries}))
    globs = omitted_globs(cfg)
    buf = io.BytesIO()
    files: dict[str, str] = {}
    omitted: list[tuple[str, str]] = []
    rewritten: list[str] = []
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for mode, oid, path in entries:
            content = blobs[oid]
            if matches(path, globs):
                omitted.append((path, hashlib.sha256(content).hexdigest()))
                continue
            if path == CONFIG_NAME:
                text = content.decode("utf-8", "surrogateescape")
                new = ids.redact(text).encode("utf-8", "surrogateescape")
                if new != content:
                    rewritten.append(path)
                content = new
            info, body = _entry(path, mode, content, epoch)
            tf.addfile(info, io.BytesIO(body) if body is not None else None)
            if body is not None:
                files[path] = hashlib.sha256(body).hexdigest()
    tar = buf.getvalue()
    return AnonArchive(tar=tar, sha256=hashlib.sha256(tar).hexdigest(), files=files, omitted=tuple(omitted),
                       rewritten=tuple(rewritten))
