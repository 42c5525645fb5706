"""The commit-time hooks, run by the real pre-commit framework on real commits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from provenance.errors import ConfigError, one_line
from provenance.hooks.commit import check_policy, tag_message
from provenance.hooks.lint import lint
from tests.helpers import Repo, assisted_by, cli, commit, git, install_hooks, message, run_cli, write_message

CLAUDE = {"CLAUDECODE": "1", "ANTHROPIC_MODEL": "claude-opus-4-1"}
CONFIG = """paper: {name: p, main: paper/main.tex}
policy:
  declare_paths: [paper/, experiments/]
"""


MSG_STAGES = ("prepare-commit-msg", "commit-msg")


@pytest.fixture
def hooked(repo: Repo) -> Repo:
    install_hooks(repo, MSG_STAGES)
    return repo


def tag(repo: Repo, text: str, env: dict[str, str] | None = None) -> str:
    """The prepare-commit-msg hook's work on a message, in process (no commit)."""
    path = write_message(repo, text)
    tag_message(repo.path, path, env or {})
    return path.read_text()


def test_claude_code_commit_gets_assisted_by_trailer_and_a_human_commit_does_not(hooked: Repo) -> None:
    proc = commit(hooked, "Draft lemma", {"a.txt": "x\n"}, env=CLAUDE)
    assert proc.returncode == 0, proc.stderr
    assert message(hooked) == "Draft lemma\n\nAssisted-by: claude-code:claude-opus-4-1\n\n"
    assert commit(hooked, "Human work", {"a.txt": "y\n"}).returncode == 0
    assert message(hooked) == "Human work\n\n"


def test_agent_without_model_variable_is_tagged_unknown_model(repo: Repo) -> None:
    assert tag(repo, "x\n", {"GEMINI_CLI": "1"}) == "x\n\nAssisted-by: gemini-cli:unknown\n"


def test_model_names_the_policy_would_refuse_are_normalized(repo: Repo) -> None:
    env = {"CLAUDECODE": "1", "ANTHROPIC_MODEL": "claude-sonnet-4-5[1m]"}
    assert tag(repo, "x\n", env) == "x\n\nAssisted-by: claude-code:claude-sonnet-4-5\n"  # [1m]: context, not model
    assert check_policy(repo.path, repo.path / ".git" / "COMMIT_EDITMSG") == []


def test_aider_author_name_commit_is_tagged(hooked: Repo) -> None:
    env = {"GIT_AUTHOR_NAME": "Ada (aider)", "GIT_COMMITTER_NAME": "Ada (aider)", "AIDER_MODEL": "gpt-4o"}
    assert commit(hooked, "aider: fix typo", {"a.txt": "y\n"}, env=env).returncode == 0
    assert assisted_by(hooked) == ["aider:gpt-4o"]


def test_aider_co_author_trailer_is_tagged_with_the_model_it_names(repo: Repo) -> None:
    msg = "Refactor loader\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>\n"
    assert tag(repo, msg) == msg + "Assisted-by: aider:gpt-4o\n"


def test_claude_co_author_trailer_keeps_the_model_it_names(repo: Repo) -> None:
    msg = "Lemma\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>\n"
    assert tag(repo, msg) == msg + "Assisted-by: claude-code:claude-opus-4.1\n"


def test_message_the_agent_tagged_itself_is_left_as_is(repo: Repo) -> None:
    msg = "Prove bound\n\nAssisted-by: claude-code:claude-sonnet-4-5\n"
    assert tag(repo, msg, CLAUDE) == msg


def test_trailer_goes_above_git_comments(repo: Repo) -> None:
    msg = "Subject\n\n# Please enter the commit message\n# comment\n"
    assert tag(repo, msg, CLAUDE) == "Subject\n\nAssisted-by: claude-code:claude-opus-4-1\n\n# Please enter the commit message\n# comment\n"


def test_empty_message_is_left_for_commit_msg(repo: Repo) -> None:
    assert tag(repo, "\n# Please enter the commit message\n", CLAUDE) == "\n# Please enter the commit message\n"


