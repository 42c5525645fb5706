"""Python sources -> units (modules, top-level functions and classes) and the local
modules an experiment imports.

Units come from `ast`, so line ranges are the interpreter's own (a decorated def starts
at its first decorator). `# paperprov:` markers are read from real comment tokens, never
from inside strings, and only in files that mention paperprov at all.
"""

from __future__ import annotations

import ast
import io
import posixpath
import re
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from provenance.errors import SourceError
from provenance.scan.markers import parse_marker
from provenance.scanned import Marker, Unit

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def scan(root: Path, files: Sequence[str]) -> list[Unit]:
    """For each file (repo-relative), its module unit then its top-level functions and
    classes, in source order. A file that does not parse is an error naming file:line."""
    units: list[Unit] = []
    for rel in files:
        units.extend(scan_source(rel, _read(root, rel)))
    return units


def _read(root: Path, rel: str) -> bytes:
    try:
        return (root / rel).read_bytes()
    except OSError as exc:
        raise SourceError(f"{rel}: cannot read ({exc.strerror})") from None


def parse_source(rel: str, source: bytes) -> ast.Module:
    """The syntax tree of one Python file given its bytes; SourceError naming file:line."""
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" is the script's business
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=rel)
    except SyntaxError as exc:
        raise SourceError(f"{rel}:{exc.lineno or 1}: Python syntax error ({exc.msg}); fix it so paperprov can list its functions") from None
    except ValueError as exc:  # null bytes
        raise SourceError(f"{rel}: not Python source ({exc}); remove it from experiments/ or fix it") from None


def scan_source(rel: str, source: bytes) -> list[Unit]:
    """The units of one Python file given its bytes (a pure function, for tests and hooks)."""
    tree = parse_source(rel, source)
    lines = source.splitlines()
    n_lines = max(len(lines), 1)
    defs = [node for node in tree.body if isinstance(node, _DEFS)]
    spans = [(min([d.lineno] + [x.lineno for x in d.decorator_list]), d.end_lineno or d.lineno) for d in defs]
    first_stmt = _first_code_line(tree.body)
    heads = [min(_first_code_line(d.body), end + 1) for d, (_, end) in zip(defs, spans, strict=True)]  # own code starts
    markers: dict[int, list[Marker]] = {}  # index into [module] + defs
    for mk in _markers(rel, tree, lines):
        markers.setdefault(_owner(rel, mk.line, lines, spans, heads, first_stmt), []).append(mk)
    doc = ast.get_docstring(tree, clean=True) or ""
    units = [Unit(id=rel, kind="module", file=rel, lines=(1, n_lines), title=doc.strip().split("\n")[0],
                  markers=tuple(markers.get(-1, ())))]
    seen: dict[str, int] = {}
    for i, (d, span) in enumerate(zip(defs, spans, strict=True)):
        seen[d.name] = seen.get(d.name, 0) + 1
        uid = f"{rel}::{d.name}" + (f"~{seen[d.name]}" if seen[d.name] > 1 else "")  # a redefinition
        units.append(Unit(id=uid, kind="class" if isinstance(d, ast.ClassDef) else "function", file=rel,
                          lines=span, title=d.name, parent=rel, markers=tuple(markers.get(i, ()))))
    return units


def _first_code_line(body: list[ast.stmt]) -> int:
    """The first line of the first statement of a body that is not its docstring."""
    doc = body[0] if body else None
    if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
        body = body[1:]
    if not body:
        return 10**9
    first = body[0]
    return min([first.lineno] + [x.lineno for x in getattr(first, "decorator_list", [])])


def _markers(rel: str, tree: ast.Module, lines: list[bytes]) -> list[Marker]:
    found = []
    for n, text in marker_comments(tree, lines):
        mk = parse_marker(text, rel, n)
        if mk is not None:
            found.append(mk)
    return found


def marker_comments(tree: ast.Module, lines: list[bytes]) -> Iterator[tuple[int, str]]:
    """(line, comment) for each real comment, never a string, that may hold a marker (the
    scan reads them, the lint hook checks them). Only lines that mention paperprov are
    looked at, and only the innermost statement around one is tokenized: tokenizing or
    walking the whole file would cost more than parsing it."""
    for n, line in enumerate(lines, 1):
        if b"paperprov" not in line or not _HASH.search(line):
            continue
        span = _innermost(tree.body, n)
        if span is None:  # no statement covers the line: it holds a comment and nothing else
            yield n, line[line.index(b"#"):].decode("utf-8", "replace")
        else:
            yield from ((n, text) for text in _comments_on(lines, span, n))


