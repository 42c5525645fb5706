"""Fine-grained AI tags (`paperprov tag`): their note format and the pending queue.

A tag says "lines START-END of PATH, as committed, were written by AGENT". Tags are
made on staged work, before the commit exists, so they wait in
`.git/paperprov/pending-tags.json` until the post-commit hook (`paperprov hook
attach-tags`) writes them as a git note on the new commit under `refs/notes/paperprov`.

Note text: one JSON object per line, `{"paperprov": 1, "tags": [{"path", "start",
"end", "agent"}]}`. One object per *line* because git joins notes line-wise: an amend
or rebase with `notes.rewriteMode=concatenate` (the default) and `git notes merge -s
cat_sort_uniq` both produce several such lines, and `parse_note` reads them all.

The record (gitlog) reads notes with `parse_note`; this module imports nothing heavy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from provenance.basics import canonical_json
from provenance.errors import SourceError
from provenance.evidence.gitstate import NOTES_REF, REVIEW_REF  # noqa: F401  (their one definition; callers import them here)
from provenance.fsutil import write_text_atomic

PENDING_FILE = "paperprov/pending-tags.json"
NOTE_VERSION = 1


@dataclass(frozen=True)
class Tag:
    path: str  # repo-relative POSIX path
    start: int  # 1-based, inclusive
    end: int
    agent: str  # "tool:model", as in Assisted-by

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _tag_from(obj: object) -> Tag | None:
    if not isinstance(obj, dict):
        return None
    try:
        tag = Tag(path=str(obj["path"]), start=int(obj["start"]), end=int(obj["end"]), agent=str(obj["agent"]))
    except (KeyError, TypeError, ValueError):
        return None
    return tag if 1 <= tag.start <= tag.end and tag.path and ":" in tag.agent else None


def note_text(tags: list[Tag] | tuple[Tag, ...]) -> str:
    """One JSON line, canonical (sorted keys), so the same tags give the same note."""
    obj = {"paperprov": NOTE_VERSION, "tags": [t.to_dict() for t in tags]}
    return canonical_json(obj).decode("utf-8") + "\n"


def note_items(text: str, key: str) -> list[dict]:
    """The `key` entries of every paperprov JSON line in a note (tags, reviews). Lines
    that are not paperprov JSON (a hand-written note, a truncated merge) are skipped,
    not fatal: a note is evidence, and one bad line must not hide the others."""
    items: list[dict] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("paperprov") == NOTE_VERSION:
            items.extend(i for i in (obj.get(key) or ()) if isinstance(i, dict))
    return items


def parse_note(text: str) -> list[Tag]:
    """Every tag in a note, in order, without duplicates."""
    out: list[Tag] = []
    for item in note_items(text, "tags"):
        tag = _tag_from(item)
        if tag is not None and tag not in out:
            out.append(tag)
    return out


def read_pending(common_dir: Path) -> list[Tag]:
    path = common_dir / PENDING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: unreadable ({exc}); delete it and tag again with `paperprov tag`") from None
    items = data.get("tags") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceError(f"{path}: not a paperprov pending-tags file; delete it and tag again")
    return [t for t in (_tag_from(i) for i in items) if t is not None]


def write_pending(common_dir: Path, tags: list[Tag]) -> None:
    path = common_dir / PENDING_FILE
    if not tags:
        path.unlink(missing_ok=True)
        return
    obj = {"paperprov": NOTE_VERSION, "tags": [t.to_dict() for t in tags]}
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")
