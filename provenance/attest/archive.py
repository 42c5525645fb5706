"""source.tar: `git archive` of the commit, less what the authors keep out of it, and the
git tree id of exactly what it holds.

What is left out: paths the `submission.exclude` globs match (a glob that matches a
folder leaves out everything in it; `*` also matches `/`, as in `annotations`), and what
`.gitattributes` marks `export-ignore` (git archive's own rule). The tree id is computed
from the archive's entries, as `git write-tree` would name them (tar_tree, which verify
uses on the reviewer's side too), so the attested `gitTree` and verify's agree whatever
git archive did (export-ignore, export-subst, submodules). The attestation lists what
was left out, folders as `dir/`.

A blob that is not in this clone (a partial clone whose remote is out of reach) or that is
a Git LFS pointer (the archive would hold the pointer, not the file the build read) is
one GitError naming the paths and what to do.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import os
import subprocess
import tarfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeAlias

from provenance.attest import statements as manifest
from provenance.errors import GitError, VerifyError
from provenance.evidence.gitrun import git
from provenance.paths import SOURCE_TAR

LFS_POINTER = b"version https://git-lfs.github.com/spec/"

# A directory: name -> subdirectory or (mode, object id).
_Tree: TypeAlias = "dict[str, _Tree | tuple[str, bytes]]"


@dataclass(frozen=True)
class TarTree:
    """What a source.tar holds, as git would name it."""

    tree: str  # git tree id of the entries, in the given hash algorithm
    commit: str  # from the pax header `git archive` writes ("" when absent)
    sha256: Mapping[str, str]  # regular files by name
    names: frozenset[str] = frozenset()  # every entry but folders


def git_tree_id(entries: dict[str, tuple[str, bytes]], algo: str) -> str:
    """Git's tree id of {path: (mode, object id)}, computed as `git write-tree` would."""
    tree: _Tree = {}
    for path, leaf in entries.items():
        node = tree
        *dirs, base = path.split("/")
        for d in dirs:
            sub = node.setdefault(d, {})
            if not isinstance(sub, dict):  # a hostile tar: "a" is a file and "a/b" one too
                raise VerifyError(f"{SOURCE_TAR}: refusing entry {path!r} (its parent {d!r} is a file)")
            node = sub
        node[base] = leaf

    def write(node: _Tree) -> bytes:
        items = []
        for name, child in node.items():
            if isinstance(child, dict):
                items.append((name + "/", b"40000 " + name.encode() + b"\0" + write(child)))
            else:
                mode, oid = child
                items.append((name, mode.encode() + b" " + name.encode() + b"\0" + oid))
        body = b"".join(e for _, e in sorted(items, key=lambda x: x[0].encode()))
        return hashlib.new(algo, b"tree %d\0" % len(body) + body).digest()

    return write(tree).hex()


def _admit(m: tarfile.TarInfo) -> str:
    name = m.name.rstrip("/")
    if not manifest.is_safe_name(name):
        raise VerifyError(f"{SOURCE_TAR}: refusing entry {m.name!r} (unsafe name)")
    return name


def tar_tree(fh: IO[bytes], algo: str, admit: Callable[[tarfile.TarInfo], str] = _admit) -> TarTree:
    """A tar stream hashed in one pass (blob ids with `algo`, sha1 or sha256, and each
    file's sha256). `admit` checks each member from its header before its data is read
    and returns its name (verify passes its bounds); an odd member type is a VerifyError.
    A corrupt stream raises what tarfile raises: callers say what it means."""
    entries: dict[str, tuple[str, bytes]] = {}
    sha: dict[str, str] = {}
    with tarfile.open(fileobj=fh, mode="r|") as tf:
        for m in tf:
            name = admit(m)
            if m.isdir():
                continue
            if m.issym():
                data = m.linkname.encode()
                entries[name] = ("120000", hashlib.new(algo, b"blob %d\0" % len(data) + data).digest())
            elif m.isfile():
                blob, s256 = hashlib.new(algo, b"blob %d\0" % m.size), hashlib.sha256()
                f = tf.extractfile(m)
                while f is not None and (chunk := f.read(1 << 20)):
                    blob.update(chunk)
                    s256.update(chunk)
                entries[name] = ("100755" if m.mode & 0o100 else "100644", blob.digest())
                sha[name] = s256.hexdigest()
            else:
                raise VerifyError(f"{SOURCE_TAR}: refusing entry {m.name[:80]!r} of an unexpected type")
        commit = tf.pax_headers.get("comment", "")
    return TarTree(tree=git_tree_id(entries, algo), commit=commit, sha256=sha, names=frozenset(entries))


