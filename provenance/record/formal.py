"""Formal proofs as claim checks: each statement's links to Coq or Lean proofs, checked by
the proof assistant in the `checks` task, their statuses in build/checks.json (under
`formal`) and in the record (each statement's `formal`).

Statuses of a link:
- checked by the proof assistant: `proved` (closed under the global context, or resting
  only on allowed axioms, which are listed), `admitted` (rests on itself or on a lemma
  whose proof ends in `Admitted.` / uses `sorry`; those are listed), `axioms` (rests on
  axioms outside the allow-list, listed), `missing` (no such name), `failed` (the
  development does not compile: its first error as file:line);
- not checked: `declared` (a Lean link the authors claim finished, by `\\leanok` or a
  formal= marker, with no Lean toolchain here), `linked` (a `\\lean{NAME}` without
  `\\leanok`), `not-run` (no result yet, or coqc is missing).
Only `proved` counts as formally proved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from provenance.config import CONFIG_NAME, Config
from provenance.errors import ConfigError
from provenance.fsutil import write_text_atomic
from provenance.model import FormalResult, Unit
from provenance.scan.formal import linked_names, links

CHECKED = ("proved", "admitted", "axioms", "missing", "failed")
UNCHECKED = ("declared", "linked", "not-run")
STATUSES = CHECKED + UNCHECKED
CHECKER = {"coq": "Coq", "lean": "Lean"}


def checker(link: str) -> str:
    return CHECKER.get(link.partition(":")[0], "a proof assistant")


def _need(cfg: Config, all_links: Mapping[str, Mapping[str, bool]], system: str) -> list[str]:
    names = linked_names({k: dict(v) for k, v in all_links.items()}, system)
    if names and getattr(cfg.formal, system) is None:
        sid = next(s for s, ls in all_links.items() if any(x.startswith(system + ":") for x in ls))
        raise ConfigError(f"{CONFIG_NAME}: formal.{system}: statement {sid} links {system}:{names[0]}, but no "
                          f"{CHECKER[system]} project is configured; add `formal: {{{system}: {{root: DIR"
                          + (", logical: NAME" if system == "coq" else "") + "}}`")
    return names


def update_formal(cfg: Config, units: Sequence[Unit], out: Path) -> dict[str, FormalResult]:
    """Check every linked name (Coq compiles only what changed) and write the results
    into `out` (build/checks.json) under `formal`; link -> result."""
    from provenance.record import coq, lean

    all_links = links(units, cfg.annotations)
    results: dict[str, FormalResult] = {}
    coq_names = _need(cfg, all_links, "coq")
    lean_names = _need(cfg, all_links, "lean")
    if coq_names and cfg.formal.coq is not None:
        checked, _ = coq.check(cfg.root, cfg.formal.coq, coq_names)
        results.update({r.link: r for r in checked.values()})
    if lean_names and cfg.formal.lean is not None:
        results.update({r.link: r for r in lean.check(cfg.root, cfg.formal.lean, lean_names).values()})
    _write(out, results)
    return results


def _write(out: Path, results: Mapping[str, FormalResult]) -> None:
    try:
        doc: dict[str, Any] = json.loads(Path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    if not results and "formal" not in doc:
        return
    doc["formal"] = {k: {"status": r.status, "axioms": list(r.axioms), "detail": r.detail}
                     for k, r in sorted(results.items())}
    doc.setdefault("schema", "paperprov/checks/v1")
    doc.setdefault("checks", {})
    write_text_atomic(out, json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


def read_formal(out: Path) -> dict[str, FormalResult]:
    """The formal results in a checks.json; {} if there are none."""
    try:
        doc = json.loads(Path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    section = doc.get("formal") if isinstance(doc, dict) else None
    if not isinstance(section, dict):
        return {}
    return {k: FormalResult(k, e["status"], tuple(str(a) for a in e.get("axioms", ())), str(e.get("detail", "")))
            for k, e in section.items() if isinstance(e, dict) and e.get("status") in STATUSES}


def for_units(units: Sequence[Unit], annotations: Sequence[Any], results: Mapping[str, FormalResult]
              ) -> dict[str, tuple[FormalResult, ...]]:
    """Statement id -> the results of its links, for the record. A Lean link nothing
    could check is `declared` when the authors claim it and `linked` otherwise."""
    out: dict[str, tuple[FormalResult, ...]] = {}
    for sid, ls in links(units, annotations).items():
        row = []
        for link, claimed in ls.items():
            r = results.get(link, FormalResult(link, "not-run", (), "not checked yet; run `doit checks`"))
            if link.startswith("lean:") and r.status == "not-run":
                r = FormalResult(link, "declared" if claimed else "linked", (), r.detail)
            row.append(r)
        out[sid] = tuple(row)
    return out


def proved(results: Sequence[FormalResult]) -> bool:
    return any(r.status == "proved" for r in results)


def describe(r: FormalResult) -> str:
    """One phrase for a status, e.g. "proof checked by Coq" or "not checked (declared in Lean)"."""
    who = checker(r.link)
    name = r.link.partition(":")[2]
    if r.status == "proved":
        extra = f", assuming the allowed axioms {', '.join(r.axioms)}" if r.axioms else ""
        return f"proof checked by {who}{extra}"
    return {
        "admitted": f"not proved: the {who} proof of {name} is admitted ({', '.join(r.axioms)})",
        "axioms": f"not proved: the {who} proof of {name} rests on axioms {', '.join(r.axioms)}",
        "missing": f"not proved: {who} knows no {name}",
        "failed": f"not proved: the {who} development does not compile ({r.detail})",
        "declared": f"not checked: the authors declare a {who} proof ({name}) that no {who} here checked",
        "linked": f"not checked: linked to {who} {name}, not claimed finished",
    }.get(r.status, f"not checked: {who} {name} has not been checked ({r.detail})")
