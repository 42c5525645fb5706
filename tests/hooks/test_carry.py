"""AI trailers survive history edits: amend, reset + amend, and interactive rebase
(reword, squash, fixup), with the real pre-commit framework and real git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Repo, commit, git, install_hooks, message

CLAUDE = {"CLAUDECODE": "1", "ANTHROPIC_MODEL": "claude-opus-4-1"}
CO_AUTHOR = "Co-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>"
MSG_STAGES = ("prepare-commit-msg", "commit-msg")


@pytest.fixture
def hooked(repo: Repo) -> Repo:
    repo.commit("Base", {"base.txt": "0\n"})
    install_hooks(repo, MSG_STAGES)
    return repo


def trailers(repo: Repo, rev: str = "HEAD") -> list[str]:
    out = git(repo.path, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return [line for line in out.splitlines() if line.strip()]


def ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stderr


def three_commits(repo: Repo) -> None:
    """An agent's commit, a commit with the agent's own co-author line, a human's."""
    ok(commit(repo, "Lemma", {"a.txt": "a\n"}, env=CLAUDE))
    ok(commit(repo, f"Proof\n\n{CO_AUTHOR}", {"b.txt": "b\n"}))
    ok(commit(repo, "Typo\n\nAssisted-by: none", {"c.txt": "c\n"}))


def editor(tmp_path: Path, name: str, code: str) -> str:
    script = tmp_path / f"{name}.py"
    script.write_text("import sys\npath = sys.argv[1]\ntext = open(path).read()\n" + code, encoding="utf-8")
    return f"{sys.executable} {script}"


def test_amend_with_a_new_message_keeps_the_ai_trailers(hooked: Repo) -> None:
    ok(commit(hooked, f"Draft\n\n{CO_AUTHOR}", {"a.txt": "1\n"}, env=CLAUDE))
    assert trailers(hooked) == [CO_AUTHOR, "Assisted-by: claude-code:claude-opus-4.7"]
    ok(commit(hooked, "Better subject", args=("--amend",)))  # a human rewrites the message
    assert message(hooked).startswith("Better subject\n")
    assert trailers(hooked) == [CO_AUTHOR, "Assisted-by: claude-code:claude-opus-4.7"]


def test_amend_in_the_editor_keeps_them_even_if_the_lines_are_deleted(hooked: Repo, tmp_path: Path) -> None:
    ok(commit(hooked, "Draft", {"a.txt": "1\n"}, env=CLAUDE))
    wipe = editor(tmp_path, "wipe", "open(path, 'w').write('Rewritten by hand\\n')\n")
    ok(commit(hooked, "", {"a.txt": "2\n"}, env={"GIT_EDITOR": wipe}, args=("--amend",)))
    assert message(hooked).startswith("Rewritten by hand\n")
    assert trailers(hooked) == ["Assisted-by: claude-code:claude-opus-4-1"]


def test_an_authors_none_on_amend_is_respected(hooked: Repo) -> None:
    ok(commit(hooked, "Draft", {"a.txt": "1\n"}, env=CLAUDE))
    ok(commit(hooked, "Rewrote it all myself\n\nAssisted-by: none", {"a.txt": "2\n"}, args=("--amend",)))
    assert trailers(hooked) == ["Assisted-by: none"]


def test_amend_after_a_soft_reset_carries_the_union(hooked: Repo) -> None:
    three_commits(hooked)
    hooked.git("reset", "-q", "--soft", "HEAD~2")  # fold Proof and Typo into Lemma
    ok(commit(hooked, "Lemma and proof", args=("--amend",)))
    assert git(hooked.path, "log", "--format=%s", "-2").splitlines() == ["Lemma and proof", "Add pre-commit config"]
    got = trailers(hooked)
    assert "Assisted-by: claude-code:claude-opus-4-1" in got and CO_AUTHOR in got
    assert "Assisted-by: none" not in got  # Typo's `none` no longer holds for the folded commit


def test_a_plain_amend_of_a_human_commit_adds_nothing(hooked: Repo) -> None:
    ok(commit(hooked, "Human\n\nAssisted-by: none", {"a.txt": "1\n"}))
    ok(commit(hooked, "Human, better", args=("--amend",)))
    assert trailers(hooked) == []


def rebase(repo: Repo, tmp_path: Path, todo: str, message_editor: str | None = None) -> None:
    seq = editor(tmp_path, "todo", f"lines = text.splitlines(True)\n{todo}\nopen(path, 'w').write(''.join(lines))\n")
    env = {"GIT_SEQUENCE_EDITOR": seq, "GIT_EDITOR": message_editor or "true"}
    git(repo.path, "rebase", "-q", "-i", "HEAD~3", env=env)


def test_rebase_reword_keeps_the_trailers_of_the_commit(hooked: Repo, tmp_path: Path) -> None:
    three_commits(hooked)
    wipe = editor(tmp_path, "wipe", "open(path, 'w').write('Lemma, reworded\\n')\n")
    rebase(hooked, tmp_path, "lines[0] = lines[0].replace('pick', 'reword', 1)", wipe)
    assert git(hooked.path, "log", "--format=%s", "-3").splitlines() == ["Typo", "Proof", "Lemma, reworded"]
    assert trailers(hooked, "HEAD~2") == ["Assisted-by: claude-code:claude-opus-4-1"]
    assert trailers(hooked, "HEAD~1") == [CO_AUTHOR, "Assisted-by: claude-code:claude-opus-4.7"]  # as it was
    assert trailers(hooked) == ["Assisted-by: none"]


def test_rebase_squash_and_fixup_carry_the_union(hooked: Repo, tmp_path: Path) -> None:
    three_commits(hooked)
    rebase(hooked, tmp_path, "lines[1] = lines[1].replace('pick', 'squash', 1)\n"
                             "lines[2] = lines[2].replace('pick', 'fixup', 1)")
    assert git(hooked.path, "log", "--format=%s", "-2").splitlines() == ["Lemma", "Add pre-commit config"]
    got = trailers(hooked)
    assert "Assisted-by: claude-code:claude-opus-4-1" in got and CO_AUTHOR in got
    assert "Assisted-by: none" not in got


def test_rebase_fixup_of_an_ai_commit_into_a_human_one_keeps_the_ai_trailer(hooked: Repo, tmp_path: Path) -> None:
    ok(commit(hooked, "Human intro\n\nAssisted-by: none", {"a.txt": "a\n"}))
    ok(commit(hooked, "fixup! Human intro", {"a.txt": "a, by the agent\n"}, env=CLAUDE))
    ok(commit(hooked, "Other", {"c.txt": "c\n"}, env=CLAUDE))
    seq = editor(tmp_path, "todo", "open(path, 'w').write(text)\n")  # accept --autosquash's todo
    git(hooked.path, "rebase", "-q", "-i", "--autosquash", "HEAD~3", env={"GIT_SEQUENCE_EDITOR": seq,
                                                                          "GIT_EDITOR": "true"})
    assert git(hooked.path, "log", "--format=%s", "-2", "HEAD~1").splitlines() == ["Human intro", "Add pre-commit config"]
    assert trailers(hooked, "HEAD~1") == ["Assisted-by: claude-code:claude-opus-4-1"]
