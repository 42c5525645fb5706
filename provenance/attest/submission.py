"""dist/<name>-submission.zip: what a reviewer needs to check the paper offline.

Contents (repo-relative names, so `paperprov verify` resolves subjects the same way in a
bundle as in a build directory): every subject the attestation lists (the PDF, the
experiment outputs, the disclosure .tex/.md, build/record.json), the attestation, the
committed public keys keys/*.pub, and `source.tar` = `git archive --format=tar HEAD` less
what `submission.exclude` and export-ignore leave out (attest/archive.py).

Before bundling, what verify can already be seen to fail is refused (attest/reproduce.py):
an output built with another SOURCE_DATE_EPOCH than the one attested for it, an archive
whose tree is not the attested one, an input the archive leaves out.

"Dirty" means what `git status --porcelain` shows: tracked files with uncommitted
changes and untracked files that are not ignored (build/ and dist/ are ignored). The
usual first case is keys/NAME.pub written by the first `doit build`; the refusal then
says exactly which `git add` to run. With allow_dirty the bundle is made anyway, the
record says `dirty: true`, and verify's source check will not match the working tree.

The zip is deterministic: sorted entries, one timestamp (SOURCE_DATE_EPOCH, at least
1980), mode 0644, deflate at a fixed level.
"""

from __future__ import annotations

import io
import shlex
import time
import zipfile
from pathlib import Path

from provenance.attest import statements as manifest
from provenance.attest.archive import SourceArchive, make_archive
from provenance.attest.reproduce import epoch_problems, excluded_inputs
from provenance.attest.sign import check_subjects
from provenance.config import Config
from provenance.errors import BuildError, GitError
from provenance.evidence.gitrun import git, source_date_epoch
from provenance.evidence.gitstate import head_commit
from provenance.fsutil import write_bytes_atomic
from provenance.paths import ATTESTATION, SOURCE_TAR, ZIP_EPOCH, submission_zip


def _git(root: Path, *args: str) -> bytes:
    return git(root, *args).stdout


def dirty_paths(root: Path) -> list[tuple[str, str]]:
    """(status, path) for each uncommitted change: '??' untracked, else git's XY code."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    items = out.decode("utf-8", "replace").split("\0")
    result, i = [], 0
    while i < len(items):
        entry = items[i]
        i += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":  # renames carry the old path as the next item
            i += 1
        result.append((code, path))
    return result


def _refusal(changes: list[tuple[str, str]]) -> str:
    paths = [p for _, p in changes]
    shown = ", ".join(f"{p} ({'untracked' if c == '??' else 'modified'})" for c, p in changes[:8])
    more = f" and {len(changes) - 8} more" if len(changes) > 8 else ""
    keys = [p for c, p in changes if c == "??" and p.startswith("keys/") and p.endswith(".pub")]
    if keys and len(keys) == len(changes):
        what = "commit " + " ".join(keys) + ": git add " + " ".join(map(shlex.quote, keys)) + \
               " && git commit -m 'Add signing key', then run doit submission again"
    else:
        what = "commit them (git add " + " ".join(map(shlex.quote, paths[:8])) + \
               " && git commit), then run doit submission again, or pass --allow-dirty"
    return f"the working tree has uncommitted changes: {shown}{more}; {what}"


def _zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    t = time.gmtime(max(epoch, ZIP_EPOCH))  # ZIP cannot say anything before 1980
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def zip_bytes(entries: dict[str, bytes], epoch: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_zip_time(epoch))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr means a mode everywhere
            info.external_attr = 0o100644 << 16
            zf.writestr(info, entries[name], compresslevel=6)
    return buf.getvalue()


def attested(path: Path) -> tuple[list[str], set[str], manifest.Statement | None]:
    """(every subject name, the commits the statements name, the SLSA statement)."""
    names: set[str] = set()
    commits: set[str] = set()
    slsa = None
    for _, st in manifest.read_attestation(path):
        names.update(st.subjects)
        if st.predicate_type == manifest.SLSA_PREDICATE:
            commits.add(st.source().get("gitCommit", ""))
            slsa = st
    return sorted(names), commits, slsa


def _will_not_reproduce(cfg: Config, slsa: manifest.Statement | None, archive: SourceArchive) -> None:
    """Refuse what `verify --rebuild` or verify's source check can already be seen to fail."""
    if slsa is None:
        raise BuildError(f"{ATTESTATION}: no {manifest.SLSA_PREDICATE} statement; run `doit build` again")
    problems = epoch_problems(cfg, slsa)
    if slsa.source().get("gitTree") != archive.tree:
        problems.append(f"{SOURCE_TAR} would hold tree {archive.tree[:12]}, the attestation names "
                        f"{slsa.source().get('gitTree', '(none)')[:12]}")
    left_out = excluded_inputs(slsa, list(archive.excluded))
    if left_out:
        raise BuildError(f"{SOURCE_TAR} leaves out {', '.join(left_out[:5])}, which the build reads, so a rebuild "
                         "cannot; keep them in (submission.exclude, .gitattributes export-ignore)")
    if problems:
        raise BuildError(f"{ATTESTATION} would not verify: {'; '.join(problems[:5])}; run `doit build` again "
                         "(`doit forget` the tasks named, if it finds nothing to do)")


def write_submission(cfg: Config, allow_dirty: bool = False) -> Path:
    root = cfg.root
    commit = head_commit(root)
    if commit is None:
        raise GitError(f"{root}: no commit yet; commit the paper before making a submission")
    changes = dirty_paths(root)
    if changes and not allow_dirty:
        raise GitError(_refusal(changes))
    att = root / ATTESTATION
    if not att.is_file():
        raise BuildError(f"{ATTESTATION}: missing; run `doit build` first")
    stale = check_subjects(cfg, att)
    if stale:
        raise BuildError(f"{ATTESTATION} does not match {', '.join(stale[:5])}; run `doit build` again")
    names, commits, slsa = attested(att)
    if commits != {commit}:
        raise BuildError(f"{ATTESTATION} is for commit {', '.join(sorted(commits)) or '(none)'}, not HEAD {commit}; "
                         "run `doit build` again")
    archive = make_archive(root, commit, cfg.submission.exclude)
    _will_not_reproduce(cfg, slsa, archive)
    entries: dict[str, bytes] = {ATTESTATION: att.read_bytes()}
    for name in names:
        entries[name] = (root / name).read_bytes()
    for pub in sorted((root / "keys").glob("*.pub")):
        entries[f"keys/{pub.name}"] = pub.read_bytes()
    entries[SOURCE_TAR] = archive.tar
    out = root / submission_zip(cfg.paper.name)
    write_bytes_atomic(out, zip_bytes(entries, source_date_epoch(root)), mode=0o644)
    return out
