"""The one git runner: its failures are one line naming the subcommand."""

from __future__ import annotations

import pytest

from provenance.errors import GitError, one_line
from provenance.evidence.gitrun import LITERAL, git
from tests.helpers import Repo


def test_an_argument_list_the_system_refuses_is_one_line(repo: Repo) -> None:
    with pytest.raises(GitError) as err:
        git(repo.path, LITERAL, "ls-files", "--", *(["x" * 200] * 200_000))
    assert "git ls-files could not start" in one_line(err.value) and "\n" not in one_line(err.value)


def test_a_failure_names_the_subcommand_behind_gits_own_options(repo: Repo) -> None:
    with pytest.raises(GitError, match=r"^git rev-parse failed in "):
        git(repo.path, "-c", "core.quotePath=false", LITERAL, "rev-parse", "--verify", "no-such-ref")
