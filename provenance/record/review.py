"""Human review of units, kept as git notes under refs/notes/paperprov-review.

`paperprov review LABEL... --by NAME` attaches to HEAD a note line
`{"paperprov": 1, "reviews": [{"label", "by", "commit", "digest", "time"}]}` where
`digest` is the SHA-256 of what was reviewed: the unit's normalized text (comments and
whitespace do not count) and, for a statement, the text of its proofs. A review stays
current while that digest matches the unit's text now; any later change makes it stale.

One JSON object per note line, because git joins notes line-wise (notes.rewriteMode
concatenate, `git notes merge -s cat_sort_uniq`). Reviews are read from every note in
the ref, not only from ancestors of HEAD: the digest, not the commit, decides whether a
review still holds, so a rebase that orphans the reviewed commit loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from provenance import __version__
from provenance.errors import ConfigError, GitError, UsageError
from provenance.evidence.gitrun import git, git_text, notes
from provenance.evidence.notes import NOTE_VERSION, REVIEW_REF, note_items
from provenance.fsutil import keep, write_cache
from provenance.hashing import source_digest
from provenance.model import Review, Unit, canonical_json

REVIEW_TEXTS = "paperprov/review-texts.json"  # under the git directory (TextMemo)
# A % that starts a comment: not escaped, though it may follow `\\` (a line break).
_TEX_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%.*")


@dataclass(frozen=True)
class ReviewEntry:
    label: str  # the unit's id (its label when it has one)
    by: str  # an author's name from provenance.yaml
    commit: str  # HEAD when the review was recorded
    digest: str  # sha256 of the reviewed text (text_digest)
    time: int = 0  # seconds since the epoch; orders a reviewer's reviews of one unit


# -- what a review covers --------------------------------------------------------------

def normalize(text: str, file: str) -> str:
    """The text whose change makes a review stale. LaTeX: comments (markers included)
    dropped and whitespace collapsed, so re-wrapping a paragraph or adding a marker
    keeps the review; Python: trailing spaces, blank lines and marker lines dropped."""
    if file.endswith((".tex", ".sty", ".cls")):
        lines = [_TEX_COMMENT.sub(r"\1", ln) for ln in text.splitlines()]
        return " ".join(" ".join(lines).split())
    kept = [ln.rstrip() for ln in text.splitlines()]
    return "\n".join(ln for ln in kept if ln and not ln.lstrip().startswith("# paperprov:"))


# Files whose lines are kept at once: units come in reading order, so a few suffice, and a
# book's every file split into lines would be tens of megabytes held to the end of a record.
_FILES_KEPT = 8


def _lines(root: Path, file: str, cache: dict[str, list[str]]) -> list[str]:
    if file not in cache:
        if len(cache) >= _FILES_KEPT:
            del cache[next(iter(cache))]
        try:
            raw = (root / file).read_bytes()
        except OSError:
            raw = b""
        cache[file] = raw.decode("utf-8", errors="replace").splitlines()
    return cache[file]


class TextMemo:
    """The normalized text of each (file, first line, last line) a record's reviews cover,
    remembered by the file's content in `path` (a JSON file under .git/paperprov/), so a
    record after an edit reads and normalizes only the edited files' reviewed units (on
    a book, hundreds of files' lines otherwise). A damaged file counts as empty."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.old: dict[str, str] = {}
        self.used: dict[str, str] = {}
        try:
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("version") == __version__ and isinstance(data.get("texts"), dict):
                self.old = {str(k): str(v) for k, v in data["texts"].items()}
        except (OSError, ValueError):
            pass

    def part(self, root: Path, file: str, start: int, end: int, cache: dict[str, list[str]]) -> str:
        digest = source_digest(os.path.join(str(root), file))  # not pathlib's `/`: once per reviewed unit
        if digest is None:
            return _part(root, file, start, end, cache)
        key = f"{file}\0{digest}\0{start}\0{end}"
        text = self.old.get(key)
        self.used[key] = text if text is not None else _part(root, file, start, end, cache)
        return self.used[key]

    def save(self) -> None:
        """Keep what this record used, and nothing else."""
        if self.used == self.old:
            return
        write_cache(self.path, json.dumps({"version": __version__, "texts": self.used},
                                          sort_keys=True, separators=(",", ":")))


