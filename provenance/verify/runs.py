"""The reviewer's check of the runs statement (attest/runs.py): how the experiments ran.

Its signatures are checked with every other envelope's, and its subjects' digests against
the files with every other statement's. What is left is one line: the statement is bound
to exactly the experiment outputs the SLSA statement attests (same names, same digests,
each experiment's outputs complete), and each run names its executor. An attestation
without one (no experiments, or an older paperprov) is fine: nothing to check.
"""

from __future__ import annotations

from typing import Any

from provenance.attest import statements as manifest
from provenance.attest.runs import RUNS_PREDICATE
from provenance.verify.report import Check


def _experiment_outputs(slsa: manifest.Statement) -> dict[str, tuple[str, str]]:
    """subject -> (experiment, digest) for the SLSA subjects an attested experiment writes:
    the `outputs` it lists (anywhere in the repository), else (older attestations) those
    under build/experiments/<name>/."""
    entries = manifest.dig(slsa.predicate, "buildDefinition", "externalParameters", "experiments")
    entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)] \
        if isinstance(entries, list) else []
    owner: dict[str, str] = {}
    for e in entries:
        listed = e.get("outputs")
        if isinstance(listed, list):
            owner.update((o, e["name"]) for o in listed if isinstance(o, str))
    out = {}
    for s, d in slsa.subjects.items():
        name = owner.get(s) or next((e["name"] for e in entries if s.startswith(f"build/experiments/{e['name']}/")),
                                    None)
        if name is not None:
            out[s] = (name, d)
    return out


def _describe(run: Any) -> str:
    if not isinstance(run, dict):
        return "?"
    kind = manifest.dig(run, "executor", "kind")
    tasks = run.get("tasks")
    tasks = tasks if isinstance(tasks, list) else []
    jobs = [t.get("job") for t in tasks if isinstance(t, dict) and t.get("job")]
    where = f"Slurm job {', '.join(map(str, jobs))}" if kind == "slurm" and jobs else str(kind)
    return f"{run.get('experiment')} ({where})"


def check_runs(statements: dict[str, manifest.Statement], checks: list[Check]) -> None:
    runs, slsa = statements.get(RUNS_PREDICATE), statements.get(manifest.SLSA_PREDICATE)
    if runs is None or slsa is None:
        return
    expected = _experiment_outputs(slsa)
    problems = []
    items = runs.predicate.get("runs")
    items = items if isinstance(items, list) else []
    ran = {r.get("experiment") for r in items if isinstance(r, dict)}
    # Every output of each experiment that ran, and nothing else.
    wanted = {s: d for s, (name, d) in expected.items() if name in ran}
    if runs.subjects != wanted:
        odd = sorted(set(runs.subjects) ^ set(wanted)) or sorted(s for s in wanted if runs.subjects[s] != wanted[s])
        problems.append(f"its subjects are not the attested outputs of the experiments it names ({', '.join(odd[:3])})")
    if not items or any(manifest.dig(r, "executor", "kind") not in ("local", "slurm") for r in items):
        problems.append("a run without an executor")
    checks.append(Check(not problems, "runs statement: " + ("; ".join(problems) if problems else
                        "bound to the attested experiment outputs; ran on " + ", ".join(map(_describe, items)))))