_HASH = re.compile(rb"#+[ \t]*paperprov[ \t]*:")


def _start(node: ast.stmt | ast.excepthandler) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])


def _innermost(body: Sequence[ast.stmt | ast.excepthandler], n: int) -> tuple[int, int] | None:
    span: tuple[int, int] | None = None
    while True:
        inner = [c for c in body if _start(c) <= n <= (c.end_lineno or c.lineno)]
        if not inner:
            return span
        node = inner[0]
        span = (_start(node), node.end_lineno or node.lineno)
        body = [c for c in ast.iter_child_nodes(node) if isinstance(c, (ast.stmt, ast.excepthandler))]


def _comments_on(lines: list[bytes], span: tuple[int, int], n: int) -> list[str]:
    start, end = span
    text = b"\n".join(lines[start - 1:end]).decode("utf-8", "replace") + "\n"
    try:
        return [tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT and tok.start[0] == n - start + 1]
    except (tokenize.TokenError, SyntaxError):
        return []  # ast accepted the file; a fragment the tokenizer rejects holds no marker


def _blank_or_comment(line: bytes) -> bool:
    s = line.strip()
    return not s or s.startswith(b"#")


def _owner(rel: str, line: int, lines: list[bytes], spans: list[tuple[int, int]], heads: list[int],
           first_stmt: int) -> int:
    """Which unit a marker on `line` annotates: -1 for the module, else a def's index.

    Its own line or first lines (decorators to the line before its first statement);
    else the def that follows it through blank and comment lines; else the module, if
    the marker sits above the module's first statement. A marker between the module's
    header and a first def belongs to the def only if no blank line separates them."""
    for i, (start, _) in enumerate(spans):
        if start <= line < max(heads[i], start + 1):
            return i
    if line - 1 < len(lines) and _blank_or_comment(lines[line - 1]):
        n, blank = line + 1, False
        while n <= len(lines) and _blank_or_comment(lines[n - 1]):
            blank = blank or not lines[n - 1].strip()
            n += 1
        for i, (start, _) in enumerate(spans):
            if start == n and not (blank and line < first_stmt):
                return i
        if line < first_stmt:
            return -1
    raise SourceError(f"{rel}:{line}: paperprov marker annotates no unit; put it on the line before a top-level "
                      "def or class, in its first lines, or at the top of the module")


def imported_names(tree: ast.AST) -> set[str]:
    """Every module name an `import` in `tree` may load, parents included (`import a.b.c`
    also runs a/__init__.py and a/b/__init__.py; `from a import b` may load a/b.py)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 2)}


def _relative_imports(tree: ast.AST, rel: str) -> set[str]:
    """Repository paths (without .py) that `from . import x` / `from ..a import b` in the
    file `rel` may load."""
    stems: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = posixpath.dirname(rel)
            for _ in range(node.level - 1):
                base = posixpath.dirname(base)
            mod = posixpath.join(base, node.module.replace(".", "/")) if node.module else base
            if node.module:
                parts = node.module.split(".")
                stems.update(posixpath.join(base, *parts[:i]) for i in range(1, len(parts) + 1))
            stems.update(posixpath.join(mod, a.name) for a in node.names)
            stems.add(posixpath.join(mod, "__init__") if not node.module else mod)
    return stems


def local_imports(root: Path, script: str, search_dirs: tuple[str, ...] = ()) -> list[str]:
    """`script` and the repository modules it imports, transitively, found beside the
    importing file or under `search_dirs` (repo-relative; "" is the root); relative
    imports from their package. Read with `ast`, never imported: a broken file is left
    for whoever runs it to report."""
    seen: list[str] = []
    todo = [script]
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.append(rel)
        try:
            tree = ast.parse((root / rel).read_bytes(), filename=rel)
        except (OSError, SyntaxError, ValueError):
            continue
        dirs = (posixpath.dirname(rel), *search_dirs)
        stems = {f"{d}/{name.replace('.', '/')}" for name in imported_names(tree) for d in dirs}
        stems |= _relative_imports(tree, rel)
        for stem in sorted(stems):
            for cand in (f"{stem}.py", f"{stem}/__init__.py"):
                cand = posixpath.normpath(cand.lstrip("/"))
                if not cand.startswith("../") and (root / cand).is_file():
                    todo.append(cand)
    return sorted(seen)