def _part(root: Path, file: str, start: int, end: int, cache: dict[str, list[str]]) -> str:
    lines = _lines(root, file, cache)
    return normalize("\n".join(lines[max(start, 1) - 1:end]), file)


def unit_text(root: Path, unit: Unit, _cache: dict[str, list[str]] | None = None,
              memo: TextMemo | None = None) -> str:
    """The unit's current lines in the working tree, normalized (see `normalize`): all of
    them, in reading order (a section's \\input files too)."""
    cache = {} if _cache is None else _cache
    parts = [_part(root, f, a, b, cache) if memo is None else memo.part(root, f, a, b, cache)
             for f, a, b in unit.spans]
    return parts[0] if len(parts) == 1 else "\n".join(parts)


def review_texts(root: Path, units: Sequence[Unit], only: Collection[str] | None = None,
                 memo: TextMemo | None = None) -> dict[str, str]:
    """Unit id -> the text a review of it covers: its own, plus its proofs' for a
    statement; with `only`, just for those unit ids (normalising a book's every unit
    when a handful were reviewed costs seconds)."""
    cache: dict[str, list[str]] = {}
    wanted = [u for u in units if only is None or u.id in only or (u.kind == "proof" and u.parent in only)]
    own = {u.id: unit_text(root, u, cache, memo) for u in wanted}
    out = {uid: text for uid, text in own.items() if only is None or uid in only}
    for u in wanted:
        if u.kind == "proof" and u.parent in out and u.parent != u.id:
            out[u.parent] += "\n\0proof\0\n" + own[u.id]
    return out


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- git plumbing ------------------------------------------------------------------------

def _head(root: Path) -> str:
    proc = git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    if proc.returncode != 0:
        if git(root, "rev-parse", "--git-dir", check=False).returncode != 0:
            raise GitError(f"{root}: not a git repository; reviews are stored as git notes, run `git init` and commit")
        raise GitError(f"{root}: no commit yet; commit your work, then record the review")
    return proc.stdout.decode().strip()


def parse_note(text: str) -> list[ReviewEntry]:
    """Every review in a note; lines that are not ours (hand-written, truncated) are skipped."""
    out: dict[ReviewEntry, None] = {}  # in order, each once (a list's `in` made a long note quadratic)
    for item in note_items(text, "reviews"):
        try:
            e = ReviewEntry(label=str(item["label"]), by=str(item["by"]), commit=str(item["commit"]),
                            digest=str(item["digest"]), time=int(item.get("time", 0)))
        except (KeyError, TypeError, ValueError):
            continue
        out[e] = None
    return list(out)


def read_reviews(root: Path, common: Path | None = None) -> dict[str, list[ReviewEntry]]:
    """Unit id -> every review recorded for it (oldest first); {} outside git or without
    notes. `common`: the common git directory, where the notes are remembered (gitrun.notes)."""
    root = Path(root)
    out: dict[str, list[ReviewEntry]] = {}
    for text in notes(root, REVIEW_REF, common).values():
        for e in parse_note(text):
            out.setdefault(e.label, []).append(e)
    return {k: sorted(set(v), key=lambda e: (e.time, e.commit, e.by, e.digest)) for k, v in sorted(out.items())}


# -- recording and judging reviews ----------------------------------------------------------

def resolve_author(by: str, authors: Iterable[tuple[str, str]]) -> str:
    """`--by` as typed -> the author's name in provenance.yaml (matching name or email,
    ignoring case). `authors` holds (name, email) pairs."""
    pairs = list(authors)
    for name, email in pairs:
        if by.strip().casefold() in (name.casefold(), email.casefold()) and by.strip():
            return name
    names = ", ".join(n for n, _ in pairs) or "none listed"
    raise ConfigError(f"--by {by!r}: not an author in provenance.yaml (authors: {names}); "
                      "use one of those names, or add the reviewer under authors:")


