"""`paperprov tag`: staged lines marked as AI-written, attached to the commit as a note."""

from __future__ import annotations

import json

import pytest

from provenance.evidence.notes import Tag, note_text, parse_note
from tests.helpers import Repo, cli, commit, install_hooks, run_cli

TEN = "".join(f"line {i}\n" for i in range(1, 11))


def note(repo: Repo, rev: str = "HEAD") -> list[dict[str, object]]:
    text = repo.git("notes", "--ref=refs/notes/paperprov", "show", rev)
    return [t.to_dict() for t in parse_note(text)]


@pytest.fixture
def tagged(repo: Repo) -> Repo:
    install_hooks(repo, ("post-commit",))
    repo.write("paper/x.tex", TEN)
    repo.write("exp/run.py", "a\nb\nc\n")
    repo.git("add", "-A")
    proc = cli(repo.path, "tag", "--ai", "claude-code:claude-opus-4-1", "paper/x.tex:3-9", "exp/run.py")
    assert proc.returncode == 0, proc.stderr
    return repo


def test_tags_become_a_note_on_the_commit_with_the_right_ranges(tagged: Repo) -> None:
    assert (tagged.path / ".git" / "paperprov" / "pending-tags.json").is_file()
    assert commit(tagged, "AI draft").returncode == 0
    text = tagged.git("notes", "--ref=refs/notes/paperprov", "show", "HEAD")
    assert json.loads(text) == {"paperprov": 1, "tags": [
        {"path": "paper/x.tex", "start": 3, "end": 9, "agent": "claude-code:claude-opus-4-1"},
        {"path": "exp/run.py", "start": 1, "end": 3, "agent": "claude-code:claude-opus-4-1"},
    ]}
    assert not (tagged.path / ".git" / "paperprov" / "pending-tags.json").exists()
    assert commit(tagged, "Next", {"other.txt": "o\n"}).returncode == 0
    assert len(tagged.git("notes", "--ref=refs/notes/paperprov", "list").splitlines()) == 1  # only "AI draft"
    proc = cli(tagged.path, "hook", "attach-tags")
    assert proc.returncode == 0 and proc.stderr == ""  # nothing pending: nothing to do


def test_tag_follows_amend_and_new_tags_are_added(tagged: Repo) -> None:
    assert tagged.git("config", "--get-all", "notes.rewriteRef").split() == ["refs/notes/paperprov"]
    assert commit(tagged, "AI draft").returncode == 0
    tagged.write("paper/y.tex", "y1\ny2\n")
    tagged.git("add", "-A")
    assert cli(tagged.path, "tag", "--ai", "codex:gpt-5", "paper/y.tex:2").returncode == 0
    assert commit(tagged, "", args=("--amend", "--no-edit")).returncode == 0
    assert [(t["path"], t["start"], t["end"], t["agent"]) for t in note(tagged)] == [
        ("paper/y.tex", 2, 2, "codex:gpt-5"),
        ("paper/x.tex", 3, 9, "claude-code:claude-opus-4-1"),
        ("exp/run.py", 1, 3, "claude-code:claude-opus-4-1"),
    ]


def test_tag_follows_rebase(tagged: Repo) -> None:
    assert commit(tagged, "AI draft").returncode == 0
    tagged.git("checkout", "-q", "-b", "topic")
    tagged.git("checkout", "-q", "main")
    tagged.git("reset", "-q", "--hard", "HEAD~1")
    tagged.commit("Upstream", {"u.txt": "u\n"})
    tagged.git("checkout", "-q", "topic")
    tagged.git("rebase", "-q", "main")
    assert tagged.git("log", "-1", "--format=%s").strip() == "AI draft"
    assert [t["path"] for t in note(tagged)] == ["paper/x.tex", "exp/run.py"]


def test_unstaged_file_and_bad_range_are_refused(repo: Repo) -> None:
    repo.commit("Base", {"a.tex": "1\n2\n"})
    proc = run_cli(repo.path, "tag", "--ai", "claude-code:x", "a.tex")  # the real command, as a process
    assert proc.returncode == 1
    assert proc.stderr == "paperprov: a.tex: has no staged changes; `git add a.tex` first (tags mark staged work)\n"
    repo.write("a.tex", "1\n2\n3\n")
    repo.git("add", "a.tex")
    proc = cli(repo.path, "tag", "--ai", "claude-code:x", "a.tex:2-5")
    assert proc.stderr == "paperprov: a.tex:2-5: lines 2-5 are not within the staged a.tex (1-3); fix the range\n"
    proc = cli(repo.path, "tag", "--ai", "none", "a.tex")
    assert proc.returncode == 1 and "--ai: name the AI" in proc.stderr
    assert not (repo.path / ".git" / "paperprov" / "pending-tags.json").exists()


def test_tag_from_a_subdirectory_uses_repo_relative_paths(repo: Repo) -> None:
    repo.write("paper/sec/a.tex", "1\n2\n")
    repo.git("add", "-A")
    proc = cli(repo.path / "paper", "tag", "--ai", "gemini-cli:gemini-2.5-pro", "sec/a.tex:2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("tagged paper/sec/a.tex:2-2 as gemini-cli:gemini-2.5-pro")
    assert "no post-commit hook" in proc.stderr  # says how to attach without the hook
    repo.git("commit", "-q", "-m", "x")
    assert cli(repo.path, "hook", "attach-tags").returncode == 0
    assert note(repo) == [{"path": "paper/sec/a.tex", "start": 2, "end": 2, "agent": "gemini-cli:gemini-2.5-pro"}]


def test_parse_note_reads_concatenated_and_merged_notes() -> None:
    a = Tag("p.tex", 1, 2, "claude-code:m")
    b = Tag("q.py", 3, 4, "codex:gpt-5")
    text = note_text([a]) + "\n" + note_text([b, a]) + "hand-written remark\n{broken json\n"
    assert parse_note(text) == [a, b]
    assert note_text([a]) == '{"paperprov":1,"tags":[{"agent":"claude-code:m","end":2,"path":"p.tex","start":1}]}\n'
