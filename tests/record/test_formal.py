"""Formal proofs checked by a real coqc, on Coq developments written by each test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config.formal import CoqProject, LeanProject
from provenance.model import FormalResult, Marker, Unit
from provenance.record import coq, lean
from provenance.record.formal import describe, for_units, read_formal

with_coq = pytest.mark.usefixtures("needs_coq")

BASE = """\
Lemma add_zero : forall n : nat, n + 0 = n.
Proof. induction n as [|n IH]; simpl; [reflexivity | rewrite IH; reflexivity]. Qed.
Lemma unfinished : forall n : nat, n * 1 = n.
Proof. Admitted.
Axiom own_axiom : forall n : nat, n = n.
"""

USES = """\
From Dev Require Import Base.
Require Import Coq.Logic.Classical_Prop.
Lemma on_unfinished : forall n : nat, n * 1 + 0 = n.
Proof. intros. rewrite add_zero. apply unfinished. Qed.
Lemma excluded_middle : forall P : Prop, P \\/ ~ P.
Proof. apply classic. Qed.
Lemma on_own_axiom : 1 = 1.
Proof. apply own_axiom. Qed.
Section S.
  Variable x : nat.
  Hypothesis H : x = 1.
  Lemma in_section : x + 0 = 1.
  Proof. rewrite H. reflexivity. Qed.
