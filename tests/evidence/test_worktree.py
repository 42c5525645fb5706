"""Working-tree edits blamed from the cached blame at HEAD (evidence/worktree.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance.evidence.blame import BlameSpan, blame_one
from provenance.evidence.collect import collect, dirty_files
from provenance.evidence.gitrun import repo_info
from provenance.evidence.worktree import compose
from tests.helpers import Repo

VOCAB = ["}", "{", "", "\\begin{proof}", "\\end{proof}", "x = 1", "  indented", "a line", "another"]


def per_line(spans: tuple[BlameSpan, ...]) -> list[tuple[str | None, str, int]]:
    return [(s.commit, s.orig_path, s.orig_start + i) for s in spans for i in range(s.length)]


def mutate(rng: random.Random, lines: list[str]) -> list[str]:
    """Insertions, deletions and replacements of lines that repeat (diff's hard cases)."""
    lines = list(lines)
    for _ in range(rng.randint(1, 6)):
        op, i = rng.random(), rng.randint(0, len(lines))
        if op < 0.4:
            lines[i:i] = [rng.choice(VOCAB) for _ in range(rng.randint(1, 5))]
        elif op < 0.7:
            del lines[i:i + rng.randint(1, 4)]
        elif lines:
            lines[min(i, len(lines) - 1)] = rng.choice(VOCAB)
    return lines


def text(rng: random.Random, lines: list[str]) -> str:
    return "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")  # sometimes no final newline


def git_trace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    trace = tmp_path / "git-trace"
    trace.write_text("")
    monkeypatch.setenv("GIT_TRACE", str(trace))
    return trace


def git_blame(repo: Repo, rel: str) -> tuple[BlameSpan, ...]:
    """git's own blame of the working-tree file, no cache, no base."""
    info = repo_info(repo.path)
    assert info is not None
    return blame_one(repo.path, info, rel, (repo.path / rel).read_bytes(), True)


def test_edits_blamed_from_the_base_agree_with_git_blame_line_for_line(repo: Repo) -> None:
    rng = random.Random(14)
    lines = [rng.choice(VOCAB) for _ in range(50)]
    for i in range(6):
        lines = mutate(rng, lines)
        repo.commit(f"c{i}" + ("\n\nAssisted-by: claude-code:opus-4" if i % 2 else ""), {"sub/a.tex": text(rng, lines)})
    committed = (repo.path / "sub/a.tex").read_text().splitlines()
    collect(repo.path, ["sub/a.tex"])  # the cache now holds HEAD's blame: the base
    for _ in range(25):
        repo.write("sub/a.tex", text(rng, mutate(rng, committed)))
        cached = collect(repo.path, ["sub/a.tex"]).blame["sub/a.tex"]
        fresh = collect(repo.path, ["sub/a.tex"], use_cache=False).blame["sub/a.tex"]
        assert per_line(cached) == per_line(fresh) == per_line(git_blame(repo, "sub/a.tex"))


