"""LaTeX sources -> units and build dependencies.  (placeholder: dependencies only)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import SourceError

_INPUT = re.compile(r"\\(input|include|subfile|includegraphics|bibliography|addbibresource|usepackage)\s*(\[[^\]]*\])?\s*\{([^}]*)\}")
_COMMENT = re.compile(r"(?<!\\)%.*")


@dataclass(frozen=True)
class TexDeps:
    tex: tuple[str, ...]  # every .tex reached from main, main first (repo-relative)
    other: tuple[str, ...]  # .bib, local .sty/.cls, graphics (repo-relative)


def _resolve(root: Path, base: PurePosixPath, name: str, exts: tuple[str, ...]) -> str | None:
    for ext in ("",) + exts:
        cand = (base / (name + ext)).as_posix()
        norm = Path(root, cand).resolve()
        try:
            rel = norm.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        if norm.is_file():
            return rel
    return None


def dependencies(root: Path, main: str) -> TexDeps:
    base = PurePosixPath(main).parent
    tex: list[str] = []
    other: list[str] = []
    todo = [main]
    while todo:
        rel = todo.pop(0)
        if rel in tex:
            continue
        tex.append(rel)
        try:
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SourceError(f"{rel}: cannot read ({exc.strerror})") from None
        text = "\n".join(_COMMENT.sub("", line) for line in text.splitlines())
        for cmd, _opt, arg in _INPUT.findall(text):
            for name in (a.strip() for a in arg.split(",")):
                if not name:
                    continue
                if cmd in ("input", "include", "subfile"):
                    found = _resolve(root, base, name, (".tex",))
                    if found:
                        todo.append(found)
                elif cmd == "includegraphics":
                    found = _resolve(root, base, name, (".pdf", ".png", ".jpg"))
                    if found:
                        other.append(found)
                elif cmd in ("bibliography", "addbibresource"):
                    found = _resolve(root, base, name, (".bib",))
                    if found:
                        other.append(found)
                else:
                    found = _resolve(root, base, name, (".sty",))
                    if found:
                        other.append(found)
    return TexDeps(tex=tuple(tex), other=tuple(dict.fromkeys(other)))