def add_review(root: Path, labels: Sequence[str], by: str, unit_texts: Mapping[str, str],
               authors: Iterable[tuple[str, str]] | None = None) -> list[ReviewEntry]:
    """Record that `by` reviewed `labels` (unit ids) as they read now, at HEAD.
    `unit_texts` is `review_texts(...)`; `authors`, if given, is checked (resolve_author)."""
    root = Path(root)
    if not labels:
        raise UsageError("review: name at least one unit label to record a review of")
    if authors is not None:
        by = resolve_author(by, authors)
    elif not by.strip():
        raise UsageError("--by: give the reviewer's name as listed under authors: in provenance.yaml")
    for label in labels:
        if label not in unit_texts:
            import difflib  # here: only a mistyped label needs it

            near = difflib.get_close_matches(label, list(unit_texts), n=3)
            hint = f"did you mean {', '.join(near)}?" if near else "`paperprov status` lists the units"
            raise ConfigError(f"review: no unit labelled {label!r} in the paper; {hint}")
    head = _head(root)
    now = int(time.time())
    entries = [ReviewEntry(label=lb, by=by, commit=head, digest=text_digest(unit_texts[lb]), time=now)
               for lb in dict.fromkeys(labels)]
    old = notes(root, REVIEW_REF).get(head, "")
    line = canonical_json({"paperprov": NOTE_VERSION, "reviews": [asdict(e) for e in entries]}).decode("utf-8")
    text = (old.rstrip("\n") + "\n" if old.strip() else "") + line + "\n"
    git_text(root, "notes", f"--ref={REVIEW_REF}", "add", "-f", "-F", "-", head, input=text)
    return entries


def current_reviews(root: Path, unit_texts: Mapping[str, str],
                    entries: Mapping[str, Sequence[ReviewEntry]] | None = None) -> dict[str, tuple[Review, ...]]:
    """Unit id -> one Review per reviewer (sorted by name): current, at the latest review
    whose digest matches the text now, or else stale, at that reviewer's latest review."""
    recorded = read_reviews(root) if entries is None else entries
    out: dict[str, tuple[Review, ...]] = {}
    for label in sorted(unit_texts):
        if not recorded.get(label):
            continue
        now = text_digest(unit_texts[label])
        by_name: dict[str, list[ReviewEntry]] = {}
        for e in recorded[label]:
            by_name.setdefault(e.by, []).append(e)
        reviews = []
        for name in sorted(by_name):
            mine = sorted(by_name[name], key=lambda e: (e.time, e.commit))
            match = [e for e in mine if e.digest == now]
            chosen = (match or mine)[-1]
            reviews.append(Review(by=name, commit=chosen.commit, stale=not match, source="note"))
        out[label] = tuple(reviews)
    return out


def for_units(root: Path, units: Sequence[Unit], entries: Mapping[str, Sequence[ReviewEntry]] | None = None,
              store: Path | None = None) -> dict[str, tuple[Review, ...]]:
    """Unit id -> its reviews from notes; a proof with none of its own shows its
    statement's (a review of a statement covers its proofs). `store`: the common git
    directory, where the notes (read_reviews) and the reviewed texts (TextMemo) are
    remembered."""
    recorded = read_reviews(root, store) if entries is None else entries
    texts = TextMemo(store / REVIEW_TEXTS) if store is not None else None
    reviews = current_reviews(root, review_texts(root, units, only=set(recorded), memo=texts), recorded)
    if texts is not None:
        keep(texts.save)
    out = dict(reviews)
    for u in units:
        if u.kind == "proof" and u.id not in out and u.parent in reviews:
            out[u.id] = reviews[u.parent]
    return {k: out[k] for k in sorted(out)}