# -- making it (author's side) ---------------------------------------------------------------

@dataclass(frozen=True)
class SourceArchive:
    tar: bytes
    tree: str
    commit: str
    excluded: tuple[str, ...]  # repo-relative; a folder left out whole as "dir/"


def _files(root: Path, commit: str) -> dict[str, tuple[str, str]]:
    """path -> (type, object id) of every entry of the commit's tree."""
    out: dict[str, tuple[str, str]] = {}
    for rec in git(root, "ls-tree", "-r", "-z", commit).stdout.decode("utf-8", "surrogateescape").split("\0"):
        if "\t" in rec:
            meta, path = rec.split("\t", 1)
            _, kind, oid = meta.split()
            out[path] = (kind, oid)
    return out


def _matches(path: str, globs: tuple[str, ...]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(p, g.rstrip("/")) for g in globs for p in prefixes)


def collapse(excluded: set[str], kept: set[str]) -> list[str]:
    """Excluded paths, a folder none of whose files is kept named once as `dir/`."""
    kept_dirs = {"/".join(k.split("/")[:i]) for k in kept for i in range(1, k.count("/") + 1)}
    out = set()
    for path in excluded:
        parts = path.split("/")
        top = next((i for i in range(1, len(parts)) if "/".join(parts[:i]) not in kept_dirs), None)
        out.add(path if top is None else "/".join(parts[:top]) + "/")
    return sorted(out)


def _missing_objects(root: Path, commit: str, files: dict[str, tuple[str, str]]) -> list[str]:
    """Paths whose blob is not in this clone, asking no remote (rev-list --missing)."""
    env = dict(os.environ, GIT_NO_LAZY_FETCH="1")
    proc = subprocess.run(["git", "rev-list", "--objects", "--no-walk", "--missing=print", commit], cwd=root,
                          env=env, capture_output=True)
    missing = {ln[1:].strip() for ln in proc.stdout.decode().splitlines() if ln.startswith("?")}
    return sorted(p for p, (kind, oid) in files.items() if kind == "blob" and oid in missing)


def _lfs_pointers(tar: bytes) -> list[str]:
    found = []
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as tf:
        for m in tf:
            if m.isfile() and m.size < 1024:
                f = tf.extractfile(m)
                if f is not None and f.read(len(LFS_POINTER)) == LFS_POINTER:
                    found.append(m.name)
    return sorted(found)


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")


def make_archive(root: Path, commit: str, exclude: tuple[str, ...]) -> SourceArchive:
    files = _files(root, commit)
    dropped = {p for p in files if _matches(p, exclude)}
    specs = [f":(exclude,literal){p.rstrip('/')}" for p in collapse(dropped, set(files) - dropped)]
    proc = git(root, "archive", "--format=tar", commit, "--", ".", *specs, check=False)
    if proc.returncode != 0:
        missing = _missing_objects(root, commit, {p: v for p, v in files.items() if p not in dropped})
        if missing:
            raise GitError(f"{SOURCE_TAR}: {len(missing)} file(s) of commit {commit[:12]} are not in this clone "
                           f"(a partial clone?): {_shown(missing)}; fetch them (reach the clone's remote and run "
                           "`git fetch`, or clone without --filter), or leave them out with submission.exclude "
                           "in provenance.yaml")
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git archive failed in {root}: {err[-1] if err else 'no message'}")
    tar = proc.stdout
    pointers = _lfs_pointers(tar)
    if pointers:
        raise GitError(f"{SOURCE_TAR}: {_shown(pointers)} are Git LFS pointers, so the archive would hold the "
                       "pointer, not the file the build read; leave them out with submission.exclude in "
                       "provenance.yaml (if the rebuild does not need them) or commit them to git without LFS")
    tt = tar_tree(io.BytesIO(tar), "sha256" if len(commit) == 64 else "sha1")
    kept = set(tt.names)
    return SourceArchive(tar=tar, tree=tt.tree, commit=commit,
                         excluded=tuple(collapse(set(files) - kept, kept)))