def test_amend_does_not_duplicate_the_trailer(hooked: Repo) -> None:
    assert commit(hooked, "Draft", {"a.txt": "1\n"}, env=CLAUDE).returncode == 0
    proc = commit(hooked, "", {"a.txt": "2\n"}, env=CLAUDE, args=("--amend", "--no-edit"))
    assert proc.returncode == 0, proc.stderr
    assert assisted_by(hooked) == ["claude-code:claude-opus-4-1"]
    assert message(hooked).count("Assisted-by") == 1


def test_agent_replaces_a_human_none_declaration(repo: Repo) -> None:
    assert tag(repo, "Edit\n\nAssisted-by: none\n", CLAUDE) == "Edit\n\nAssisted-by: claude-code:claude-opus-4-1\n"


def test_none_next_to_an_agent_co_author_line_is_left_to_the_record(repo: Repo) -> None:
    msg = "Edit\n\nCo-authored-by: Claude <noreply@anthropic.com>\nAssisted-by: none\n"
    assert tag(repo, msg) == msg


def _diverged(repo: Repo) -> Repo:
    """main and topic with one human commit each, made before the hooks are installed."""
    repo.commit("Base", {"base.txt": "0\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("Human lemma", {"t.txt": "t\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("Upstream", {"u.txt": "u\n"})
    install_hooks(repo, MSG_STAGES)
    return repo


def test_merge_made_by_an_agent_is_tagged_and_a_human_merge_is_not(repo: Repo) -> None:
    _diverged(repo)
    repo.git("merge", "-q", "--no-ff", "--no-edit", "topic", env=CLAUDE)
    assert message(repo).startswith("Merge branch 'topic'")
    assert assisted_by(repo) == ["claude-code:claude-opus-4-1"]
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "topic")
    assert assisted_by(repo) == []


def test_rebase_by_an_agent_leaves_replayed_messages_alone(repo: Repo) -> None:
    _diverged(repo)
    repo.git("checkout", "-q", "topic")
    repo.git("rebase", "-q", "main", env=CLAUDE)
    assert message(repo) == "Human lemma\n\n"
    assert "Upstream" in git(repo.path, "log", "--format=%s", "HEAD~1")


PAPER = {
    "provenance.yaml": "paper: {name: p, main: main.tex}\n",
    "main.tex": "\\documentclass{article}\n\\begin{document}\n\\section{A}\nText.\n\\end{document}\n",
}


def _section(repo: Repo) -> tuple[str, tuple[str, ...]]:
    from provenance.config import load
    from provenance.record.assemble import build_record

    (sec,) = [a for a in build_record(load(repo.path)).units if a.unit.kind == "section"]
    return sec.origin, tuple(str(g) for g in sec.agents)


def test_commit_without_hooks_installed_is_not_tagged(repo: Repo) -> None:
    proc = commit(repo, "Agent work, no hooks", PAPER, env=CLAUDE)
    assert proc.returncode == 0
    assert message(repo) == "Agent work, no hooks\n\n"
    assert _section(repo) == ("unknown", ())  # untagged: the record cannot know, and claims nothing


def test_the_record_sees_what_the_hook_tagged(hooked: Repo) -> None:
    assert commit(hooked, "Agent work", PAPER, env=CLAUDE).returncode == 0
    assert _section(hooked) == ("ai", ("claude-code:claude-opus-4-1",))


def test_message_written_in_the_editor_is_tagged_by_commit_msg(hooked: Repo, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\np = sys.argv[1]\nt = open(p).read()\nopen(p, 'w').write('Edited subject\\n' + t)\n")
    env = {**CLAUDE, "GIT_EDITOR": f"{sys.executable} {editor}"}
    proc = commit(hooked, "", {"a.txt": "e\n"}, env=env)
    assert proc.returncode == 0, proc.stderr
    assert message(hooked) == "Edited subject\n\nAssisted-by: claude-code:claude-opus-4-1\n\n"


# -- policy (commit-msg) -------------------------------------------------------------

@pytest.fixture
def policed(repo: Repo) -> Repo:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "\\documentclass{article}\n"})
    install_hooks(repo, MSG_STAGES)
    return repo


