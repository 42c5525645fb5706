"""`paperprov session`: state under .git/, and commits tagged while it is open."""

from __future__ import annotations

import json
import time

from provenance.evidence import gitstate
from provenance.hooks import session
from tests.helpers import Repo, assisted_by, cli, commit, install_hooks, message, run_cli


def test_start_writes_state_under_git_dir_and_show_prints_it(repo: Repo) -> None:
    proc = run_cli(repo.path, "session", "start", "--agent", "chatgpt", "--model", "gpt-5")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((repo.path / ".git" / "paperprov" / "session.json").read_text())
    assert data["agent"] == "chatgpt" and data["model"] == "gpt-5"
    assert abs(data["started"] - time.time()) < 60
    assert repo.git("status", "--porcelain") == ""  # nothing to commit by accident
    show = cli(repo.path, "session", "show")
    assert show.returncode == 0
    assert show.stdout.splitlines()[:2] == ["agent: chatgpt", "model: gpt-5"]
    assert show.stderr == ""  # fresh: no warning


def test_second_start_is_refused_and_stop_closes(repo: Repo) -> None:
    session.start(repo.path, "chatgpt")
    proc = cli(repo.path, "session", "start", "--agent", "claude")
    assert proc.returncode == 1
    assert proc.stderr.startswith("paperprov: a session with chatgpt:unknown is already open since ")
    assert proc.stderr.rstrip().endswith("run `paperprov session stop` first")
    assert cli(repo.path, "session", "stop").stdout.startswith("session with chatgpt:unknown (since ")
    assert session.open_session(repo.path) is None
    assert cli(repo.path, "session", "show").stdout == "no session open\n"
    assert cli(repo.path, "session", "stop").stdout == "no session was open\n"


def test_session_open_for_more_than_a_day_warns(repo: Repo) -> None:
    started = session.start(repo.path, "claude", "claude-opus-4-1", now=1_700_000_000)
    assert started.started_iso == "2023-11-14T22:13:20Z"
    assert session.stale_warning(repo.path, now=1_700_000_000 + 3600) is None
    warning = session.stale_warning(repo.path, now=1_700_000_000 + 2 * 86400)
    assert warning is not None and warning.startswith("session with claude:claude-opus-4-1 open for 2.0 days")
    show = cli(repo.path, "session", "show")
    assert "paperprov: warning: session with claude:claude-opus-4-1 open for" in show.stderr


def test_damaged_session_file_is_one_line_and_stop_clears_it(repo: Repo) -> None:
    path = repo.path / ".git" / "paperprov" / "session.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    proc = cli(repo.path, "session", "show")
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert "damaged session file" in proc.stderr and "paperprov session stop" in proc.stderr
    assert cli(repo.path, "session", "stop").returncode == 0
    assert not path.exists()


def test_bad_agent_name_and_no_repository_are_one_line_errors(repo: Repo, tmp_path) -> None:
    proc = cli(repo.path, "session", "start", "--agent", "bad name!")
    assert proc.returncode == 1 and proc.stderr.startswith("paperprov: --agent: 'bad name!' is not a name")
    outside = tmp_path / "nowhere"
    outside.mkdir()
    proc = cli(outside, "session", "show")
    assert proc.returncode == 1 and "not inside a git repository" in proc.stderr


def test_opening_a_session_changes_the_record_state_token(repo: Repo) -> None:
    before = gitstate.state_token(repo.path)
    session.start(repo.path, "chatgpt")
    assert gitstate.state_token(repo.path) != before
    session.stop(repo.path)
    assert gitstate.state_token(repo.path) == before


def test_commits_are_tagged_while_a_session_is_open(repo: Repo) -> None:
    install_hooks(repo, ("prepare-commit-msg",))
    s = session.start(repo.path, "chatgpt", "gpt-5")
    assert commit(repo, "Pasted proof", {"p.tex": "proof\n"}).returncode == 0
    assert message(repo) == f"Pasted proof\n\nAssisted-by: chatgpt:gpt-5\nPaperprov-Session: {s.started_iso}\n\n"
    assert cli(repo.path, "session", "stop").returncode == 0
    assert commit(repo, "My own edit", {"p.tex": "mine\n"}).returncode == 0
    assert assisted_by(repo) == []
