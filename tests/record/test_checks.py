"""Claim checks: real pytest subprocesses over small check files in temporary repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import parse
from provenance.errors import BuildError, ConfigError
from provenance.model import CheckResult, Marker, Unit
from provenance.record import checks

CHECKS = """\
import pytest

def test_pass():
    assert 1 + 1 == 2

def test_fail():
    assert 1 == 2, "one is not two"

@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")

def test_error(broken):
    pass

@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x < 2

def test_skipped():
    pytest.skip("not today")

class TestGroup:
    def test_inner(self):
        assert True
"""

COUNTING = """\
from pathlib import Path
from helpers.model import VALUE

def _count(name):
    log = Path(__file__).parent / "runs.log"
    with log.open("a") as fh:
        fh.write(name + "\\n")

def test_one():
    _count("one")
    assert VALUE == 1

def test_two():
    _count("two")
"""


def write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


def runs(root: Path) -> list[str]:
    log = root / "tests/claims/runs.log"
    return log.read_text().split() if log.exists() else []


def test_checks_report_each_outcome_from_one_pytest_run(tmp_path: Path) -> None:
    write(tmp_path, "tests/claims/test_mix.py", CHECKS)
    write(tmp_path, "tests/claims/test_broken.py", "import no_such_module_here\n\ndef test_x():\n    pass\n")
    f = "tests/claims/test_mix.py"
    ids = [f"{f}::test_pass", f"{f}::test_fail", f"{f}::test_error", f"{f}::test_param", f"{f}::test_param[1]",
           f"{f}::test_skipped", f"{f}::TestGroup", f"{f}::test_absent", "tests/claims/test_gone.py::test_x",
           "tests/claims/test_broken.py::test_x", "../outside.py::test_x", f"./{f}::test_pass"]
    out = tmp_path / "build/checks.json"
    results = checks.update_checks(tmp_path, {"lem:a": ids}, {}, out)

    assert {n: r.outcome for n, r in results.items()} == {
        f"{f}::test_pass": "passed",
        f"{f}::test_fail": "failed",
        f"{f}::test_error": "error",
        f"{f}::test_param": "failed",  # one failing parametrization fails the check
        f"{f}::test_param[1]": "passed",
        f"{f}::test_skipped": "not-run",
        f"{f}::TestGroup": "passed",
        f"{f}::test_absent": "missing",
        "tests/claims/test_gone.py::test_x": "missing",
        "tests/claims/test_broken.py::test_x": "error",
        "../outside.py::test_x": "missing",
    }
    assert results[f"{f}::test_pass"].duration > 0
    doc = json.loads(out.read_text())
    assert doc["schema"] == "paperprov/checks/v1"
    assert list(doc["checks"]) == sorted(doc["checks"])
    assert doc["checks"][f"{f}::test_fail"]["message"] == "AssertionError: one is not two"
    assert doc["checks"]["tests/claims/test_broken.py::test_x"]["message"] == (
        "ModuleNotFoundError: No module named 'no_such_module_here'")
    # Nothing left behind in the paper's working tree.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "tests"]
    assert not list(tmp_path.rglob("__pycache__"))


def test_nothing_to_run_runs_nothing_and_the_empty_results_are_a_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "build/checks.json"
    assert checks.update_checks(tmp_path, {}, {}, out) == {}
    assert not out.exists()  # no pytest was started, nothing written
    checks.write_empty(out)
    assert json.loads(out.read_text()) == {"checks": {}, "schema": "paperprov/checks/v1"}


def test_a_broken_conftest_is_one_build_error_line(tmp_path: Path) -> None:
    write(tmp_path, "tests/claims/conftest.py", "raise SystemError('conftest exploded')\n")
    write(tmp_path, "tests/claims/test_a.py", "def test_a():\n    pass\n")
    with pytest.raises(BuildError) as exc:
        checks.update_checks(tmp_path, {"lem:a": ["tests/claims/test_a.py::test_a"]}, {}, tmp_path / "build/checks.json")
    assert "claim checks could not run (tests/claims/test_a.py)" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "build/checks.json").exists()


def test_update_checks_reruns_only_what_changed(tmp_path: Path) -> None:
    write(tmp_path, "helpers/__init__.py", "")
    write(tmp_path, "helpers/model.py", "VALUE = 1\n")
    write(tmp_path, "tests/claims/test_count.py", COUNTING)
    one, two = "tests/claims/test_count.py::test_one", "tests/claims/test_count.py::test_two"
    linked = {"lem:a": (one,), "lem:b": (two,)}
    texts = {"lem:a": "For every edge, MSE falls.", "lem:b": "Pythagoras."}
    out = tmp_path / "build/checks.json"

    first = checks.update_checks(tmp_path, linked, texts, out)
    assert {n: r.outcome for n, r in first.items()} == {one: "passed", two: "passed"}
    assert sorted(runs(tmp_path)) == ["one", "two"]
    before = out.read_bytes()

    checks.update_checks(tmp_path, linked, texts, out)  # nothing changed: nothing runs
    assert sorted(runs(tmp_path)) == ["one", "two"]
    assert out.read_bytes() == before

    checks.update_checks(tmp_path, linked, {**texts, "lem:b": "Pythagoras, restated."}, out)
    assert sorted(runs(tmp_path)) == ["one", "two", "two"]  # only lem:b's check

    write(tmp_path, "helpers/model.py", "VALUE = 2\n")  # a module the check file imports
    again = checks.update_checks(tmp_path, linked, {**texts, "lem:b": "Pythagoras, restated."}, out)
    assert sorted(runs(tmp_path)) == ["one", "one", "two", "two", "two"]
    assert again[one].outcome == "failed" and again[two].outcome == "passed"


def test_fingerprint_follows_check_files_imports_and_statements(tmp_path: Path) -> None:
    write(tmp_path, "helpers/__init__.py", "")
    write(tmp_path, "helpers/model.py", "VALUE = 1\n")
    write(tmp_path, "tests/claims/test_count.py", COUNTING)
    nodeid = "tests/claims/test_count.py::test_one"
    texts = {"lem:a": "text"}
    base = checks.check_fingerprint(tmp_path, nodeid, texts)
    assert checks.check_fingerprint(tmp_path, "./" + nodeid, dict(texts)) == base
    assert checks.check_fingerprint(tmp_path, nodeid, {"lem:a": "new text"}) != base
    write(tmp_path, "tests/claims/conftest.py", "")
    with_conftest = checks.check_fingerprint(tmp_path, nodeid, texts)
    assert with_conftest != base
    write(tmp_path, "helpers/model.py", "VALUE = 3\n")
    with_import = checks.check_fingerprint(tmp_path, nodeid, texts)
    assert with_import != with_conftest
    write(tmp_path, "unrelated.py", "x = 1\n")
    assert checks.check_fingerprint(tmp_path, nodeid, texts) == with_import
    out = tmp_path / "build/checks.json"
    checks.update_checks(tmp_path, {"lem:a": [nodeid]}, texts, out)
    assert json.loads(out.read_text())["checks"][nodeid]["fingerprint"] == with_import


def _unit(uid: str, file: str = "paper/main.tex", label: str | None = None, markers: tuple[Marker, ...] = ()) -> Unit:
    return Unit(id=uid, kind="statement", file=file, lines=(1, 3), label=label, markers=markers)


def test_links_merge_markers_annotations_and_config(tmp_path: Path) -> None:
    write(tmp_path, "paper/main.tex", "\\documentclass{article}\n")
    cfg = parse(
        "paper: {name: p, main: paper/main.tex}\n"
        "annotations:\n  - {label: lem:b, check: tests/claims/test_b.py::test_b}\n"
        "checks:\n  thm:main: [tests/claims/test_t.py::test_t, ./tests/claims/test_t.py::test_t]\n",
        tmp_path,
    )
    marker = Marker("paper/main.tex", 1, (("origin", "ai"), ("check", "tests/claims/test_a.py::one"),
                                           ("check", "tests/claims/test_a.py::two")))
    units = [_unit("lem:a", label="lem:a", markers=(marker,)), _unit("lem:b", label="lem:b"),
             _unit("thm:main", label="thm:main"), _unit("paper/main.tex#lemma:4")]
    assert checks.links(units, cfg.checks, cfg.annotations) == {
        "lem:a": ("tests/claims/test_a.py::one", "tests/claims/test_a.py::two"),
        "lem:b": ("tests/claims/test_b.py::test_b",),
        "thm:main": ("tests/claims/test_t.py::test_t",),
    }
    with pytest.raises(ConfigError, match=r"checks\.thm:typo: no unit labelled 'thm:typo'"):
        checks.links(units, (("thm:typo", ("t.py::x",)),))


def test_for_record_keeps_outcomes_only() -> None:
    linked = {"lem:a": ("t.py::one", "t.py::two")}
    results = {"t.py::one": CheckResult("t.py::one", "failed", 1.25)}
    assert checks.for_record(linked, results) == {
        "lem:a": (CheckResult("t.py::one", "failed", 0.0), CheckResult("t.py::two", "not-run", 0.0))}


def test_read_checks_ignores_foreign_or_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "checks.json"
    bad.write_text("{not json")
    assert checks.read_checks(bad) == {}
    bad.write_text(json.dumps({"schema": "other", "checks": {}}))
    assert checks.read_checks(bad) == {}
    assert checks.read_checks(tmp_path / "absent.json") == {}


def test_check_files_lists_what_doit_should_watch(tmp_path: Path) -> None:
    write(tmp_path, "helpers/__init__.py", "")
    write(tmp_path, "helpers/model.py", "VALUE = 1\n")
    write(tmp_path, "tests/conftest.py", "")
    write(tmp_path, "tests/claims/test_count.py", COUNTING)
    # A common pattern: the check puts experiments/ on sys.path and imports its modules.
    write(tmp_path, "tests/claims/test_exp.py", "import lsagents\n\ndef test_e():\n    pass\n")
    write(tmp_path, "experiments/lsagents.py", "import numpy\nfrom helpers import model\n")
    assert checks.check_files(tmp_path, ["tests/claims/test_count.py::test_one", "tests/claims/test_no.py::t"]) == [
        "helpers/__init__.py", "helpers/model.py", "tests/claims/test_count.py", "tests/conftest.py"]
    assert checks.check_files(tmp_path, ["tests/claims/test_exp.py::test_e"]) == [
        "experiments/lsagents.py", "helpers/__init__.py", "helpers/model.py", "tests/claims/test_exp.py",
        "tests/conftest.py"]


TEX = """\
% paperprov: check=tests/claims/test_count.py::test_one
\\begin{lemma}\\label{lem:a}
Statement A.
\\end{lemma}
\\begin{proof}
Proof A.
\\end{proof}
"""


def test_update_for_units_reruns_when_the_statement_text_changes_not_its_proof(tmp_path: Path) -> None:
    write(tmp_path, "helpers/__init__.py", "")
    write(tmp_path, "helpers/model.py", "VALUE = 1\n")
    write(tmp_path, "tests/claims/test_count.py", COUNTING)
    write(tmp_path, "paper/main.tex", TEX)
    marker = Marker("paper/main.tex", 1, (("check", "tests/claims/test_count.py::test_one"),))
    units = [Unit(id="lem:a", kind="statement", file="paper/main.tex", lines=(2, 4), label="lem:a", markers=(marker,)),
             Unit(id="paper/main.tex#proof:1", kind="proof", file="paper/main.tex", lines=(5, 7), parent="lem:a")]
    out = tmp_path / "build/checks.json"
    cfg_checks = (("lem:a", ("tests/claims/test_count.py::test_two",)),)
    got = checks.update_for_units(tmp_path, units, out, cfg_checks)
    assert got == {"lem:a": (CheckResult("tests/claims/test_count.py::test_one", "passed"),
                             CheckResult("tests/claims/test_count.py::test_two", "passed"))}
    assert sorted(runs(tmp_path)) == ["one", "two"]
    write(tmp_path, "paper/main.tex", TEX.replace("Proof A.", "Proof A, longer."))
    checks.update_for_units(tmp_path, units, out, cfg_checks)
    assert sorted(runs(tmp_path)) == ["one", "two"]
    write(tmp_path, "paper/main.tex", TEX.replace("Statement A.", "Statement A'."))
    checks.update_for_units(tmp_path, units, out, cfg_checks)
    assert sorted(runs(tmp_path)) == ["one", "one", "two", "two"]
    assert set(checks.load_results(out)) == {"tests/claims/test_count.py::test_one", "tests/claims/test_count.py::test_two"}
