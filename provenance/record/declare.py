"""Declarations that apply to a unit, in precedence order: provenance.yaml annotations
(by path glob or by label) and `paperprov:` markers (the unit's own, and those of the
units around it, whose extents contain it). A pure function of the scanned units and
the config. A path annotation matches a unit by the file it starts in (a section's
heading), like its `file` in the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from provenance.config import CONFIG_NAME, Annotation
from provenance.model import Evidence, Marker, Unit

ORIGIN_KEYS = ("origin", "tool", "model", "role")


def _annotation_where(a: Annotation) -> str:
    what = f"label={a.label}" if a.label is not None else f"path={a.path}"
    return f"annotations[{a.index}] {what}"


def declarations(unit: Unit, annotations: Sequence[Annotation],
                 enclosing: Sequence[Marker] = ()) -> list[tuple[str, str, str, Evidence]]:
    """(key, value, source, evidence) in increasing precedence: path annotations, markers
    of enclosing units (outermost first; origin, tool, model and role only), label
    annotations, the unit's own markers; each group in file order (the last one wins)."""
    out: list[tuple[str, str, str, Evidence]] = []
    if not annotations and not unit.markers and not enclosing:
        return out
    matching = [a for a in annotations if a.matches(unit.file, unit.label)]

    def add_annotations(by_label: bool) -> None:
        for a in sorted((a for a in matching if (a.label is not None) == by_label), key=lambda a: a.index):
            for k, v in a.fields:
                out.append((k, v, "sidecar", Evidence("sidecar", f"{_annotation_where(a)}: {k}={v}", file=CONFIG_NAME)))

    def add_markers(markers: Iterable[Marker], keys: tuple[str, ...] | None) -> None:
        for m in markers:
            for k, v in m.fields:
                if keys is None or k in keys:
                    out.append((k, v, "marker", Evidence("marker", f"{k}={v}", file=m.file, line=m.line)))

    add_annotations(by_label=False)
    add_markers(enclosing, ORIGIN_KEYS)
    add_annotations(by_label=True)
    add_markers(unit.markers, None)
    return out


def _contains(outer: Unit, unit: Unit) -> bool:
    """`outer` covers all of `unit`'s lines, in whatever files, and more."""
    if outer is unit or outer.spans == unit.spans:
        return False
    return all(any(f == g and a <= lo and hi <= b for g, a, b in outer.spans) for f, lo, hi in unit.spans)


def enclosing_markers(units: Sequence[Unit]) -> dict[str, tuple[Marker, ...]]:
    """unit id -> markers of the units around it (a section's or a module's declaration
    covers what it contains unless that declares otherwise), outermost first. A section
    whose text is \\input from other files contains what those files hold."""
    marked = [u for u in units if u.markers]
    out: dict[str, tuple[Marker, ...]] = {}
    if not marked:
        return out
    for u in units:
        outer = [o for o in marked if _contains(o, u)]
        if outer:
            outer.sort(key=lambda o: (-o.size, o.file, o.lines[0]))  # outermost first
            out[u.id] = tuple(m for o in outer for m in o.markers)
    return out