def test_policy_refuses_undeclared_commit_to_declared_path_and_names_the_line(policed: Repo) -> None:
    head = policed.git("rev-parse", "HEAD")
    proc = commit(policed, "Tweak intro", {"paper/main.tex": "\\documentclass{article}\n% x\n"})
    assert proc.returncode != 0
    assert "this commit touches paper/main.tex (policy.declare_paths in provenance.yaml)" in proc.stderr
    assert "add the line `Assisted-by: none` to the end of the message" in proc.stderr
    assert policed.git("rev-parse", "HEAD") == head


def test_policy_accepts_an_agent_commit_tagged_by_the_hook(policed: Repo) -> None:
    assert commit(policed, "Tweak", {"paper/main.tex": "% b\n"}, env=CLAUDE).returncode == 0
    assert assisted_by(policed) == ["claude-code:claude-opus-4-1"]


def test_policy_accepts_a_none_declaration(repo: Repo) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "x\n"})
    repo.write("paper/main.tex", "y\n")
    repo.git("add", "-A")
    assert check_policy(repo.path, write_message(repo, "Tweak\n\nAssisted-by: none\n")) == []
    assert check_policy(repo.path, write_message(repo, "Tweak\n\nAssisted-by: codex:gpt-5\n")) == []
    assert len(check_policy(repo.path, write_message(repo, "Tweak\n"))) == 1


def test_policy_ignores_paths_outside_declare_paths(repo: Repo) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "x\n"})
    repo.write("notes.txt", "n\n")
    repo.git("add", "-A")
    assert check_policy(repo.path, write_message(repo, "Notes\n")) == []
    repo.write("experiments/run.py", "n\n")
    repo.git("add", "-A")
    assert check_policy(repo.path, write_message(repo, "Notes\n"))[0].startswith(
        "this commit touches experiments/run.py (policy.declare_paths")


def test_policy_does_not_ask_a_merge_to_declare_again(repo: Repo) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "x\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("Declared\n\nAssisted-by: none", {"paper/main.tex": "y\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("Other", {"notes.txt": "n\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    assert check_policy(repo.path, write_message(repo, "Merge branch 'side'\n")) == []


def test_policy_refuses_malformed_assisted_by(repo: Repo) -> None:
    assert check_policy(repo.path, write_message(repo, "Tweak\n\nAssisted-by: ???\n")) == [
        "commit message: malformed Assisted-by value '???'; write Assisted-by: AGENT:MODEL or Assisted-by: none"
    ]


def test_without_provenance_yaml_there_is_no_policy(repo: Repo) -> None:
    repo.write("paper/main.tex", "x\n")
    repo.git("add", "-A")
    assert check_policy(repo.path, write_message(repo, "Tweak\n")) == []


@pytest.mark.parametrize("broken", [
    CONFIG.replace("declare_paths", "declare_path"),
    CONFIG + "policy: {}\n",
    CONFIG.replace("[paper/, experiments/]", "[paper/, ../elsewhere/]"),
    CONFIG.replace("main: paper/main.tex", "main: paper/missing.tex"),
    "paper: {name: p, main: paper/main.tex\n",
])
def test_policy_hook_refuses_a_malformed_provenance_yaml_with_load_s_one_line(repo: Repo, broken: str) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "x\n"})
    (repo.path / "build").mkdir()  # where the values it read of the good file are kept
    assert run_cli(repo.path, "hook", "policy", str(write_message(repo, "Tweak\n"))).returncode == 0
    repo.write("provenance.yaml", broken)
    proc = run_cli(repo.path, "hook", "policy", str(write_message(repo, "Tweak\n")))
    with pytest.raises(ConfigError) as from_load:
        load(repo.path)
    assert (proc.returncode, proc.stderr) == (1, one_line(from_load.value) + "\n")