def test_a_file_first_blamed_while_edited_keeps_its_base(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    c1 = repo.commit("one", {"a.tex": "a\nb\nc\n"})
    repo.write("a.tex", "a\nnew\nc\n")  # edited before paperprov ever saw it
    trace = git_trace(monkeypatch, tmp_path)
    first = collect(repo.path, ["a.tex"]).blame["a.tex"]
    assert per_line(first) == per_line(git_blame(repo, "a.tex"))
    assert trace.read_text().count(" blame ") == 2  # HEAD's blob here, git's own in git_blame
    trace.write_text("")
    repo.write("a.tex", "a\nnew\nc\nmore\n")
    again = collect(repo.path, ["a.tex"]).blame["a.tex"]
    assert [c for c, _, _ in per_line(again)] == [c1, None, c1, None]
    assert " blame " not in trace.read_text()


def test_an_edit_costs_a_diff_and_undoing_it_costs_nothing(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    c1 = repo.commit("one", {"a.tex": "a\nb\nc\n", "b.tex": "x\n"})
    trace = git_trace(monkeypatch, tmp_path)
    collect(repo.path, ["a.tex", "b.tex"])
    assert trace.read_text().count(" blame ") == 2
    trace.write_text("")
    repo.write("a.tex", "a\nnew\nc\n")
    ev = collect(repo.path, ["a.tex", "b.tex"])
    assert [c for c, _, _ in per_line(ev.blame["a.tex"])] == [c1, None, c1]
    repo.write("a.tex", "a\nnew\nc\nand more\n")  # a second edit still starts from HEAD's blame
    assert [c for c, _, _ in per_line(collect(repo.path, ["a.tex"]).blame["a.tex"])] == [c1, None, c1, None]
    repo.write("a.tex", "a\nb\nc\n")
    assert [c for c, _, _ in per_line(collect(repo.path, ["a.tex"]).blame["a.tex"])] == [c1, c1, c1]
    calls = trace.read_text()
    assert " blame " not in calls and calls.count(" diff ") == 2, calls


def test_a_commit_to_the_file_makes_its_base_stale(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": "a\nb\n"})
    collect(repo.path, ["a.tex"])
    c2 = repo.commit("two", {"a.tex": "a\nB\n"})
    repo.write("a.tex", "a\nB\nc\n")
    assert [c for c, _, _ in per_line(collect(repo.path, ["a.tex"]).blame["a.tex"])] == [c1, c2, None]


def test_compose_keeps_blame_around_hunks_and_shifts_it() -> None:
    base = (BlameSpan(1, 3, "x", "a.tex", 1), BlameSpan(4, 2, "y", "old.tex", 10))
    # old line 2 replaced by two lines, old line 5 deleted
    got = compose(base, [(2, 1, 2, 2), (5, 1, 5, 0)], "a.tex")
    assert per_line(got) == [("x", "a.tex", 1), (None, "a.tex", 2), (None, "a.tex", 3),
                             ("x", "a.tex", 3), ("y", "old.tex", 10)]


def test_a_paper_in_a_subdirectory_of_the_repository(repo: Repo) -> None:
    c1 = repo.commit("one", {"paper/a.tex": "a\nb\n", "other.txt": "x\n"})
    root = repo.path / "paper"
    collect(root, ["a.tex"])
    (root / "a.tex").write_text("a\nb\nc\n")
    cached = collect(root, ["a.tex"]).blame["a.tex"]
    assert per_line(cached) == per_line(collect(root, ["a.tex"], use_cache=False).blame["a.tex"])
    assert per_line(cached) == [(c1, "paper/a.tex", 1), (c1, "paper/a.tex", 2), (None, "paper/a.tex", 3)]


def test_during_a_merge_the_file_is_blamed_in_full(repo: Repo) -> None:
    """git blame gives lines the merge brings in to the merged commits, not to the working
    tree: no shortcut from HEAD's blame while MERGE_HEAD exists."""
    c1 = repo.commit("one", {"a.tex": "a\nb\n"})
    collect(repo.path, ["a.tex"])
    repo.git("checkout", "-q", "-b", "side")
    c2 = repo.commit("two", {"a.tex": "a\nb\nfrom side\n"})
    repo.git("checkout", "-q", "-")
    repo.commit("three", {"other.tex": "x\n"})
    collect(repo.path, ["a.tex"])
    repo.git("merge", "-q", "--no-commit", "--no-ff", "side")
    got = [c for c, _, _ in per_line(collect(repo.path, ["a.tex"]).blame["a.tex"])]
    assert got == [c1, c1, c2]


def test_file_names_with_glob_characters_name_that_file_alone(repo: Repo) -> None:
    c1 = repo.commit("one", {"a[1].tex": "a\nb\n", "a1.tex": "x\ny\n"})
    collect(repo.path, ["a[1].tex", "a1.tex"])
    repo.write("a[1].tex", "a\nb\nnew\n")
    repo.write("a1.tex", "changed\nx\ny\n")  # what the glob a[1].tex would also match
    ev = collect(repo.path, ["a[1].tex"])
    assert [c for c, _, _ in per_line(ev.blame["a[1].tex"])] == [c1, c1, None]
    assert dirty_files(repo.path, ["a[1].tex"]) == ["a[1].tex"]
    repo.write("a[1].tex", "a\nb\n")
    assert dirty_files(repo.path, ["a[1].tex"]) == []


def test_a_commit_of_the_edit_is_blamed_from_the_edit_as_git_blame_would(repo: Repo) -> None:
    rng = random.Random(41)
    lines = [rng.choice(VOCAB) for _ in range(40)]
    repo.commit("c0", {"a.tex": text(rng, lines)})
    collect(repo.path, ["a.tex"])
    for i in range(12):
        lines = mutate(rng, (repo.path / "a.tex").read_text().splitlines())
        repo.write("a.tex", text(rng, lines))
        collect(repo.path, ["a.tex"])  # the edit, blamed from HEAD's blame
        if i % 3 == 2:  # committed otherwise than the working tree holds it: blamed in full
            repo.git("add", "a.tex")
            repo.write("a.tex", text(rng, mutate(rng, lines)))
            repo.git("commit", "-q", "-m", f"partial {i}")
        else:
            repo.commit(f"c{i + 1}" + ("\n\nAssisted-by: codex:gpt-5" if i % 2 else ""))
        cached = collect(repo.path, ["a.tex"]).blame["a.tex"]
        assert per_line(cached) == per_line(collect(repo.path, ["a.tex"], use_cache=False).blame["a.tex"])


def test_committing_an_edit_costs_no_blame(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    c1 = repo.commit("one", {"a.tex": "a\nb\n", "b.tex": "x\n"})
    collect(repo.path, ["a.tex", "b.tex"])
    repo.write("a.tex", "a\nnew\nb\n")
    collect(repo.path, ["a.tex", "b.tex"])
    c2 = repo.commit("two")
    trace = git_trace(monkeypatch, tmp_path)
    ev = collect(repo.path, ["a.tex", "b.tex"])
    assert [c for c, _, _ in per_line(ev.blame["a.tex"])] == [c1, c2, c1]
    assert " blame " not in trace.read_text()
