"""Which claim checks are linked to which units, and which files the checks read.

A statement is linked to checks by `% paperprov: check=tests/claims/test_x.py::test_y`
(several allowed), by an `annotations:` entry with `check:`, or by provenance.yaml
`checks: {LABEL: [NODEID, ...]}`. Pure reading of declarations and of the check files'
imports: nothing is run here (record/checks.py runs them).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.scan.pycode import local_imports
from provenance.scanned import Unit

# Where a check's `import x` may find repo code besides its own directory: the root
# and experiments/ (claim checks commonly put experiments/ on sys.path to test its code).
SEARCH_DIRS = ("", "experiments")



def normalize(nodeid: str) -> str:
    """`./tests/x.py::t` and `tests//x.py::t` name the same check as `tests/x.py::t`."""
    path, sep, rest = nodeid.strip().partition("::")
    return posixpath.normpath(path.replace("\\", "/")) + sep + rest


def file_of(root: Path, nodeid: str) -> Path | None:
    """The check file a node id names, if it exists inside the repository."""
    rel = nodeid.partition("::")[0]
    if not rel or posixpath.isabs(rel) or rel.startswith("-") or ".." in rel.split("/"):
        return None
    path = root / rel
    return path if path.is_file() else None


def links(units: Sequence[Unit], cfg_checks: Iterable[tuple[str, Sequence[str]]] = (),
          annotations: Iterable[Any] = ()) -> dict[str, tuple[str, ...]]:
    """Unit id -> linked node ids, from `check=` markers, `annotations` entries with
    `check` (config.Annotation) and provenance.yaml `checks` ((label, nodeids) pairs).
    A `checks:` label that names no unit is a ConfigError (a typo must not hide a check)."""
    out: dict[str, list[str]] = {}
    checking = [a for a in annotations if any(k == "check" for k, _ in a.fields)]
    for u in units:
        for m in u.markers:
            out.setdefault(u.id, []).extend(m.get_all("check"))
        for a in checking:
            if a.matches(u.file, u.label):
                out.setdefault(u.id, []).extend(v for k, v in a.fields if k == "check")
    pairs = list(cfg_checks)
    # Only provenance.yaml's `checks:` names units by label: an id first, else a label
    # (the last unit of either, as a dict built over all of them would give).
    named = {label for label, _ in pairs}
    by_id: dict[str, Unit] = {}
    by_label: dict[str, Unit] = {}
    for u in units if named else ():
        if u.id in named:
            by_id[u.id] = u
        if (u.label or u.id) in named:
            by_label[u.label or u.id] = u
    for label, ids in pairs:
        unit = by_id.get(label) or by_label.get(label)
        if unit is None:
            raise ConfigError(f"provenance.yaml: checks.{label}: no unit labelled {label!r} in the paper; "
                              "fix the label or remove the entry")
        out.setdefault(unit.id, []).extend(ids)
    return {k: tuple(dict.fromkeys(normalize(n) for n in v)) for k, v in out.items() if v}


def _module_files(root: Path, rel: str) -> list[str]:
    """The check file and the repo modules it imports, transitively."""
    return local_imports(root, rel, SEARCH_DIRS)


def check_files(root: Path, nodeids: Iterable[str]) -> list[str]:
    """Repo-relative files the checks' results depend on besides the statements: each
    check file, every conftest.py from the root down to it, and the local modules it
    imports. For doit's file_dep; missing check files are left out."""
    files: set[str] = set()
    for n in nodeids:
        path = file_of(Path(root), normalize(n))
        if path is None:
            continue
        rel = path.relative_to(root).as_posix()
        files.update(_module_files(Path(root), rel))
        parts = rel.split("/")[:-1]
        for i in range(len(parts) + 1):
            conf = "/".join(parts[:i] + ["conftest.py"])
            if (Path(root) / conf).is_file():
                files.add(conf)
    return sorted(files)
