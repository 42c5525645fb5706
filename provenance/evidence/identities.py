"""Who an anonymous submission must not name, and the pseudonyms that stand for them.

People: the authors of provenance.yaml, in its order, are "Author 1", "Author 2", ...; every
other human identity of the history (author or committer of a commit reachable from HEAD,
`Jane Doe (aider)` counting as Jane Doe) and the owner of any other committed key are
"Contributor 1", ... (ordered by email, then name). A git identity is an author's when its
email or name is the author's (ignoring case); a key is an author's when provenance.yaml names
it (`key: keys/alice.pub`) or its name is the slug of the author's name. AI agents and bots
(the Co-authored-by addresses of agents.py, `*[bot]`, GitHub's web-flow) are nobody.

Only what the repository at HEAD determines goes in (provenance.yaml, the history, keys/*.pub
committed at HEAD), never the builder's git configuration: a reviewer who rebuilds the record
at the revealed commit must get the same pseudonyms. Everything else that could name someone
(the builder's identity, uncommitted keys) is for the leak check only (attest/leaks.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from provenance.config import Config
from provenance.evidence.agents import CO_AUTHOR_EMAILS, CO_AUTHOR_NAMES, name_agent
from provenance.evidence.gitrun import git
from provenance.evidence.pubkeys import PublicKey, committed_public_keys

SALTED_PREFIX = "salted-sha256:"
# Names too common to be anyone's (a commit made as root on a server, a key called "author").
GENERIC = frozenset({"root", "user", "admin", "administrator", "ubuntu", "runner", "author", "authors",
                     "anonymous", "unknown", "paperprov", "test", "git", "key", "default", "me", "github"})
_AIDER = re.compile(r"\s*\(aider\)\s*$")


def salted(salt: bytes, object_id: str) -> str:
    """A commit or tree id as the anonymous record shows it: HMAC-SHA256 keyed by the salt,
    so nobody without the salt can test a guess (every commit of a public repository)."""
    return SALTED_PREFIX + hmac.new(salt, object_id.lower().encode("ascii", "replace"), hashlib.sha256).hexdigest()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def usable(alias: str) -> bool:
    """Worth looking for: not empty, not one letter, not a generic word."""
    a = alias.strip()
    return len(a) >= 2 and a.casefold() not in GENERIC


@dataclass(frozen=True)
class Person:
    pseudonym: str  # "Author 1", "Contributor 2"
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()  # key names (keys/<name>.pub) and key comments
    author: bool = False

    @property
    def email_alias(self) -> str:
        return f"{slug(self.pseudonym)}@anonymous.invalid"


@dataclass(frozen=True)
class Identities:
    people: tuple[Person, ...] = ()
    keys: tuple[PublicKey, ...] = ()  # long-term keys committed at HEAD
    commit: str | None = None
    tree: str | None = None
    commits: frozenset[str] = frozenset()  # every commit id reachable from HEAD

    @functools.cached_property
    def _aliases(self) -> dict[str, tuple[Person, str]]:
        """alias (casefolded) -> (its person, what replaces it)."""
        out: dict[str, tuple[Person, str]] = {}
        for p in self.people:
            for n in p.names:
                out.setdefault(n.casefold(), (p, p.pseudonym))
            for e in p.emails:
                out.setdefault(e.casefold(), (p, p.email_alias))
            for k in p.keys:
                out.setdefault(k.casefold(), (p, slug(p.pseudonym)))
        return {a: v for a, v in out.items() if usable(a)}

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        aliases = sorted(self._aliases, key=len, reverse=True)
        if not aliases:
            return None
        return re.compile(r"(?<![\w@.+-])(?:" + "|".join(map(re.escape, aliases)) + r")(?![\w@-])", re.IGNORECASE)

    def person(self, text: str) -> Person | None:
        """Whose name, email or key name `text` is (ignoring case and surrounding space)."""
        hit = self._aliases.get(_AIDER.sub("", text).strip().casefold())
        return hit[0] if hit else None

    def redact(self, text: str) -> str:
        """`text` with every name, email and key name replaced by its pseudonym's form."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(lambda m: self._aliases[m.group(0).casefold()][1], text)


# -- gathering them from the repository ------------------------------------------------------

