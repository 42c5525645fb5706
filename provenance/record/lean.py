"""Ask Lean whether the linked names are proved, when a Lean toolchain is on PATH.

Without `lake` or `lean` on PATH (a toolchain comes from its own installer, not from a
package registry, so many machines lack one) every Lean link is `not-run`: the record
then says `declared` where the authors claim the proof (a `\\leanok` or a formal=
marker) and `linked` where they do not, and never calls either of them checked.

With a toolchain: `lake build` in the project's root (Lake rebuilds only what changed),
then one generated build/formal/lean/Query.lean imports the project's modules and runs
`#print axioms NAME` for each name. `sorryAx` means the proof is not finished
(`admitted`); other axioms outside `allow_axioms` (default: Lean's own propext,
Classical.choice, Quot.sound) give `axioms`; an unknown name is `missing`; a project that
does not build is `failed` with its first error as file:line.

Not exercised by the test suite on machines without a toolchain; the output parsing is
(`parse_output`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from provenance.config.formal import LeanProject
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.model import FormalResult

WORKDIR = "build/formal/lean"
TIMEOUT = 1800.0
_POS = re.compile(r"^(?P<file>[^:\n]+\.lean):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|info|warning): ?(?P<msg>.*)$")
_AXIOMS = re.compile(r"'(?P<name>[^']+)' depends on axioms: \[(?P<ax>[^\]]*)\]")
_NONE = re.compile(r"'(?P<name>[^']+)' does not depend on any axioms")


def toolchain() -> list[str] | None:
    """The command that runs Lean on a file inside the project, or None."""
    lake = shutil.which("lake")
    if lake:
        return [lake, "env", "lean"]
    lean = shutil.which("lean")
    return [lean] if lean else None


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{' '.join(cmd[:2])} did not finish within {TIMEOUT:g} s in the Lean project") from None


def _imports(root: Path, project: LeanProject) -> list[str]:
    if project.imports:
        return list(project.imports)
    top = root / project.root
    return sorted(p.stem for p in top.glob("*.lean") if p.stem not in ("lakefile",))


def _first_error(output: str, base: str) -> str:
    for line in output.splitlines():
        m = _POS.match(line.strip())
        if m and m.group("kind") == "error":
            return f"{base}/{m.group('file')}:{m.group('line')}: {m.group('msg')}"[:300]
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return f"{base}: {lines[-1] if lines else 'lake build failed'}"[:300]


def parse_output(output: str, names: Sequence[str], first_line: int, allow: Sequence[str]) -> dict[str, FormalResult]:
    """`#print axioms` output -> a result per name. Name i was asked on line
    `first_line + i` of the query; messages with a position are matched by line, the
    rest by name."""
    by_line = {first_line + i: n for i, n in enumerate(names)}
    found: dict[str, FormalResult] = {}
    for raw in output.splitlines():
        pos = _POS.match(raw.strip())
        name = by_line.get(int(pos.group("line"))) if pos else None
        text = pos.group("msg") if pos else raw
        if pos and pos.group("kind") == "error" and name is not None:
            status = "missing" if "unknown" in text else "failed"
            found[name] = FormalResult(f"lean:{name}", status, (), text[:300])
            continue
        m = _AXIOMS.search(text) or _NONE.search(text)
        if m is None:
            continue
        if name is None:
            printed = m.group("name")
            name = next((n for n in names if printed == n or printed.endswith("." + n)), None)
            if name is None:
                continue
        axioms = [a.strip() for a in (m.groupdict().get("ax") or "").split(",") if a.strip()]
        found[name] = _verdict(name, m.group("name"), axioms, allow)
    return {n: found.get(n, FormalResult(f"lean:{n}", "failed", (), "Lean printed nothing for this name")) for n in names}


def _verdict(name: str, full: str, axioms: list[str], allow: Sequence[str]) -> FormalResult:
    if "sorryAx" in axioms:
        return FormalResult(f"lean:{name}", "admitted", ("sorryAx",), full)
    bad = [a for a in axioms if a not in allow]
    if bad:
        return FormalResult(f"lean:{name}", "axioms", tuple(bad), full)
    return FormalResult(f"lean:{name}", "proved", tuple(axioms), full)


def check(root: Path, project: LeanProject, names: Sequence[str]) -> dict[str, FormalResult]:
    root = Path(root)
    cmd = toolchain()
    if cmd is None:
        why = "no Lean toolchain (lake or lean) on PATH: not checked"
        return {n: FormalResult(f"lean:{n}", "not-run", (), why) for n in names}
    cwd = root / project.root
    if shutil.which("lake") and ((cwd / "lakefile.lean").is_file() or (cwd / "lakefile.toml").is_file()):
        built = _run(["lake", "build"], cwd)
        if built.returncode != 0:
            error = _first_error(built.stdout + "\n" + built.stderr, project.root)
            return {n: FormalResult(f"lean:{n}", "failed", (), error) for n in names}
    imports = _imports(root, project)
    query = root / WORKDIR / "Query.lean"
    lines = [f"import {m}" for m in imports] + [f"#print axioms {n}" for n in names]
    write_text_atomic(query, "\n".join(lines) + "\n")
    proc = _run([*cmd, str(query)], cwd)
    return parse_output(proc.stdout + "\n" + proc.stderr, names, len(imports) + 1, project.allow_axioms)
