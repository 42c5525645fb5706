"""The anonymous record: pseudonyms for people, salted digests for commit ids, nothing else changed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from provenance.attest import signing
from provenance.config import load
from provenance.evidence.identities import identities, salted
from provenance.record.anonymize import pseudonymize
from provenance.record.assemble import build_record
from provenance.recordjson import record_to_json
from tests.helpers import Repo, cli, paper, section

CONFIG = """\
paper: {name: t, main: paper/main.tex}
authors:
  - {name: Alice Example, email: alice@example.org, key: keys/alice.pub}
  - {name: Bob Builder, email: bob@example.org}
submission: {anonymize: [paper/sections/thanks.tex]}
"""
SALT = bytes(range(32))
PEOPLE = ("Alice Example", "alice@example.org", "Bob Builder", "bob@example.org", "Dave Other", "dave@x.org",
          "Ada Author", "ada@example.org", "carol", "dave-other")


@pytest.fixture
def history(repo: Repo, tmp_path: Path) -> Repo:
    """Alice writes, Bob works with aider, Dave (not an author) commits; reviews by an email,
    by a stranger and through `paperprov review`; keys of Alice and of Dave committed."""
    files = paper("base", "more", "thanks")
    files["provenance.yaml"] = CONFIG
    files["paper/sections/base.tex"] = section("base", "% paperprov: origin=ai tool=claude reviewed-by=alice@example.org\n")
    files["paper/sections/thanks.tex"] = "\\section{Thanks}\\label{sec:thanks}\nWe thank Alice Example's cat.\n"
    files["keys/alice.pub"] = signing.generate(tmp_path / "a", "alice").public_line + "\n"
    files["keys/dave-other.pub"] = signing.generate(tmp_path / "d", "dave@laptop").public_line + "\n"
    repo.commit("Paper", files, env={"GIT_AUTHOR_NAME": "Alice Example", "GIT_AUTHOR_EMAIL": "alice@example.org"})
    repo.commit("More", {"paper/sections/more.tex": section("more", "% paperprov: reviewed-by=carol\n")},
                env={"GIT_AUTHOR_NAME": "Bob Builder (aider)", "GIT_AUTHOR_EMAIL": "bob@example.org"})
    repo.commit("Notes", {"NOTES.md": "todo\n"}, env={"GIT_AUTHOR_NAME": "Dave Other", "GIT_AUTHOR_EMAIL": "dave@x.org"})
    assert cli(repo.path, "review", "lem:more", "--by", "Bob Builder").returncode == 0
    return repo


def _anonymous(repo: Repo, salt: bytes = SALT) -> bytes:
    cfg = load(repo.path)
    cfg = replace(cfg, submission=replace(cfg.submission, anonymous=True))
    return record_to_json(pseudonymize(build_record(cfg), identities(cfg), salt))


def test_people_are_numbered_authors_first_in_provenance_yaml_order(history: Repo) -> None:
    people = identities(load(history.path)).people
    assert [(p.pseudonym, p.names) for p in people] == [
        ("Author 1", ("Alice Example",)), ("Author 2", ("Bob Builder",)),
        ("Contributor 1", ("Ada Author",)), ("Contributor 2", ("Dave Other",))]
    assert people[0].keys == ("alice",) and people[3].keys == ("dave-other", "dave@laptop")


def test_the_anonymous_record_names_no_one_and_no_commit(history: Repo) -> None:
    data = _anonymous(history)
    text = data.decode()
    for who in PEOPLE:
        assert who.lower() not in text.lower(), who
    for commit in history.git("rev-list", "--all").split():
        assert commit[:7] not in text, commit
    doc = json.loads(data)
    head = history.git("rev-parse", "HEAD").strip()
    assert doc["commit"] == salted(SALT, head)
    units = {u["id"]: u for u in doc["units"]}
    assert {r["by"] for r in units["sec:base"]["reviewed_by"]} == {"Author 1"}
    assert {r["by"] for r in units["sec:more"]["reviewed_by"]} == {"Contributor 3"}  # "carol": nobody known
    assert {r["by"] for r in units["lem:more"]["reviewed_by"]} == {"Author 2"}
    note = next(r for r in units["lem:more"]["reviewed_by"] if r["source"] == "note")
    assert note["commit"].startswith("salted-sha256:")
    details = [e["detail"] for u in doc["units"] for e in u["evidence"]]
    assert "reviewed-by=author-1@anonymous.invalid" in details and "reviewed-by=Contributor 3" in details
    assert any(d.startswith("author Author 2 (aider) (") for d in details)  # aider's "Bob Builder (aider)"
    assert "sec:thanks" not in units and "paper/sections/thanks.tex" not in doc["files"]  # submission.anonymize


def test_same_salt_same_bytes_other_salt_other_digests(history: Repo) -> None:
    first = _anonymous(history)
    assert _anonymous(history) == first
    other = json.loads(_anonymous(history, bytes(32)))
    assert other["commit"] != json.loads(first)["commit"]
    assert [u["id"] for u in other["units"]] == [u["id"] for u in json.loads(first)["units"]]


def test_the_named_record_is_untouched_by_anonymity_settings(history: Repo) -> None:
    cfg = load(history.path)
    doc = json.loads(record_to_json(build_record(cfg)))
    assert doc["commit"] == history.git("rev-parse", "HEAD").strip()
    assert "sec:thanks" in {u["id"] for u in doc["units"]}
    units = {u["id"]: u for u in doc["units"]}
    assert {r["by"] for r in units["lem:more"]["reviewed_by"]} == {"Bob Builder"}
    assert {r["by"] for r in units["sec:more"]["reviewed_by"]} == {"carol"}

