"""Unit ids that survive edits elsewhere in the paper.

A unit's id is its \\label. Without one (or when an earlier unit already took that
label), it is `FILE#KIND:SLUG`, the slug made from what the unit says about itself: a
section's title (`paper/main.tex#section:introduction`), a statement's optional title
(`...#lemma:monotonicity`), a figure's caption (its first words), a proof's statement
(`...#proof:of-lem-monotone`). Inserting a section before another does not change it,
as a position would. Only a unit with nothing to name it by gets its place among such
units of its file (`...#remark:2`). Two units with the same slug in one file get `-2`,
`-3`... in document order. Ids are unique.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

SLUG_CHARS = 40
_NON_SLUG = re.compile(r"[^a-z0-9]+")


class Named(Protocol):
    kind: str
    name: str
    file: str
    title: str
    label: str | None


def slug(text: str, limit: int = SLUG_CHARS) -> str:
    """Lowercase ASCII words joined by '-', at most `limit` characters, cut at a word end."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _NON_SLUG.split(ascii_text.lower()) if w]
    out = ""
    for w in words:
        nxt = f"{out}-{w}" if out else w
        if len(nxt) > limit:
            break
        out = nxt
    return out or (words[0][:limit] if words else "")


def _own_slug(b: Named, parent: Named | None) -> str:
    if b.kind == "proof":
        if parent is None:
            return ""
        name = slug(parent.label or parent.title)
        return f"of-{name}" if name else ""
    if b.kind in ("figure", "table"):
        return slug(b.title.split(". ", 1)[0], 32)
    return slug(b.title)


def unit_ids(units: Sequence[Named], parents: Sequence[Named | None]) -> list[str]:
    """The id of each unit (same order); `parents[i]` is the statement a proof proves."""
    taken: set[str] = set()
    counts: dict[tuple[str, str], int] = {}
    out = []
    for b, parent in zip(units, parents, strict=True):
        if b.label and b.label not in taken:
            base = b.label
        else:
            own = _own_slug(b, parent)
            if not own:
                key = (b.file, b.name)
                counts[key] = counts.get(key, 0) + 1
                own = str(counts[key])
            base = f"{b.file}#{b.name}:{own}"
        uid, n = base, 1
        while uid in taken:  # a repeated title, or a label shaped like another id
            n += 1
            uid = f"{base}-{n}"
        taken.add(uid)
        out.append(uid)
    return out
