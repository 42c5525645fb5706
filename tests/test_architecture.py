"""The package's shape, as the README's architecture map describes it: subpackages named
for the stages of the data flow, each importing only from stages upstream of it, no
import circles (imports inside functions included), and small units."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "provenance"
# Upstream first. A module may import from its own stage or any stage before it.
STAGES = (
    ("core", ("provenance", "provenance.errors", "provenance.paths", "provenance.fsutil", "provenance.hashing",
              "provenance.vocab", "provenance.config", "provenance.model", "provenance.recordjson")),
    ("scan", ("provenance.scan",)),
    ("evidence", ("provenance.evidence",)),
    ("record", ("provenance.record",)),
    ("disclose", ("provenance.disclose",)),
    ("attest", ("provenance.attest",)),
    ("verify", ("provenance.verify",)),
    # provenance.tasks is the pipeline's public face: what a paper's dodo.py imports.
    ("pipeline", ("provenance.pipeline", "provenance.tasks")),
    ("hooks", ("provenance.hooks",)),
    ("cli", ("provenance.cli", "provenance.__main__")),
)
MAX_MODULE_LINES = 400
MAX_BODY_LINES = 80


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _stage(module: str) -> int:
    best, index = -1, None
    for i, (_, prefixes) in enumerate(STAGES):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, index = len(p), i
    assert index is not None, f"{module} belongs to no stage; add it to STAGES and to the README's map"
    return index


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Every provenance module `module` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # `from pkg import mod` names a module; `from mod import name` the module itself.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {m: _imports(m, p, known) for m, p in modules.items()}


def test_every_import_points_upstream() -> None:
    wrong = [f"{m} ({STAGES[_stage(m)][0]}) imports {t} ({STAGES[_stage(t)][0]})"
             for m, targets in _graph().items() for t in sorted(targets) if _stage(t) > _stage(m)]
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan; the package is small enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_modules_and_functions_stay_small() -> None:
    big = []
    for module, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        if n > MAX_MODULE_LINES:
            big.append(f"{module}: {n} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_BODY_LINES:
                    big.append(f"{module}:{node.lineno}: {node.name} is {length} lines (at most {MAX_BODY_LINES})")
    assert not big, "\n".join(big)


def test_the_checker_sees_a_circle_and_an_upstream_import(tmp_path: Path) -> None:
    """The rules above can fail: a made-up import graph with both faults is caught."""
    known = {"provenance.scan.a", "provenance.record.b", "provenance.scan.c"}
    (tmp_path / "a.py").write_text("def f():\n    from provenance.record.b import x\n", encoding="utf-8")
    found = _imports("provenance.scan.a", tmp_path / "a.py", known)
    assert found == {"provenance.record.b"}
    assert _stage("provenance.record.b") > _stage("provenance.scan.a")
    (tmp_path / "c.py").write_text("from . import a\n", encoding="utf-8")
    assert _imports("provenance.scan.c", tmp_path / "c.py", known) == {"provenance.scan.a"}
