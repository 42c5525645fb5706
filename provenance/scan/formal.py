"""Which statements are linked to which formal proofs, and which links the authors claim
are finished. Pure reading of declarations: nothing is checked here (record/formal.py
asks Coq or Lean).

A statement links to a formal proof by
- a marker `% paperprov: formal=coq:NAME` (or `lean:NAME`) on the statement or its proof,
- an `annotations:` entry with `label:` and `formal:`,
- leanblueprint's `\\lean{NAME}` (comma lists allowed) in the statement or its proof,
  which the LaTeX walker puts into `Unit.formal` as `lean:NAME`.

A link declared by a marker or an annotation is the authors' claim that NAME proves the
statement. A `\\lean{NAME}` alone is leanblueprint's "being formalised"; it becomes a
claim with `\\leanok` in the proof (or in the statement, when it has no proof).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from provenance.errors import SourceError
from provenance.scanned import Unit


def _marker_links(u: Unit) -> list[str]:
    return [v for m in u.markers for v in m.get_all("formal")]


def _owner(u: Unit, statements: dict[str, Unit]) -> Unit:
    """The statement a unit's formal links belong to: itself, or the statement its proof proves."""
    if u.kind == "statement":
        return u
    if u.kind == "proof" and u.parent in statements:
        return statements[u.parent]
    line = next((m.line for m in u.markers if m.get("formal")), u.lines[0])
    where = "a proof of no statement" if u.kind == "proof" else f"a {u.kind}"
    raise SourceError(f"{u.file}:{line}: formal= links a theorem-like statement to its formal proof, but this is "
                      f"{where}; put it on the line before \\begin{{lemma}} (or the statement's proof)")


def links(units: Sequence[Unit], annotations: Iterable[Any] = ()) -> dict[str, dict[str, bool]]:
    """Statement id -> {link: claimed}, links in order of appearance. `claimed` is False
    only for a `\\lean{NAME}` without the `\\leanok` that says it is finished."""
    linked = []
    for u in units:
        declared = _marker_links(u) if u.markers else []
        if declared or u.formal:
            linked.append((u, declared))
    noted = [(a, v) for a in annotations for k, v in a.fields if k == "formal"]
    if not linked and not noted:
        return {}  # most papers: no unit links a formal proof, and a book has 46,000 units
    statements = {u.id: u for u in units if u.kind == "statement"}
    proofs: dict[str, list[Unit]] = {}
    for u in units:
        if u.kind == "proof" and u.parent in statements:
            proofs.setdefault(u.parent, []).append(u)
    out: dict[str, dict[str, bool]] = {}
    for u, declared in linked:
        named = list(u.formal)
        owner = _owner(u, statements)
        mine = out.setdefault(owner.id, {})
        done = _leanok(owner, proofs.get(owner.id, []))
        for link in named:
            mine[link] = mine.get(link, False) or done
        for link in declared:
            mine[link] = True
    for a, v in noted:
        for s in statements.values():
            if a.matches(s.file, s.label):
                out.setdefault(s.id, {})[v] = True
    return out


def _leanok(statement: Unit, proofs: list[Unit]) -> bool:
    return any(p.leanok for p in proofs) if proofs else statement.leanok


def linked_names(all_links: dict[str, dict[str, bool]], system: str) -> list[str]:
    """Every NAME linked as `system:NAME`, sorted and without repeats."""
    prefix = system + ":"
    return sorted({link[len(prefix):] for ls in all_links.values() for link in ls if link.startswith(prefix)})
