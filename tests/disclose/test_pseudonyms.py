"""The appendix of an anonymous build: the submission's own key, pseudonyms as authors, the
salted commit digest, and no other wording changed for a named build."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from provenance.attest import signing
from provenance.config import Submission
from provenance.disclose.pseudonyms import anonymous_signers
from provenance.disclose.view import build_view, render_md, render_tex
from provenance.errors import BuildError
from provenance.model import Record, Review
from provenance.paths import ANON_PUB
from tests.disclose.test_view import att, make_cfg

SALTED = "salted-sha256:" + "ab" * 32


def _record(*reviewers: str) -> Record:
    units = (att("lem:a", "statement", "ai", 1.0, reviews=tuple(Review(r, SALTED) for r in reviewers), env="lemma",
                 display="Lemma", label="lem:a"),)
    return Record(commit=SALTED, dirty=False, units=units)


def test_an_anonymous_appendix_names_only_the_submissions_key(tmp_path: Path) -> None:
    key = signing.generate(tmp_path / "k", "anonymous")
    (tmp_path / ANON_PUB).parent.mkdir(parents=True)
    (tmp_path / ANON_PUB).write_text(key.public_line + "\n")
    cfg = replace(make_cfg(tmp_path, authors=("Alice Author", "Bob")), submission=Submission(anonymous=True))
    signers = anonymous_signers(cfg)
    assert signers == (("anonymous", key.keyid),)  # as the attestation records it, for a rebuild
    view = build_view(cfg, _record("Author 2", "Contributor 1"), "0" * 64, signers)
    assert view.anonymous
    assert view.outside_reviewers == ("Contributor 1",)  # Author 2 is an author; Contributor 1 is not
    assert view.verify_command == "paperprov verify dist/demo-submission.zip"
    md = render_md(view)
    assert f"at the commit whose salted digest is `{SALTED}`" in md
    assert f"- Key made for this anonymous submission: `{key.keyid}`" in md
    assert "This is an anonymous submission" in md and "Alice" not in md
    tex = render_tex(view)
    assert "the commit whose salted digest is" in tex and "Commit (salted digest)" in tex


def test_an_anonymous_appendix_without_its_key_is_one_line(tmp_path: Path) -> None:
    cfg = replace(make_cfg(tmp_path), submission=Submission(anonymous=True))
    with pytest.raises(BuildError, match=r"^build/anonymous/key.pub: missing; run `doit record`"):
        anonymous_signers(cfg)


def test_a_named_appendix_says_what_it_always_said(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    record = replace(_record("Alice Author"), commit="c" * 40)
    md = render_md(build_view(cfg, record, "0" * 64))
    assert f"Generated from the provenance record at commit `{'c' * 40}`. Every number below" in md
    assert "anonymous" not in md.lower() and "salted" not in md
    assert "paperprov verify dist/demo-submission.zip --trusted-keys keys/" in md
    assert "It checks the signatures against the committed keys" in md