End S.
"""


def dev(root: Path, files: dict[str, str], allow: tuple[str, ...] = ()) -> CoqProject:
    for name, text in files.items():
        (root / "formal").mkdir(parents=True, exist_ok=True)
        (root / "formal" / name).write_text(text, encoding="utf-8")
    return CoqProject(root="formal", logical="Dev", allow_axioms=allow)


def statuses(results: dict[str, FormalResult]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {n: (r.status, r.axioms) for n, r in results.items()}


@with_coq
def test_statuses_of_proved_admitted_axiom_dependent_and_missing_names(tmp_path: Path) -> None:
    project = dev(tmp_path, {"Base.v": BASE, "Uses.v": USES})
    names = ["add_zero", "in_section", "Dev.Uses.in_section", "unfinished", "on_unfinished", "excluded_middle",
             "on_own_axiom", "no_such_lemma"]
    results, compiled = coq.check(tmp_path, project, names)
    assert compiled == ["formal/Base.v", "formal/Uses.v"]
    assert statuses(results) == {
        "add_zero": ("proved", ()),
        "in_section": ("proved", ()),  # section hypotheses become arguments: closed
        "Dev.Uses.in_section": ("proved", ()),
        "unfinished": ("admitted", ("Dev.Base.unfinished",)),  # rests on itself
        "on_unfinished": ("admitted", ("Dev.Base.unfinished",)),
        "excluded_middle": ("axioms", ("Coq.Logic.Classical_Prop.classic",)),
        "on_own_axiom": ("axioms", ("Dev.Base.own_axiom",)),
        "no_such_lemma": ("missing", ()),
    }
    assert results["add_zero"].detail == "Dev.Base.add_zero"
    assert "no_such_lemma was not found" in results["no_such_lemma"].detail
    # Nothing of the compiler's lands in the repository's copy of the development.
    assert sorted(p.name for p in (tmp_path / "formal").iterdir()) == ["Base.v", "Uses.v"]


@with_coq
def test_allowed_axioms_count_as_proved_and_say_which(tmp_path: Path) -> None:
    project = dev(tmp_path, {"Base.v": BASE, "Uses.v": USES}, allow=("classic", "own_axiom"))
    results, _ = coq.check(tmp_path, project, ["excluded_middle", "on_own_axiom"])
    assert statuses(results)["excluded_middle"] == ("proved", ("Coq.Logic.Classical_Prop.classic",))
    assert describe(results["excluded_middle"]) == (
        "proof checked by Coq, assuming the allowed axioms Coq.Logic.Classical_Prop.classic")
    # The development's own axiom is allowed only by its full name, not a short one.
    assert statuses(results)["on_own_axiom"] == ("axioms", ("Dev.Base.own_axiom",))
    project = dev(tmp_path, {}, allow=("Dev.Base.own_axiom",))
    results, _ = coq.check(tmp_path, project, ["on_own_axiom"])
    assert statuses(results)["on_own_axiom"] == ("proved", ("Dev.Base.own_axiom",))


@with_coq
def test_a_development_that_does_not_compile_fails_every_link_with_file_and_line(tmp_path: Path) -> None:
    broken = USES.replace("apply classic.", "apply add_zero.")
    project = dev(tmp_path, {"Base.v": BASE, "Uses.v": broken})
    results, compiled = coq.check(tmp_path, project, ["add_zero", "excluded_middle"])
    assert compiled == ["formal/Base.v"]
    for r in results.values():
        assert r.status == "failed"
        assert r.detail.startswith("formal/Uses.v:6: "), r.detail


@with_coq
def test_an_edit_that_breaks_a_proof_changes_its_status(tmp_path: Path) -> None:
    project = dev(tmp_path, {"Base.v": BASE})
    results, _ = coq.check(tmp_path, project, ["add_zero"])
    assert results["add_zero"].status == "proved"
    dev(tmp_path, {"Base.v": BASE.replace("Proof. induction n as [|n IH]; simpl; [reflexivity | rewrite IH; reflexivity]. Qed.", "Proof. intros. Admitted.")})
    results, compiled = coq.check(tmp_path, project, ["add_zero"])
    assert compiled == ["formal/Base.v"]
    assert statuses(results)["add_zero"] == ("admitted", ("Dev.Base.add_zero",))
    dev(tmp_path, {"Base.v": BASE.replace("n + 0 = n.", "n + 0 = S n.")})
    results, _ = coq.check(tmp_path, project, ["add_zero"])
    assert results["add_zero"].status == "failed"
    assert results["add_zero"].detail.startswith("formal/Base.v:2: ")


@with_coq
def test_recompiles_only_when_a_coq_file_changed(tmp_path: Path) -> None:
    project = dev(tmp_path, {"Base.v": BASE, "Uses.v": USES})
    _, compiled = coq.check(tmp_path, project, ["on_unfinished"])
    assert compiled == ["formal/Base.v", "formal/Uses.v"]
    objects = tmp_path / coq.WORKDIR / "src"
    stamps = {p.name: p.stat().st_mtime_ns for p in objects.glob("*.vo")}
    results, compiled = coq.check(tmp_path, project, ["on_unfinished"])
    assert compiled == [] and results["on_unfinished"].status == "admitted"
    assert {p.name: p.stat().st_mtime_ns for p in objects.glob("*.vo")} == stamps
    dev(tmp_path, {"Uses.v": USES + "Lemma more : True.\nProof. exact I. Qed.\n"})
    _, compiled = coq.check(tmp_path, project, ["more"])
    assert compiled == ["formal/Uses.v"]  # what Base.v requires did not change
    dev(tmp_path, {"Base.v": BASE.replace("Proof. Admitted.", "Proof. induction n as [|n IH]; simpl; [reflexivity | rewrite IH; reflexivity]. Qed.")})
    results, compiled = coq.check(tmp_path, project, ["on_unfinished"])
    assert compiled == ["formal/Base.v", "formal/Uses.v"]  # Uses.v requires Base.v
    assert results["on_unfinished"].status == "proved"


@with_coq
def test_a_removed_file_takes_its_objects_with_it(tmp_path: Path) -> None:
    project = dev(tmp_path, {"Base.v": BASE, "Uses.v": USES})
    coq.check(tmp_path, project, ["add_zero"])
    (tmp_path / "formal" / "Uses.v").unlink()
    results, _ = coq.check(tmp_path, project, ["add_zero", "excluded_middle"])
    assert results["excluded_middle"].status == "missing"
    assert not list((tmp_path / coq.WORKDIR / "src").glob("Uses.*"))


def _statement(uid: str, formal: tuple[str, ...] = (), leanok: bool = False, marker: str = "") -> Unit:
    markers = (Marker("p.tex", 1, (("formal", marker),)),) if marker else ()
    return Unit(uid, "statement", "p.tex", (2, 3), label=uid, formal=formal, leanok=leanok, markers=markers)


def test_lean_links_without_a_toolchain_are_declared_or_linked_never_checked(tmp_path: Path) -> None:
    units = [_statement("lem:a", formal=("lean:A.a",), leanok=True), _statement("lem:b", formal=("lean:B.b",)),
             _statement("lem:c", marker="lean:C.c"),
             Unit("p.tex#proof:1", "proof", "p.tex", (4, 5), parent="lem:b", leanok=False)]
    if lean.toolchain() is None:
        ran = lean.check(tmp_path, LeanProject(root="."), ["A.a", "B.b", "C.c"])
        results = {r.link: r for r in ran.values()}
        assert {r.status for r in results.values()} == {"not-run"}
    else:
        results = {}
    found = for_units(units, (), results)
    assert [r.status for r in found["lem:a"]] == ["declared"]  # \leanok, no proof environment
    assert [r.status for r in found["lem:b"]] == ["linked"]  # its proof carries no \leanok
    assert [r.status for r in found["lem:c"]] == ["declared"]  # a formal= marker is the authors' claim


def test_lean_print_axioms_output_is_parsed_by_line_and_name() -> None:
    output = "\n".join([
        "Query.lean:2:0: info: 'Paper.good' does not depend on any axioms",
        "'Paper.classical' depends on axioms: [propext, Classical.choice, Quot.sound]",
        "Query.lean:4:0: info: 'Paper.cheat' depends on axioms: [propext, sorryAx]",
        "Query.lean:5:15: error: unknown constant 'Paper.gone'",
        "Query.lean:6:0: info: 'Paper.ax' depends on axioms: [Paper.myAxiom]",
    ])
    names = ["Paper.good", "Paper.classical", "Paper.cheat", "Paper.gone", "Paper.ax"]
    got = lean.parse_output(output, names, 2, ("propext", "Classical.choice", "Quot.sound"))
    assert statuses(got) == {
        "Paper.good": ("proved", ()),
        "Paper.classical": ("proved", ("propext", "Classical.choice", "Quot.sound")),
        "Paper.cheat": ("admitted", ("sorryAx",)),
        "Paper.gone": ("missing", ()),
        "Paper.ax": ("axioms", ("Paper.myAxiom",)),
    }


def test_checks_json_keeps_the_claim_checks_and_reads_back(tmp_path: Path) -> None:
    from provenance.record.formal import _write

    out = tmp_path / "checks.json"
    out.write_text(json.dumps({"schema": "paperprov/checks/v1", "checks": {"t.py::a": {"outcome": "passed"}}}))
    _write(out, {"coq:x": FormalResult("coq:x", "axioms", ("Ax.a",), "Dev.x")})
    doc = json.loads(out.read_text())
    assert doc["checks"] == {"t.py::a": {"outcome": "passed"}}
    assert doc["formal"] == {"coq:x": {"status": "axioms", "axioms": ["Ax.a"], "detail": "Dev.x"}}
    assert read_formal(out) == {"coq:x": FormalResult("coq:x", "axioms", ("Ax.a",), "Dev.x")}


def test_a_link_without_its_project_says_what_to_add(tmp_path: Path) -> None:
    from provenance.config import load
    from provenance.errors import ConfigError
    from provenance.record.formal import update_formal

    (tmp_path / "provenance.yaml").write_text("paper: {name: demo, main: main.tex}\n")
    (tmp_path / "main.tex").write_text("\\documentclass{article}\n")
    unit = Unit(id="thm:a", kind="statement", file="main.tex", lines=(1, 1), formal=("lean:Foo.bar",))
    with pytest.raises(ConfigError) as err:
        update_formal(load(tmp_path), [unit], tmp_path / "build" / "checks.json")
    assert str(err.value).endswith("statement thm:a links lean:Foo.bar, but no Lean project is configured; "
                                   "add `formal: {lean: {root: DIR}}`")
