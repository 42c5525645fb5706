"""Fixtures: real git repositories in temporary directories, the example paper built
once per test session and copied for each test that needs a built tree. Never mocks."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.anonymous_example import anonymous, anonymous_example  # noqa: F401  (fixtures, by name)
from tests.helpers import (
    AGENT_PREFIXES,
    AGENT_VARS,
    EXAMPLE_DATE,
    IDENTITY,
    IN_CI,
    Repo,
    copy_built,
    copy_example,
    run_doit,
    tex_available,
)


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests see neither the developer's git config nor agent variables of the shell
    that runs them (a test run from inside an AI agent must not tag test commits), and
    start no `paperprov serve` of their own accord."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for var in list(os.environ):
        if var in AGENT_VARS or var.startswith(AGENT_PREFIXES):
            monkeypatch.delenv(var, raising=False)
    for k, v in IDENTITY.items():
        monkeypatch.setenv(k, v)
    # A slow `paperprov status` would start a server that outlives the test and serves the
    # next tests' commands; the tests of that start set PAPERPROV_SERVER themselves.
    monkeypatch.setenv("PAPERPROV_SERVER", "manual")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        path = tmp_path / name
        path.mkdir(parents=True, exist_ok=True)
        return Repo(path)

    return make


@pytest.fixture
def repo(make_repo: Callable[[str], Repo]) -> Repo:
    return make_repo("repo")


@pytest.fixture
def example(tmp_path: Path) -> Repo:
    """The example paper as a new repository with one commit, not built."""
    r = Repo(copy_example(tmp_path / "example"))
    r.commit("Example paper", date=EXAMPLE_DATE)
    return r


@pytest.fixture
def needs_tex() -> None:
    """TeX tests skip on a laptop without TeX, but fail in CI, where TeX must be there."""
    if not tex_available():
        if IN_CI:
            pytest.fail("latexmk/pdflatex missing in CI: .ci/run must install TeX Live")
        pytest.skip("latexmk/pdflatex not installed")


@pytest.fixture
def needs_coq() -> None:
    """Coq tests skip on a machine without coqc, but fail in CI, where install.sh installs it."""
    if shutil.which("coqc") is None or shutil.which("coqdep") is None:
        if IN_CI:
            pytest.fail("coqc/coqdep missing in CI: install.sh must install Debian's coq")
        pytest.skip("coqc not installed")


def _build_example(base: Path) -> tuple[Path, Path]:
    home = base / "home"
    with pytest.MonkeyPatch.context() as mp:
        for var in list(os.environ):
            if var in AGENT_VARS or var.startswith(AGENT_PREFIXES) or var == "SOURCE_DATE_EPOCH":
                mp.delenv(var)
        env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1", **IDENTITY}
        for k, v in env.items():
            mp.setenv(k, v)
        r = Repo(copy_example(base / "example"))
        r.commit("Example paper", date=EXAMPLE_DATE)
        proc = run_doit(r.path, "build")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return r.path, home


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(the example built once with `doit build`, the HOME holding its signing key).
    Read it, never change it: copy it with the `built` fixture to change anything.
    Under pytest-xdist the first worker that needs it builds it for all (a file lock in
    the run's shared temporary directory); the others wait and reuse it."""
    if not tex_available():
        if IN_CI:
            pytest.fail("latexmk/pdflatex missing in CI: .ci/run must install TeX Live")
        pytest.skip("latexmk/pdflatex not installed")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return _build_example(tmp_path_factory.mktemp("built"))
    shared = tmp_path_factory.getbasetemp().parent / f"built-example-{request.getfixturevalue('testrun_uid')}"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "done").exists():
            _build_example(shared)
            (shared / "done").write_text("built\n")
    return shared / "example", shared / "home"


@pytest.fixture
def built(built_example: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A copy of the built example (sources, .git, build/, doit's database), signing with
    the same key: a built tree to change, in milliseconds instead of a build."""
    return copy_built(built_example, tmp_path, monkeypatch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs TeX, through any of the fixtures that bring it, is marked
    `tex`, so `pytest -m "not tex"` runs the rest on a machine without TeX."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"needs_tex", "built_example", "built"} & fixtures:
            item.add_marker(pytest.mark.tex)
