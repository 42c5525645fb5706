"""provenance.yaml `formal:`: where the paper's formal proofs live, and the shape of a link.

    formal:
      coq:
        root: formal            # the development's directory, inside the repository
        logical: Paper          # its logical name: coqc -Q formal Paper
        files: ["*.v"]          # globs under root (default: every .v below it)
        allow_axioms: [Coq.Logic.Classical_Prop.classic]
      lean:
        root: lean              # a Lake project (checked only when lake/lean is on PATH)
        imports: [Paper]        # modules a check imports (default: root's top-level .lean files)

A statement links to a proof with `formal=coq:NAME` or `formal=lean:NAME` (a marker or an
annotation) or with leanblueprint's `\\lean{NAME}`. Names are checked here, strictly,
because they are written into generated Coq and Lean files.

This module imports nothing else of config/: validate.py passes its Reader in (the
`_Reads` protocol), so schema.py can name these types without an import circle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from provenance.errors import ConfigError
from provenance.vocab import FORMAL_SYSTEMS, link_problem

# Lean's own foundations: every Mathlib proof rests on them, so they count as proved.
LEAN_STANDARD_AXIOMS = ("propext", "Classical.choice", "Quot.sound")
_SKIP_DIRS = (".lake", "lake-packages", "build", ".git")


@dataclass(frozen=True)
class CoqProject:
    root: str  # repo-relative directory
    logical: str
    files: tuple[str, ...] = ("**/*.v",)  # globs relative to root
    allow_axioms: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeanProject:
    root: str
    imports: tuple[str, ...] = ()
    allow_axioms: tuple[str, ...] = LEAN_STANDARD_AXIOMS


@dataclass(frozen=True)
class Formal:
    coq: CoqProject | None = None
    lean: LeanProject | None = None


@dataclass(frozen=True)
class Link:
    system: str  # coq | lean
    name: str

    def __str__(self) -> str:
        return f"{self.system}:{self.name}"


def parse_link(value: str) -> Link:
    """`coq:NAME` / `lean:NAME` -> Link; ValueError saying what to write instead."""
    problem = link_problem(value)
    if problem is not None:
        raise ValueError(problem)
    system, _, name = value.partition(":")
    return Link(system, name)


class _Reads(Protocol):
    """What this module needs of config.reader.Reader."""

    root: Path

    def fail(self, key: str, msg: str) -> ConfigError: ...
    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]: ...
    def typed(self, value: Any, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any: ...
    def strings(self, value: Any, key: str) -> tuple[str, ...]: ...


def parse_formal(r: _Reads, value: Any) -> Formal:
    f = r.mapping(value, "formal", FORMAL_SYSTEMS)
    coq = lean = None
    if f.get("coq") is not None:
        coq = _coq(r, f["coq"])
    if f.get("lean") is not None:
        lean = _lean(r, f["lean"])
    return Formal(coq=coq, lean=lean)


def _directory(r: _Reads, value: Any, key: str) -> str:
    rel = r.typed(value, key, str)
    if not rel:
        raise r.fail(key, "missing; give the directory of the formal development, relative to the repository")
    path = Path(rel)
    if path.is_absolute() or ".." in path.parts:
        raise r.fail(key, f"{rel!r} must be a directory inside the repository, relative to it")
    full = (r.root / rel).resolve()
    if not full.is_relative_to(r.root.resolve()):
        raise r.fail(key, f"{rel!r} leads outside the repository (a symbolic link?); keep the development inside it")
    if not full.is_dir():
        raise r.fail(key, f"directory {rel} does not exist; fix the path or create it")
    return path.as_posix().rstrip("/") or "."


def _globs(r: _Reads, value: Any, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    globs = r.strings(value, key) or default
    for g in globs:
        if Path(g).is_absolute() or ".." in Path(g).parts:
            raise r.fail(key, f"{g!r} must be a pattern relative to the development's root, without '..'")
    return globs


def _names(r: _Reads, value: Any, key: str, system: str) -> tuple[str, ...]:
    names = r.strings(value, key)
    for n in names:
        try:
            parse_link(f"{system}:{n}")
        except ValueError:
            raise r.fail(key, f"{n!r} is not a {system} name; write it as in `Print Assumptions` "
                              "(e.g. Coq.Logic.Classical_Prop.classic)") from None
    return names


def _coq(r: _Reads, value: Any) -> CoqProject:
    c = r.mapping(value, "formal.coq", ("root", "logical", "files", "allow_axioms"))
    root = _directory(r, c.get("root"), "formal.coq.root")
    logical = r.typed(c.get("logical"), "formal.coq.logical", str)
    if not logical or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", logical):
        raise r.fail("formal.coq.logical", "required; the development's logical name as in `coqc -Q DIR NAME` "
                                           "(letters, digits, _, dot-separated)")
    project = CoqProject(root=root, logical=logical, files=_globs(r, c.get("files"), "formal.coq.files", ("**/*.v",)),
                         allow_axioms=_names(r, c.get("allow_axioms"), "formal.coq.allow_axioms", "coq"))
    if not coq_files(r.root, project):
        raise r.fail("formal.coq.files", f"no .v file under {root}/ matches {', '.join(project.files)}; "
                                         "fix the patterns or add the development")
    return project


def _lean(r: _Reads, value: Any) -> LeanProject:
    c = r.mapping(value, "formal.lean", ("root", "imports", "allow_axioms"))
    root = _directory(r, c.get("root"), "formal.lean.root")
    imports = _names(r, c.get("imports"), "formal.lean.imports", "lean")
    allow = LEAN_STANDARD_AXIOMS if c.get("allow_axioms") is None else _names(
        r, c.get("allow_axioms"), "formal.lean.allow_axioms", "lean")
    return LeanProject(root=root, imports=imports, allow_axioms=allow)


def _listed(root: Path, base: str, globs: tuple[str, ...], suffix: str) -> list[str]:
    top = root / base
    found: set[str] = set()
    for g in globs:
        for p in top.glob(g):
            rel = p.relative_to(top)
            if p.is_file() and p.suffix == suffix and not any(part in _SKIP_DIRS for part in rel.parts[:-1]):
                found.add((Path(base) / rel).as_posix() if base != "." else rel.as_posix())
    return sorted(found)


def coq_files(root: Path, project: CoqProject) -> list[str]:
    """The development's .v files, repo-relative and sorted."""
    return _listed(Path(root), project.root, project.files, ".v")


def lean_files(root: Path, project: LeanProject) -> list[str]:
    """The Lean project's sources (its .lean files and Lake's files), not its .lake/ cache."""
    files = _listed(Path(root), project.root, ("**/*.lean",), ".lean")
    for extra in ("lakefile.toml", "lake-manifest.json", "lean-toolchain"):
        if (Path(root) / project.root / extra).is_file():
            files.append((Path(project.root) / extra).as_posix())
    return sorted(files)

