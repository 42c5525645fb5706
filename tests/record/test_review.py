"""Reviews as git notes: recorded at HEAD, current until the reviewed text changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.errors import ConfigError, GitError
from provenance.model import Review, Unit
from provenance.record import review
from tests.helpers import Repo, run_cli

REF = "refs/notes/paperprov-review"
TEX = """\
\\section{Model}\\label{sec:model}
% paperprov: origin=ai
\\begin{lemma}[Monotonicity]\\label{lem:mono}
For every edge $u \\to v$, $\\mathrm{MSE}(f_v) \\le \\mathrm{MSE}(f_u)$.
\\end{lemma}
\\begin{proof}
$f_u \\in H_v$, and $f_v$ is the best fit in $H_v$.
\\end{proof}
\\begin{theorem}\\label{thm:main}
The excess error falls like $1/T$ (50\\% faster).
\\end{theorem}
"""
UNITS = [
    Unit(id="sec:model", kind="section", file="paper/main.tex", lines=(1, 11), label="sec:model"),
    Unit(id="lem:mono", kind="statement", file="paper/main.tex", lines=(3, 5), label="lem:mono"),
    Unit(id="paper/main.tex#proof:1", kind="proof", file="paper/main.tex", lines=(6, 8), parent="lem:mono"),
    Unit(id="thm:main", kind="statement", file="paper/main.tex", lines=(9, 11), label="thm:main"),
]
AUTHORS = [("Ada Author", "ada@example.org"), ("Ben Reviewer", "ben@example.org")]


def edit(repo: Repo, old: str, new: str) -> None:
    path = repo.path / "paper/main.tex"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def current(repo: Repo) -> dict[str, tuple[Review, ...]]:
    return review.current_reviews(repo.path, review.review_texts(repo.path, UNITS))


@pytest.fixture
def paper(repo: Repo) -> Repo:
    repo.commit("Draft", {"paper/main.tex": TEX})
    return repo


def test_review_is_a_git_note_on_head(paper: Repo) -> None:
    head = paper.git("rev-parse", "HEAD").strip()
    texts = review.review_texts(paper.path, UNITS)
    entries = review.add_review(paper.path, ["lem:mono", "thm:main"], "ben@EXAMPLE.org", texts, authors=AUTHORS)
    assert [(e.label, e.by, e.commit) for e in entries] == [("lem:mono", "Ben Reviewer", head),
                                                             ("thm:main", "Ben Reviewer", head)]
    note = paper.git("notes", f"--ref={REF}", "show", "HEAD")
    obj = json.loads(note)
    assert obj["paperprov"] == 1
    assert [r["label"] for r in obj["reviews"]] == ["lem:mono", "thm:main"]
    assert obj["reviews"][0]["digest"] == review.text_digest(texts["lem:mono"])
    assert current(paper) == {"lem:mono": (Review("Ben Reviewer", head, False, "note"),),
                              "thm:main": (Review("Ben Reviewer", head, False, "note"),)}


def test_a_second_review_on_the_same_commit_is_appended(paper: Repo) -> None:
    texts = review.review_texts(paper.path, UNITS)
    review.add_review(paper.path, ["lem:mono"], "Ada Author", texts, authors=AUTHORS)
    review.add_review(paper.path, ["lem:mono"], "Ben Reviewer", texts, authors=AUTHORS)
    assert len(paper.git("notes", f"--ref={REF}", "show", "HEAD").splitlines()) == 2
    assert [r.by for r in current(paper)["lem:mono"]] == ["Ada Author", "Ben Reviewer"]
    assert [e.by for e in review.read_reviews(paper.path)["lem:mono"]] == ["Ada Author", "Ben Reviewer"]


def test_editing_the_statement_or_its_proof_makes_the_review_stale(paper: Repo) -> None:
    head = paper.git("rev-parse", "HEAD").strip()
    review.add_review(paper.path, ["lem:mono", "thm:main"], "Ben Reviewer",
                      review.review_texts(paper.path, UNITS), authors=AUTHORS)
    edit(paper, "is the best fit", "is the least-squares fit")  # the proof of lem:mono
    after = current(paper)
    assert after["lem:mono"] == (Review("Ben Reviewer", head, True, "note"),)
    assert after["thm:main"] == (Review("Ben Reviewer", head, False, "note"),)

    second = paper.commit("Reword proof")
    review.add_review(paper.path, ["lem:mono"], "Ben Reviewer", review.review_texts(paper.path, UNITS))
    assert current(paper)["lem:mono"] == (Review("Ben Reviewer", second, False, "note"),)


def test_comments_markers_and_rewrapping_keep_a_review_current(paper: Repo) -> None:
    review.add_review(paper.path, ["lem:mono", "thm:main"], "Ada Author", review.review_texts(paper.path, UNITS))
    edit(paper, "For every edge", "For   every\tedge")
    edit(paper, "$.\n\\end{lemma}", "$. % checked numerically\n\\end{lemma}")
    edit(paper, "(50\\% faster)", "(50\\%   faster)")
    assert all(not r.stale for rs in current(paper).values() for r in rs)
    edit(paper, "(50\\%   faster)", "(60\\% faster)")  # \% is text, not a comment
    assert current(paper)["thm:main"][0].stale


def test_review_survives_an_amend_that_orphans_the_reviewed_commit(paper: Repo) -> None:
    reviewed = paper.git("rev-parse", "HEAD").strip()
    review.add_review(paper.path, ["thm:main"], "Ada Author", review.review_texts(paper.path, UNITS))
    paper.git("commit", "-q", "--amend", "-m", "Draft, reworded message")
    assert current(paper)["thm:main"] == (Review("Ada Author", reviewed, False, "note"),)


def test_for_units_gives_a_proof_its_statements_reviews(paper: Repo) -> None:
    review.add_review(paper.path, ["lem:mono"], "Ada Author", review.review_texts(paper.path, UNITS))
    got = review.for_units(paper.path, UNITS)
    assert set(got) == {"lem:mono", "paper/main.tex#proof:1"}
    assert got["paper/main.tex#proof:1"] == got["lem:mono"]


def test_unknown_label_and_unknown_author_are_one_line_errors(paper: Repo) -> None:
    texts = review.review_texts(paper.path, UNITS)
    with pytest.raises(ConfigError, match=r"^review: no unit labelled 'lem:mon' in the paper; did you mean lem:mono\?$"):
        review.add_review(paper.path, ["lem:mon"], "Ada Author", texts, authors=AUTHORS)
    with pytest.raises(ConfigError) as exc:
        review.add_review(paper.path, ["lem:mono"], "Carol", texts, authors=AUTHORS)
    assert str(exc.value) == ("--by 'Carol': not an author in provenance.yaml (authors: Ada Author, Ben Reviewer); "
                              "use one of those names, or add the reviewer under authors:")
    assert paper.git("notes", f"--ref={REF}", "list") == ""


def test_review_needs_a_commit_and_a_repository(repo: Repo, tmp_path: Path) -> None:
    repo.write("paper/main.tex", TEX)
    texts = review.review_texts(repo.path, UNITS)
    with pytest.raises(GitError, match="no commit yet; commit your work"):
        review.add_review(repo.path, ["lem:mono"], "Ada Author", texts)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        review.add_review(plain, ["lem:mono"], "Ada Author", texts)
    assert review.read_reviews(plain) == {}
    assert review.read_reviews(repo.path) == {}


def test_foreign_note_lines_are_skipped(paper: Repo) -> None:
    review.add_review(paper.path, ["thm:main"], "Ada Author", review.review_texts(paper.path, UNITS))
    old = paper.git("notes", f"--ref={REF}", "show", "HEAD")
    paper.git("notes", f"--ref={REF}", "add", "-f", "-m", "hand-written remark\n\n{broken json\n" + old)
    assert [e.label for es in review.read_reviews(paper.path).values() for e in es] == ["thm:main"]


def test_normalize_keeps_escaped_percent_and_drops_comments() -> None:
    assert review.normalize("a 50\\% b % comment\nc\\\\% gone\n\n  d", "x.tex") == "a 50\\% b c\\\\ d"
    assert review.normalize("def f():\n    # paperprov: origin=ai\n    return 1   \n\n", "x.py") == "def f():\n    return 1"


def test_texts_of_units_in_many_files_are_each_units_own(tmp_path: Path) -> None:
    # More files than review_texts keeps split at once, visited back and forth: a file
    # dropped from its cache is read again, never mistaken for another.
    units = []
    for i in range(12):
        (tmp_path / f"f{i}.tex").write_text(f"\\begin{{lemma}}\\label{{l{i}}}\nclaim {i}\n\\end{{lemma}}\n")
        units.append(Unit(id=f"l{i}", kind="statement", file=f"f{i}.tex", lines=(1, 3), label=f"l{i}"))
    units += [Unit(id=f"l{i}-again", kind="statement", file=f"f{i}.tex", lines=(2, 2)) for i in range(12)]
    texts = review.review_texts(tmp_path, units)
    assert texts == {u.id: review.unit_text(tmp_path, u) for u in units}
    assert texts["l3"] == "\\begin{lemma}\\label{l3} claim 3 \\end{lemma}" and texts["l11-again"] == "claim 11"


CONFIG = """\
paper: {name: demo, main: paper/main.tex}
authors:
  - {name: Ada Author, email: ada@example.org}