def _is_machine(name: str, email: str) -> bool:
    e, n = email.strip().casefold(), name.strip().casefold()
    return (e in CO_AUTHOR_EMAILS or n in CO_AUTHOR_NAMES or n.endswith("[bot]") or "[bot]@" in e
            or e == "noreply@github.com")


def history(root: Path) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """(human (name, email) pairs of every commit reachable from HEAD, every commit id)."""
    proc = git(root, "log", "--format=%H%x00%an%x00%ae%x00%cn%x00%ce", "HEAD", check=False)
    if proc.returncode != 0:
        return [], frozenset()
    pairs: dict[tuple[str, str], None] = {}
    commits = set()
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        fields = line.split("\0")
        if len(fields) != 5:
            continue
        commits.add(fields[0])
        for name, email in ((fields[1], fields[2]), (fields[3], fields[4])):
            if name_agent(name) is not None:
                name = _AIDER.sub("", name)  # aider commits as "Jane Doe (aider)": Jane is a person
            if not _is_machine(name, email) and (name.strip() or email.strip()):
                pairs[(name.strip(), email.strip())] = None
    return list(pairs), frozenset(commits)


def _key_aliases(key: PublicKey) -> list[str]:
    comment = key.line.split()[2:]
    return [key.name] + [" ".join(comment)] if comment else [key.name]


def _grow(people: list[dict[str, list[str]]], index: int, names: Iterable[str] = (), emails: Iterable[str] = (),
          keys: Iterable[str] = ()) -> None:
    for field, values in (("names", names), ("emails", emails), ("keys", keys)):
        for v in values:
            if v and v.casefold() not in (x.casefold() for x in people[index][field]):
                people[index][field].append(v)


def _match(people: list[dict[str, list[str]]], name: str, email: str) -> int | None:
    for i, p in enumerate(people):
        if (email and email.casefold() in (e.casefold() for e in p["emails"])) or \
                (usable(name) and name.casefold() in (n.casefold() for n in p["names"])):
            return i
    return None


def _people(cfg: Config, pairs: list[tuple[str, str]], keys: list[PublicKey]) -> tuple[Person, ...]:
    authors: list[dict[str, list[str]]] = [{"names": [a.name], "emails": [a.email] if a.email else [], "keys": []}
                                           for a in cfg.authors]
    others: list[dict[str, list[str]]] = []
    for name, email in pairs:
        i = _match(authors, name, email)
        if i is not None:
            _grow(authors, i, [name], [email])
            continue
        j = _match(others, name, email)
        if j is None:
            others.append({"names": [], "emails": [], "keys": []})
            j = len(others) - 1
        _grow(others, j, [name], [email])
    for key in keys:
        owner = next((i for i, a in enumerate(cfg.authors) if a.key and Path(a.key).as_posix() == key.path), None)
        if owner is None:
            owner = next((i for i, p in enumerate(authors) if any(slug(n) == key.name for n in p["names"])), None)
        if owner is not None:
            _grow(authors, owner, keys=_key_aliases(key))
            continue
        j = next((i for i, p in enumerate(others) if any(slug(n) == key.name for n in p["names"])), None)
        if j is None:
            others.append({"names": [], "emails": [], "keys": []})
            j = len(others) - 1
        _grow(others, j, keys=_key_aliases(key))
    others.sort(key=lambda p: (sorted(e.casefold() for e in p["emails"]), sorted(p["names"]), sorted(p["keys"])))
    out = [Person(f"Author {i}", tuple(p["names"]), tuple(p["emails"]), tuple(p["keys"]), True)
           for i, p in enumerate(authors, 1)]
    out += [Person(f"Contributor {i}", tuple(p["names"]), tuple(p["emails"]), tuple(p["keys"]))
            for i, p in enumerate(others, 1)]
    return tuple(out)


def identities(cfg: Config) -> Identities:
    """The people, keys and object ids of the repository at HEAD (see the module's doc)."""
    pairs, commits = history(cfg.root)
    keys = committed_public_keys(cfg.root)
    head = git(cfg.root, "rev-parse", "--verify", "-q", "HEAD", check=False)
    commit = head.stdout.decode().strip() or None if head.returncode == 0 else None
    tree = None
    if commit:
        tree = git(cfg.root, "rev-parse", f"{commit}^{{tree}}").stdout.decode().strip() or None
    return Identities(people=_people(cfg, pairs, keys), keys=tuple(keys), commit=commit, tree=tree, commits=commits)
