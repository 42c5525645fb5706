"""The verification report: one Check per line a reviewer reads, and its formatters
(plain text, JSON), apart from the checks that fill it (STYLE.md: report and formatters
separate, the exit code from the report)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str


@dataclass(frozen=True)
class Report:
    target: str
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)


def format_text(report: Report) -> str:
    lines = [f"{'ok  ' if c.ok else 'FAIL'} {c.what}" for c in report.checks]
    lines += [f"note {n}" for n in report.notes]
    n, bad = len(report.checks), len(report.failed)
    lines.append(f"verified: all {n} checks passed" if report.ok else f"NOT verified: {bad} of {n} checks failed")
    return "\n".join(lines)


def format_json(report: Report) -> str:
    return json.dumps({"target": report.target, "ok": report.ok, "checks": [asdict(c) for c in report.checks],
                       "notes": list(report.notes)}, indent=2, sort_keys=True)
