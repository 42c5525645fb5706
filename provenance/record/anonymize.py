"""The record of an anonymous submission: the named record with every identity replaced.

What changes (everything else is kept byte for byte):
- `commit`, and the commit of every review and every piece of evidence: the salted digest
  (evidence/identities.salted), so the record still tells commits apart but names none;
- each reviewer (`reviewed_by[].by`): the pseudonym of the person it names ("Author 2"),
  or, for a name no identity knows, "Contributor N" numbered after the known ones;
- free text (evidence details such as `author Jane Doe (aider)`, unit titles, conflicts,
  warnings, formal-proof details): names, emails and key names replaced by the pseudonym's
  forms (`Author 1`, `author-1@anonymous.invalid`, `author-1`), and any hex word that
  abbreviates a commit of the history by its salted digest.
Units in files that `submission.anonymize` matches are not in it at all (assemble.py leaves
them out before attribution, so the summary counts only what the reviewers get).

The salt is build/anonymous/salt; at camera-ready the reveal file discloses it, and a
reviewer rebuilds this record from the repository at the revealed commit, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from provenance.config import Config, Submission
from provenance.errors import BuildError
from provenance.evidence.identities import Identities, identities, salted
from provenance.model import Attribution, Evidence, FormalResult, Record, Review, Unit
from provenance.paths import ANON_SALT

_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{7,64}(?![0-9A-Za-z])")


def visible(units: Sequence[Unit], submission: Submission) -> list[Unit]:
    """The units an anonymous build records: none in a file `submission.anonymize` matches,
    and no lines of such a file in the others (a section that \\inputs acknowledgements)."""
    if not submission.anonymous or not submission.anonymize:
        return list(units)
    out = []
    for u in units:
        if submission.hides(u.file):
            continue
        kept = tuple(e for e in u.extents if not submission.hides(e[0]))
        out.append(replace(u, extents=kept) if kept != u.extents else u)
    return out


def read_salt(root: Path) -> bytes:
    try:
        text = (root / ANON_SALT).read_text(encoding="ascii").strip()
        salt = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        raise BuildError(f"{ANON_SALT}: missing or unreadable; run `doit record` again (an anonymous build "
                         "makes it)") from None
    if len(salt) < 16:
        raise BuildError(f"{ANON_SALT}: too short to hide anything; delete {ANON_SALT} and build again")
    return salt


class Pseudonyms:
    """The replacements for one record: text redaction, reviewers and commit ids."""

    def __init__(self, ids: Identities, salt: bytes, record: Record) -> None:
        self.ids, self.salt = ids, salt
        known = set(ids.commits) | {c for c in (ids.commit, ids.tree) if c}
        known |= {x for a in record.units for x in [e.commit for e in a.evidence] + [r.commit for r in a.reviewed_by] if x}
        self._prefixes = {c[:7].lower(): c for c in known}
        self._full = {c.lower() for c in known}
        strangers = sorted({r.by for a in record.units for r in a.reviewed_by if r.by.strip()
                            and ids.person(r.by) is None})
        first = sum(1 for p in ids.people if not p.author) + 1
        self._strangers = {name: f"Contributor {i}" for i, name in enumerate(strangers, first)}
        self._stranger = re.compile(r"(?<![\w@.+-])(?:" + "|".join(map(re.escape, sorted(strangers, key=len, reverse=True)))
                                    + r")(?![\w@-])") if strangers else None

    def commit(self, oid: str | None) -> str | None:
        return salted(self.salt, oid) if oid else oid

    def _hex(self, m: re.Match[str]) -> str:
        word = m.group(0).lower()
        if word in self._full:
            return salted(self.salt, word)
        full = self._prefixes.get(word[:7])
        return salted(self.salt, full) if full is not None and full.startswith(word) else m.group(0)

    def text(self, value: str) -> str:
        if not value:
            return value
        value = self.ids.redact(value)
        if self._stranger is not None:  # a reviewer nobody knows, e.g. in a marker's `reviewed-by=carol`
            value = self._stranger.sub(lambda m: self._strangers[m.group(0)], value)
        return _HEX.sub(self._hex, value)

    def reviewer(self, name: str) -> str:
        person = self.ids.person(name)
        if person is not None:
            return person.pseudonym
        return self._strangers.get(name, name)  # blank: nobody to hide


def _attribution(a: Attribution, p: Pseudonyms) -> Attribution:
    t: Callable[[str], str] = p.text
    return replace(
        a,
        unit=replace(a.unit, title=t(a.unit.title)),
        evidence=tuple(dict.fromkeys(Evidence(e.source, t(e.detail), e.file, e.line, p.commit(e.commit))
                                     for e in a.evidence)),
        reviewed_by=tuple(sorted({Review(p.reviewer(r.by), p.commit(r.commit), r.stale, r.source) for r in a.reviewed_by},
                                 key=lambda r: (r.by, r.source, r.commit or ""))),
        conflicts=tuple(t(c) for c in a.conflicts),
        formal=tuple(FormalResult(f.link, f.status, f.axioms, t(f.detail)) for f in a.formal),
    )


def pseudonymize(record: Record, ids: Identities, salt: bytes) -> Record:
    p = Pseudonyms(ids, salt, record)
    return replace(record, commit=p.commit(record.commit), units=tuple(_attribution(a, p) for a in record.units),
                   warnings=tuple(p.text(w) for w in record.warnings))


def anonymous_record(cfg: Config, record: Record, salt: bytes | None = None) -> Record:
    """`record` as an anonymous submission shows it; the salt is this build's unless given."""
    return pseudonymize(record, identities(cfg), read_salt(cfg.root) if salt is None else salt)