"""
MAIN = """\
\\documentclass{article}
\\usepackage{amsthm}
\\newtheorem{lemma}{Lemma}
\\begin{document}
\\begin{lemma}\\label{lem:one}
One is less than two.
\\end{lemma}
\\begin{proof}
Count.
\\end{proof}
\\end{document}
"""


def test_cli_records_lists_and_rejects(repo: Repo) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": MAIN})
    ok = run_cli(repo.path, "review", "lem:one", "--by", "Ada Author")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("paperprov: recorded review of lem:one by Ada Author at ")
    listed = run_cli(repo.path, "review")
    assert listed.stdout.startswith("lem:one\tAda Author\t") and listed.stdout.endswith("\tcurrent\n")
    (repo.path / "paper/main.tex").write_text(MAIN.replace("Count.", "Count to two."))
    assert "stale" in run_cli(repo.path, "review").stdout
    bad = run_cli(repo.path, "review", "lem:two", "--by", "Ada Author")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "paperprov: review: no unit labelled 'lem:two' in the paper; did you mean lem:one?"
    nobody = run_cli(repo.path, "review", "lem:one")
    assert nobody.returncode == 1 and "--by NAME is required" in nobody.stderr


def test_reviewed_texts_remembered_by_content_go_stale_as_the_text_changes(paper: Repo) -> None:
    store = paper.path / ".git"
    memo = store / review.REVIEW_TEXTS
    review.add_review(paper.path, ["lem:mono", "thm:main"], "Ada Author", review.review_texts(paper.path, UNITS))
    assert not review.for_units(paper.path, UNITS, store=store)["lem:mono"][0].stale
    kept = json.loads(memo.read_text())["texts"]
    assert len(kept) == 3  # the two statements and the lemma's proof, nothing else
    edit(paper, "best fit", "best fitting function")  # the lemma's proof: a new content, a new key
    got = review.for_units(paper.path, UNITS, store=store)
    assert got["lem:mono"][0].stale and not got["thm:main"][0].stale
    assert got == review.for_units(paper.path, UNITS)  # the same as without a memo
    edit(paper, "best fitting function", "best fit")
    assert not review.for_units(paper.path, UNITS, store=store)["lem:mono"][0].stale
    memo.write_text("{damaged")
    assert review.for_units(paper.path, UNITS, store=store) == review.for_units(paper.path, UNITS)
    assert json.loads(memo.read_text())["texts"] == kept  # written again whole


def test_review_notes_are_remembered_under_the_commit_their_ref_points_to(paper: Repo) -> None:
    store = paper.path / ".git"
    assert review.read_reviews(paper.path, store) == {}  # no ref yet: no notes, nothing kept
    assert not list(store.glob("paperprov/notes.*"))
    review.add_review(paper.path, ["lem:mono"], "Ada Author", review.review_texts(paper.path, UNITS))
    first = review.read_reviews(paper.path, store)
    assert list(first) == ["lem:mono"] and first == review.read_reviews(paper.path)
    kept = next((store / "paperprov").glob("notes.*.json"))
    # What is kept answers while the ref stays where it was: a doctored copy shows it.
    doctored = json.loads(kept.read_text())
    doctored["notes"] = {}
    kept.write_text(json.dumps(doctored))
    assert review.read_reviews(paper.path, store) == {}
    # A new review moves the ref: the notes are read from git again.
    review.add_review(paper.path, ["thm:main"], "Ada Author", review.review_texts(paper.path, UNITS))
    assert set(review.read_reviews(paper.path, store)) == {"lem:mono", "thm:main"}
    kept.write_text("{damaged")
    assert review.read_reviews(paper.path, store) == review.read_reviews(paper.path)
