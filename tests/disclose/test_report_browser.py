"""The reviewer's web page in a real browser: Debian's headless chromium driven by Playwright
(`playwright install` cannot download browsers here; install.sh installs chromium).

The page comes from a real repository through real `doit record` and `paperprov report`
processes, with hostile payloads in a section title, a statement title, a marker and a
commit trailer. Without playwright or chromium these tests skip on a laptop and fail
when CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import AGENT_PREFIXES, AGENT_VARS, IDENTITY, IN_CI, ROOT, Repo, run_cli, run_doit

CHROMIUM = os.environ.get("PAPERPROV_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones chromium keeps
# trying to reach Google's hosts at start.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "build" / "test-artifacts"

TEX = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\newtheorem{theorem}{Theorem}
\begin{document}
\section{</script><script>document.title='pwned-section'</script>}\label{sec:intro}
% paperprov: origin=ai tool=claude-code model="<img src=x onerror=window.pwned=1>"
\begin{lemma}[<img src=x onerror="window.pwned=2">]\label{lem:a}
A.
\end{lemma}
% paperprov: origin=human check=tests/claims/test_b.py::test_b
\begin{lemma}[Human lemma]\label{lem:b}
B.
\end{lemma}
% paperprov: origin=ai tool=claude-code model=claude-opus-4-1 reviewed-by="Ada Author"
\begin{theorem}[Main]\label{thm:main}
C.
\end{theorem}
\begin{proof}
By Lemma~\ref{lem:a} and Lemma~\ref{lem:b}.
\end{proof}
\end{document}
"""
MESSAGE = ("Add the paper\n\nAssisted-by: claude-code:\"><img src=x onerror=window.pwned=3>"
           "<a href=\"javascript:window.pwned=4\">x</a>\n")


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} missing in CI: install.sh must install it (chromium via apt-get, playwright via the test extra)")
    pytest.skip(f"{what} not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _missing("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A hostile paper's page, built once for the module: (index.html, its record)."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:  # conftest's isolation, for a module-scoped fixture
        for k, v in {**IDENTITY, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                     "GIT_CONFIG_NOSYSTEM": "1"}.items():
            mp.setenv(k, v)
        for var in list(os.environ):
            if var in AGENT_VARS or var.startswith(AGENT_PREFIXES) or var == "SOURCE_DATE_EPOCH":
                mp.delenv(var)
        repo = Repo(tmp_path_factory.mktemp("hostile"))
        repo.commit(MESSAGE, {
            "provenance.yaml": "paper: {name: hostile, main: paper/main.tex}\n"
                               "authors:\n  - {name: Ada Author, email: ada@example.org}\n",
            "paper/main.tex": TEX,
            "tests/claims/test_b.py": "def test_b():\n    assert 1 + 1 == 3\n",
            "dodo.py": (ROOT / "dodo.py").read_text(),
            ".gitignore": "build/\n.doit.db*\n__pycache__/\n",
        }, date="2026-01-02T03:04:05Z")
        rec = run_doit(repo.path, "record")
        assert rec.returncode == 0, rec.stdout + rec.stderr
        out = run_cli(repo.path, "report")
        assert out.returncode == 0, out.stderr
    record = json.loads((repo.path / "build/record.json").read_text(encoding="utf-8"))
    return repo.path / "build/report/index.html", record


class Opened:
    """A page of the report in a fresh browser context, with every console error kept."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.paperprovReady !== undefined", timeout=10_000)

    def visible(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(
            selector, "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.dataset.u)")


@pytest.fixture
def opened(browser: Any, report: tuple[Path, dict[str, Any]]) -> Iterator[Opened]:
    o = Opened(browser, report[0])
    yield o
    o.context.close()


def _index(record: dict[str, Any], uid: str) -> str:
    return str(next(i for i, u in enumerate(record["units"]) if u["id"] == uid))


def test_page_loads_from_file_with_no_console_error_and_a_screenshot(opened: Opened, tmp_path: Path) -> None:
    assert opened.page.title() == "Provenance report: hostile"
    assert opened.page.inner_text("#summary").count("AIA ") == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in (tmp_path / "report-page.png", ARTIFACTS / "report-page.png"):
        opened.page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")
    assert opened.errors == []


def test_graph_has_one_node_per_statement(opened: Opened, report: tuple[Path, dict[str, Any]]) -> None:
    statements = [str(i) for i, u in enumerate(report[1]["units"]) if u["kind"] == "statement"]
    assert len(statements) == 3
    assert sorted(opened.visible("#graph-svg .node")) == sorted(statements)
    assert opened.page.locator("#graph-svg path.edge").count() == 2  # thm:main's proof uses lem:a and lem:b
    assert opened.errors == []


def test_clicking_a_node_shows_its_evidence(opened: Opened, report: tuple[Path, dict[str, Any]]) -> None:
    opened.page.click(f"#n{_index(report[1], 'thm:main')}")
    detail = opened.page.inner_text("#detail")
    assert "Theorem thm:main" in detail and "Main" in detail
    assert "Markers in the source" in detail and "origin=ai" in detail
    assert "Reviews" in detail and "Ada Author (current)" in detail
    assert "Rests on (transitively)" in detail and "Lemma lem:a" in detail and "Lemma lem:b" in detail
    assert "Checks not passed, here or below" in detail and "tests/claims/test_b.py::test_b" in detail
    opened.page.click(f"#r{_index(report[1], 'lem:b')}")  # a table row opens its unit too
    assert "Human lemma" in opened.page.inner_text("#detail")
    assert opened.errors == []


def test_filters_hide_what_they_should(opened: Opened, report: tuple[Path, dict[str, Any]]) -> None:
    record = report[1]
    lem_a, lem_b, thm = (_index(record, s) for s in ("lem:a", "lem:b", "thm:main"))
    opened.page.uncheck("#f-human")
    assert sorted(opened.visible("#graph-svg .node")) == sorted([lem_a, thm])
    assert lem_b not in opened.visible("table.units tbody tr")
    assert opened.page.eval_on_selector_all(  # the edge from lem:b is hidden with it
        "#graph-svg path.edge", "els => els.filter(e => getComputedStyle(e).display !== 'none').length") == 1
    opened.page.check("#f-human")
    opened.page.check("#f-failing")
    assert opened.visible("#graph-svg .node") == [lem_b]
    opened.page.uncheck("#f-failing")
    opened.page.check("#f-unreviewed")  # thm:main has a current review; lem:a has none
    assert opened.visible("#graph-svg .node") == [lem_a]
    assert "units shown" in opened.page.inner_text("#f-count")
    assert opened.errors == []


def test_hostile_payloads_from_commit_marker_and_titles_do_not_execute(
        opened: Opened, report: tuple[Path, dict[str, Any]]) -> None:
    for i in range(len(report[1]["units"])):  # open every unit: the details hold the payloads
        opened.page.evaluate("i => document.getElementById('r' + i).click()", i)
        opened.page.wait_for_timeout(10)
    opened.page.click(f"#n{_index(report[1], 'lem:a')}")
    detail = opened.page.inner_text("#detail")
    assert 'onerror=window.pwned=3><a href="javascript:window.pwned=4">' in detail  # the trailer, as text
    assert "<img src=x onerror=window.pwned=1>" in detail  # the marker, as text
    assert opened.page.evaluate("window.pwned") is None
    assert opened.page.title() == "Provenance report: hostile"
    assert opened.page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert opened.page.evaluate(
        "[...document.querySelectorAll('a')].every(a => a.getAttribute('href').startsWith('#'))")
    assert "</script><script>document.title='pwned-section'</script>" in opened.page.inner_text("table.units")
    assert opened.errors == []