def test_policy_hook_process_reads_a_kept_configuration_without_yaml_or_the_schema(repo: Repo) -> None:
    repo.commit("Paper", {"provenance.yaml": CONFIG, "paper/main.tex": "x\n"})
    (repo.path / "build").mkdir()
    repo.write("paper/main.tex", "y\n")
    repo.git("add", "-A")
    assert run_cli(repo.path, "hook", "policy", str(write_message(repo, "Tweak\n"))).returncode == 1
    code = ("import sys\nfrom provenance.cli.main import main\nprint(main(sys.argv[1:]))\n"
            "heavy = ('yaml', 'provenance.config.schema', 'provenance.config.validate', 'provenance.model')\n"
            "print([m for m in heavy if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code, "hook", "policy", str(write_message(repo, "Tweak\n"))],
                          cwd=repo.path, capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["1", "[]"]
    assert "this commit touches paper/main.tex (policy.declare_paths in provenance.yaml)" in proc.stderr


# -- lint and keys (pre-commit) ------------------------------------------------------

GOOD_TEX = r"""\documentclass{article}
\newtheorem{theorem}{Theorem}
\begin{document}
% paperprov: origin=ai model=claude-opus-4-1 role=drafted
\begin{theorem}\label{thm:main}
A.
\end{theorem}
\begin{proof}\uses{thm:main} B. \end{proof}
\end{document}
"""
BAD_TEX = r"""\documentclass{article}
\newtheorem{mylemma}{Lemma}
\begin{document}
% paperprov: origin=robot
\begin{mylemma}
unlabelled
\end{mylemma}
\begin{theorem}\label{dup}\end{theorem}
\section{S}\label{dup}
\begin{proof}\uses{dup, nowhere}\end{proof}
\end{document}
"""


def test_lint_reports_each_problem_as_file_line(repo: Repo) -> None:
    repo.write("paper/main.tex", BAD_TEX)
    repo.write("exp/run.py", "x = 1  # paperprov: origin=human colour=red\ns = '# paperprov: not a marker'\n")
    assert lint(repo.path, ["paper/main.tex", "exp/run.py"]) == [
        "exp/run.py:1: unknown paperprov key 'colour'; use one of origin, tool, model, role, reviewed-by, check, formal",
        "paper/main.tex:4: paperprov origin='robot' is not one of human|ai|mixed|unknown",
        "paper/main.tex:5: mylemma has no \\label; add \\label{...} right after \\begin{mylemma}",
        "paper/main.tex:8: label 'dup' is also defined at paper/main.tex:9; rename one",
        "paper/main.tex:9: label 'dup' is also defined at paper/main.tex:8; rename one",
        "paper/main.tex:10: \\uses{nowhere} names no \\label in the paper; fix the label",
    ]


def test_lint_finds_labels_in_other_files_of_the_paper(repo: Repo) -> None:
    repo.write("provenance.yaml", "paper: {name: p, main: paper/main.tex}\n")
    repo.write("paper/main.tex", "\\documentclass{article}\n\\begin{document}\n\\input{defs}\n\\input{proofs}\n\\end{document}\n")
    repo.write("paper/defs.tex", "\\begin{lemma}\\label{lem:a}\nA\n\\end{lemma}\n")
    repo.write("paper/proofs.tex", "\\begin{proof}\\uses{lem:a}\n\\end{proof}\n")
    assert lint(repo.path, ["paper/proofs.tex"]) == []


def test_lint_finds_the_document_of_a_file_outside_the_paper(repo: Repo) -> None:
    # pre-commit may hand a document's files to different processes: each finds the rest.
    repo.write("notes/talk/main.tex", "\\documentclass{beamer}\n\\def\\x{\\begin{theorem}not one\\end{theorem}}\n"
               "\\begin{document}\\input{part}\\end{document}\n")
    repo.write("notes/talk/part.tex", "\\begin{lemma}\\label{lem:t}\\end{lemma}\n\\begin{proof}\\uses{lem:t}\\end{proof}\n")
    assert lint(repo.path, ["notes/talk/part.tex"]) == []
    assert lint(repo.path, ["notes/talk/main.tex"]) == []


def test_lint_hook_refuses_the_commit(repo: Repo) -> None:
    install_hooks(repo, ("pre-commit",))
    hooked = repo
    proc = commit(hooked, "Bad", {"paper/main.tex": BAD_TEX})
    assert proc.returncode != 0
    assert "paper/main.tex:5: mylemma has no \\label" in proc.stderr
    proc = commit(hooked, "Good", {"paper/main.tex": GOOD_TEX})
    assert proc.returncode == 0, proc.stderr


def test_hook_without_a_message_file_is_a_one_line_error(repo: Repo) -> None:
    proc = cli(repo.path, "hook", "policy", "missing.txt")
    assert proc.returncode == 1
    assert proc.stderr == "paperprov: missing.txt: no such commit message file; git passes it to the hook\n"
