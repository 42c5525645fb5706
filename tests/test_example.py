"""The example paper: it builds end to end with real TeX, its experiments write exactly
what provenance.yaml declares, and its sources declare their AI provenance honestly."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.config import load
from tests.helpers import ROOT, Repo, run_cli, run_doit

STATEMENT_ENVS = ("theorem", "lemma", "corollary", "definition", "remark", "proof")
MARKER = re.compile(r"^\s*%\s*paperprov:\s*(.*)$")
UNDEFINED = re.compile(r"(Reference|Citation) [`'].*' on page \d+ undefined|There were undefined (references|citations)")
OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)")


def _fields(marker: str) -> list[tuple[str, str]]:
    return [tuple(item.split("=", 1)) for item in marker.split()]  # type: ignore[misc]


def test_experiments_write_exactly_their_declared_outputs(tmp_path: Path) -> None:
    cfg = load(ROOT)
    assert {e.name for e in cfg.experiments} == {"chain", "dags"}
    for exp in cfg.experiments:
        out = tmp_path / exp.name
        proc = subprocess.run([sys.executable, str(ROOT / exp.script), "--out", str(out), "--seed", str(exp.seed)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in out.iterdir()) == sorted(exp.outputs)
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        assert results["experiment"] == exp.name and results["seed"] == exp.seed


def test_every_statement_and_proof_declares_ai_origin_and_no_review() -> None:
    """Honest provenance: each theorem-like environment and proof has a marker on the
    line before it saying origin=ai, none claims a human review, and every check it
    names exists and is also listed in provenance.yaml."""
    cfg = load(ROOT)
    linked = {label: set(ids) for label, ids in cfg.checks}
    seen_checks: dict[str, set[str]] = {}
    begin = re.compile(r"\\begin\{(" + "|".join(STATEMENT_ENVS) + r")\}(?:\[[^\]]*\])?(?:\\label\{([^}]*)\})?")
    files = sorted((ROOT / "paper").rglob("*.tex"))
    assert len(files) >= 8
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if "reviewed-by" in line:
                pytest.fail(f"{path.name}:{i + 1}: claims a review that did not happen")
            m = begin.search(line)
            if not m:
                continue
            prev = MARKER.match(lines[i - 1]) if i else None
            assert prev, f"{path.name}:{i + 1}: \\begin{{{m.group(1)}}} has no paperprov marker on the line before"
            fields = _fields(prev.group(1))
            assert ("origin", "ai") in fields and ("tool", "claude") in fields, f"{path.name}:{i}"
            if m.group(1) != "proof":
                assert m.group(2), f"{path.name}:{i + 1}: statement without \\label"
                checks = {v for k, v in fields if k == "check"}
                if checks:
                    seen_checks[m.group(2)] = checks
    assert seen_checks == linked
    for ids in linked.values():
        for node in ids:
            file, _, func = node.partition("::")
            assert f"def {func}(" in (ROOT / file).read_text(encoding="utf-8"), node


def test_claim_check_node_ids_resolve() -> None:
    """Every node id in provenance.yaml `checks:` names exactly one collectable test when
    pytest runs from the repository root, as the build runs them. (The checks
    themselves run with the rest of the suite, from tests/claims.)"""
    nodes = sorted({n for _, ids in load(ROOT).checks for n in ids})
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *nodes],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    collected = [line for line in proc.stdout.splitlines() if "::" in line]
    assert sorted(collected) == nodes


def test_example_builds_with_figures_table_and_no_undefined_references(built_example: tuple[Path, Path]) -> None:
    root, _ = built_example
    build = root / "build"
    pdf = build / "paper.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")

    cfg = load(root)
    for exp in cfg.experiments:
        for target in exp.targets:
            assert (root / target).stat().st_size > 0, target
    table = (build / "experiments/chain/steps_table.tex").read_text(encoding="utf-8")
    assert table.startswith("\\begin{tabular}") and "\\bottomrule" in table

    chain = json.loads((build / "experiments/chain/results.json").read_text(encoding="utf-8"))
    assert {"experiment", "n", "d", "k", "seed", "rhos", "relative_excess", "steps"} <= chain.keys()
    assert [row["rho"] for row in chain["steps"]] == chain["rhos"] == [0.0, 0.5, 0.9]
    for rho, curve in chain["relative_excess"].items():
        assert len(curve) == 200 and curve[0] == 1.0
        assert all(b <= a * (1 + 1e-6) + 1e-12 for a, b in zip(curve, curve[1:])), rho  # Lemma 3.1
    assert all(row["steps"]["1e-03"] is not None for row in chain["steps"])
    dags = json.loads((build / "experiments/dags/results.json").read_text(encoding="utf-8"))
    assert {"experiment", "n", "d", "k", "rho", "seed", "graphs"} <= dags.keys()
    assert len(dags["graphs"]) == 60
    assert all({"agents", "longest_covering_path", "best_relative_excess"} <= g.keys() for g in dags["graphs"])

    log = (build / "latex/main.log").read_text(encoding="utf-8", errors="replace")
    assert not UNDEFINED.search(log), UNDEFINED.search(log)
    worst = max((float(x) for x in OVERFULL.findall(log)), default=0.0)
    assert worst < 5.0, f"overfull hbox of {worst}pt"

    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        assert pages >= 6  # 10 pages of paper, then the generated disclosure
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Networks of Least-Squares Agents" in text
        assert "Proof of Theorem" in text  # the appendix proof names its statement via \cref
        assert "??" not in text


def test_first_submission_flow_ends_in_a_verified_rebuild(built: Repo, tmp_path: Path) -> None:
    """The user's path: build (the first build wrote keys/NAME.pub), be told to commit the
    new key, commit it, submit, and a reviewer's rebuild from the bundle's source gives
    byte-identical files."""
    refused = run_doit(built.path, "submission")
    assert refused.returncode != 0
    assert "git add keys/ada-author.pub" in refused.stdout + refused.stderr
    built.commit("Add signing key ada-author")
    submitted = run_doit(built.path, "submission")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    bundle = built.path / "dist" / "least-squares-agents-submission.zip"
    verified = run_cli(tmp_path, "verify", str(bundle), "--rebuild", "--trusted-keys", str(built.path / "keys"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "rebuild: build/paper.pdf is byte-identical" in verified.stdout
    disclosure = (built.path / "build" / "disclosure.md").read_text()
    assert "Signer ada\\-author: `SHA256:" in disclosure  # the committed key is named now


def test_example_says_which_statement_coq_checked_and_claims_no_other(
        needs_coq: None, built_example: tuple[Path, Path]) -> None:
    """Lemma 2's algebraic core is proved in formal/Pythagorean.v; the record and the
    appendix say so, and no other statement is called machine-checked."""
    root, _ = built_example
    units = json.loads((root / "build/record.json").read_text(encoding="utf-8"))["units"]
    formal = {u["id"]: u["formal"] for u in units if u["formal"]}
    assert formal == {"lem:pythagorean": [{"link": "coq:pythagorean_improvement", "status": "proved", "axioms": [],
                                           "detail": "Paper.Pythagorean.pythagorean_improvement"}]}
    md = (root / "build/disclosure.md").read_text(encoding="utf-8")
    assert ("Lemma `lem:pythagorean` (Pythagorean improvement): AI\\-drafted, proof checked by Coq "
            "(`Paper.Pythagorean.pythagorean_improvement`); closed under the global context.") in md
    assert md.count("proof checked by Coq") == 1
    assert "Lemma `lem:monotone` (Monotonicity): AI\\-drafted, not checked." in md
    assert not list((root / "formal").glob("*.vo"))  # compiled under build/, never beside the source
