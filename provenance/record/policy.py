"""The submission policy of provenance.yaml, evaluated on a record.

`evaluate` returns one line per offending unit, `FILE:LINE: UNIT: problem, what to do;
...`, in record (document) order, after a summary line for max_unknown_fraction when
it is exceeded. `enforce` raises PolicyError with a one-line summary followed by them.

A proof needs no review of its own when its statement has a current one: `paperprov
review LABEL` covers a statement and its proofs, so that is what the fix names.
"""

from __future__ import annotations

import fnmatch

from provenance.config import CONFIG_NAME, Config
from provenance.errors import PolicyError
from provenance.model import Attribution, Record

CHECK_FIX = {
    "failed": "fix the statement or the check",
    "error": "the check itself errored; fix it",
    "missing": "no such test; fix the node id or write the check",
    "not-run": "run the checks (doit build)",
}


def _name(a: Attribution) -> str:
    u = a.unit
    what = u.display or u.kind
    return f"{what} {u.id}" if u.label else u.id


def _where(a: Attribution) -> str:
    return f"{a.unit.file}:{a.unit.lines[0]}"


def _review_problem(a: Attribution, by_id: dict[str, Attribution]) -> str | None:
    if not a.is_ai or a.has_current_review:
        return None
    target = a
    parent = by_id.get(a.unit.parent or "")
    if a.unit.kind == "proof" and parent is not None:
        if parent.has_current_review:
            return None
        target = parent
    reviews = a.reviewed_by or target.reviewed_by
    how = (f"declared by {a.decided_by}" if a.decided_by in ("marker", "sidecar")
           else f"{a.ai_fraction:.0%} of lines from AI-tagged commits")
    # The unit's origin decides the words: only an `ai` unit was drafted by AI.
    drafted = f"AI-drafted (origin ai, {how})" if a.origin == "ai" else f"partly AI-written (origin {a.origin}, {how})"
    fix = f"have an author read it and run `paperprov review {target.unit.id} --by NAME`"
    if reviews:
        names = ", ".join(sorted({r.by for r in reviews}))
        return f"{drafted} and the review by {names} is stale (the text changed since); {fix}"
    return f"{drafted} with no review; {fix}"


def _check_problems(a: Attribution) -> list[str]:
    return [f"check {c.nodeid} {c.outcome}, {CHECK_FIX.get(c.outcome, 'make it pass')}"
            for c in a.checks if c.outcome != "passed"]


def _formal_problem(a: Attribution, wanted: bool | tuple[str, ...], proofs: set[str]) -> str | None:
    """`require_formal_proof`: true covers every statement the paper proves (or links to a
    formal proof); a list of globs covers the statements whose label matches one."""
    from provenance.record.formal import describe, proved

    if a.unit.kind != "statement" or proved(a.formal):
        return None
    if isinstance(wanted, bool):
        if not (a.unit.id in proofs or a.formal):
            return None
    elif not any(fnmatch.fnmatchcase(a.unit.label or a.unit.id, pat) for pat in wanted):
        return None
    if not a.formal:
        return ("no formal proof (policy.require_formal_proof); link one with "
                "`% paperprov: formal=coq:NAME` before the statement and prove NAME")
    return "; ".join(f"{r.link}: {describe(r)}" for r in a.formal) + " (policy.require_formal_proof)"


def _declare_hint(a: Attribution) -> str:
    mark = "#" if a.unit.file.endswith(".py") else "%"
    return (f"origin unknown; declare it (`{mark} paperprov: origin=human|ai|mixed` before the unit, "
            f"or an annotations entry in {CONFIG_NAME})")


def evaluate(cfg: Config, record: Record) -> list[str]:
    p = cfg.policy
    units = record.units
    by_id = {a.unit.id: a for a in units}
    lines: list[str] = []
    unknown = [a for a in units if a.origin == "unknown"]
    too_unknown = bool(units) and len(unknown) / len(units) > p.max_unknown_fraction
    if too_unknown:
        lines.append(f"{CONFIG_NAME}: policy.max_unknown_fraction: {len(unknown)} of {len(units)} units "
                     f"({len(unknown) / len(units):.0%}) have unknown origin, more than {p.max_unknown_fraction:.0%}; "
                     "declare the origin of those listed below")
    proofs = {a.unit.parent for a in units if a.unit.kind == "proof" and a.unit.parent}
    for a in units:
        problems: list[str] = []
        if p.require_review_of_ai:
            review = _review_problem(a, by_id)
            if review:
                problems.append(review)
        if p.forbid_conflicts:
            problems.extend(f"conflict: {c}; make the declaration and the commit tags agree" for c in a.conflicts)
        if p.require_checks_pass:
            problems.extend(_check_problems(a))
        if p.require_formal_proof:
            formal = _formal_problem(a, p.require_formal_proof, proofs)
            if formal:
                problems.append(formal)
        if too_unknown and a.origin == "unknown":
            problems.append(_declare_hint(a))
        if problems:
            lines.append(f"{_where(a)}: {_name(a)}: {'; '.join(problems)}")
    return lines


def enforce(cfg: Config, record: Record) -> None:
    """Raise PolicyError when the record breaks the policy: a summary, then one line per unit."""
    lines = evaluate(cfg, record)
    if lines:
        n = sum(1 for ln in lines if not ln.startswith(f"{CONFIG_NAME}:"))
        raise PolicyError(f"the record does not meet the policy in {CONFIG_NAME} ({n} unit(s) to fix):\n"
                          + "\n".join(f"  {ln}" for ln in lines))
