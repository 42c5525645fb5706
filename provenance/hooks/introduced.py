"""Which lint findings the staged change introduces, by comparison with HEAD.

A commit that adds one lemma should not be refused for three unlabelled statements
written long before. So lint runs twice: on the files as staged (pre-commit stashes
what is not staged), and on HEAD's version of the paper, written to a temporary
directory (the .tex, .sty and .cls files, provenance.yaml and the committed Python
files). A finding is compared by what it is, not where: its file and its key (the
unlabelled environment, the duplicated label, the missing \\uses target, the marker's
text), since lines move. When the staged files hold more findings of one key than
HEAD did, the surplus is reported, preferring those on lines the staged diff touches.
Without a HEAD (the first commit) every finding is new.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from provenance.errors import GitError
from provenance.evidence.gitrun import LITERAL, git


class _Finding(Protocol, Hashable):
    """What lint.Finding offers here: a place and a key that says what it is."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def key(self) -> tuple[str, ...]: ...


Finding = TypeVar("Finding", bound=_Finding)

_KEEP = (".tex", ".sty", ".cls")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def _head_tree(root: Path, files: Sequence[str], dest: Path) -> bool:
    """Write HEAD's version of the paper's sources under `dest`; False without a HEAD."""
    listing = git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD", check=False)
    if listing.returncode != 0:
        return False
    wanted = [p for p in listing.stdout.decode("utf-8", "replace").split("\0")
              if p and (p.endswith(_KEEP) or p == "provenance.yaml" or p in files)]
    if not wanted:
        return True
    batch = git(root, "cat-file", "--batch", input="".join(f"HEAD:./{p}\n" for p in wanted).encode(), check=False)
    data, pos = batch.stdout, 0
    for path in wanted:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "missing", or a submodule
        size = int(header[2])
        out = dest / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data[pos:pos + size])
        pos += size + 1
    return True


def _touched(root: Path, files: Sequence[str]) -> set[tuple[str, int]]:
    """(file, line) of every line the staged change adds or changes, and the line after
    each deletion."""
    proc = git(root, LITERAL, "diff", "--cached", "--relative", "-U0", "--no-color", "--no-ext-diff", "HEAD", "--", *files,
               check=False)
    out: set[tuple[str, int]] = set()
    current = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("+++ "):
            current = line[6:] if line.startswith("+++ b/") else None
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
            out.update((current, n) for n in range(start, start + max(count, 1)))
    return out


def introduced(root: Path, files: Sequence[str], now: Sequence[Finding],
               findings: Callable[[Path, Sequence[str]], list[Finding]]) -> list[Finding]:
    """The findings in `now` that HEAD's version of the files did not have."""
    with tempfile.TemporaryDirectory(prefix="paperprov-lint-") as tmp:
        base = Path(tmp)
        try:
            has_head = _head_tree(root, files, base)
        except (GitError, ValueError, OSError):
            has_head = False
        if not has_head:
            return list(now)
        before = Counter((f.file, f.key) for f in findings(base, [f for f in files if (base / f).is_file()]))
    groups: dict[tuple[str, tuple[str, ...]], list[Finding]] = {}
    for f in now:
        groups.setdefault((f.file, f.key), []).append(f)
    keep: set[Finding] = set()
    touched: set[tuple[str, int]] | None = None
    for key, group in groups.items():
        surplus = len(group) - before[key]
        if surplus <= 0:
            continue
        if surplus == len(group):
            keep.update(group)
            continue
        if touched is None:
            touched = _touched(root, files)
        seen = touched
        ranked = sorted(group, key=lambda f: ((f.file, f.line) not in seen, -f.line))
        keep.update(ranked[:surplus])
    return [f for f in now if f in keep]
