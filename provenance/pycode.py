"""Python sources -> units and build dependencies.  (placeholder: dependencies only)"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath


def local_imports(root: Path, script: str) -> list[str]:
    """Repo-relative paths of the modules beside `script` that it imports, transitively."""
    base = PurePosixPath(script).parent
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
            continue  # the experiment itself will report it when it runs
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level <= 1:
                names = [node.module]
            for name in names:
                cand = base / (name.replace(".", "/") + ".py")
                if (root / cand).is_file():
                    todo.append(cand.as_posix())
    return sorted(seen)
