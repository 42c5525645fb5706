"""The record as an AI Usage Card (Wahle, Ruas, Mohammad, Meuschke, Gipp: "AI Usage
Cards: Responsibly Reporting AI-generated Content", JCDL 2023, https://ai-cards.org):
build/ai-usage-card.json and build/ai-usage-card.md, written by the `disclosure` task and
attested with the PDF.

The card's sections are the phases of research where AI can be used (ideation,
literature review, methodology, experiments, writing, presentation) and an ethics part
(why AI was used, how its errors were caught, how harm was kept out). Per phase, `used`
is true when the record shows AI involvement there or the authors declare some
(`declarations.other_ai_use`), false when they declared their other use and nothing is
recorded, and null ("to be declared by the authors") otherwise:
- writing: sections, theorem-like statements and proofs with AI involvement (recorded);
- experiments: units of experiment code with AI involvement (recorded);
- presentation: figures and tables with AI involvement (recorded);
- methodology: `declarations.llm_in_method`;
- ideation, literature review: declared only (no repository records them).
Ethics: how errors were caught is counted from the record (current reviews by a named
person, claim checks, machine-checked proofs); why, and how harm was kept out, are
`declarations.purpose` and `declarations.safeguards`.

JSON: {"schema": "paperprov/ai-usage-card/v1", "card": ..., "project": {...},
"phases": {PHASE: {"used", "recorded": [...], "declared": str|null}}, "ethics": {...}}.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provenance.config import Config
from provenance.config.declarations import Declarations
from provenance.disclose.venues import TBD
from provenance.model import CODE_KINDS, SECTION_KINDS, Attribution, Record
from provenance.recordjson import read_record

SCHEMA = "paperprov/ai-usage-card/v1"
CARD = "AI Usage Card (Wahle et al., JCDL 2023, https://ai-cards.org)"
PHASES = ("ideation", "literature_review", "methodology", "experiments", "writing", "presentation")
TITLES = {"ideation": "Ideation", "literature_review": "Literature review", "methodology": "Methodology",
          "experiments": "Experiments", "writing": "Writing", "presentation": "Presentation"}
_KINDS = {"writing": (*SECTION_KINDS, "statement", "proof"), "experiments": CODE_KINDS,
          "presentation": ("figure", "table")}
_NAMES = {"part": "parts", "chapter": "chapters", "section": "sections", "subsection": "subsections",
          "subsubsection": "subsubsections", "statement": "theorem-like statements", "proof": "proofs",
          "module": "modules", "function": "functions", "class": "classes", "figure": "figures", "table": "tables"}


def _recorded(units: Sequence[Attribution], phase: str) -> list[str]:
    kinds = _KINDS.get(phase, ())
    counts = Counter(a.unit.kind for a in units if a.is_ai and a.unit.kind in kinds)
    totals = Counter(a.unit.kind for a in units if a.unit.kind in kinds)
    return [f"{counts[k]} of {totals[k]} {_NAMES.get(k, k + 's')} with AI involvement" for k in kinds if counts[k]]


def _phase(units: Sequence[Attribution], d: Declarations, phase: str) -> dict[str, Any]:
    recorded = _recorded(units, phase)
    declared = d.use(phase)
    if phase == "methodology" and d.llm_in_method is not None:
        used: bool | None = d.llm_in_method
        declared = declared or ("An LLM is part of the research method" + (
            f", described in {d.llm_in_method_where}" if d.llm_in_method_where else "") if d.llm_in_method else None)
    elif recorded or declared:
        used = True
    elif d.other_ai_use is not None and phase not in ("methodology",):
        used = False
    else:
        used = None
    return {"used": used, "recorded": recorded, "declared": declared}


def _ethics(units: Sequence[Attribution], d: Declarations) -> dict[str, Any]:
    involved = [a for a in units if a.is_ai]
    reviewed = sum(1 for a in involved if a.has_current_review)
    checks = Counter(c.outcome for a in units for c in a.checks)
    proved = sum(1 for a in units for f in a.formal if f.status == "proved")
    caught = [f"{reviewed} of {len(involved)} parts with AI involvement reviewed by a named person"]
    if checks:
        caught.append(f"claim checks: {checks['passed']} passed, {checks['failed'] + checks['error']} failed, "
                      f"{sum(checks.values()) - checks['passed'] - checks['failed'] - checks['error']} not run")
    if proved:
        caught.append(f"{proved} formal proofs checked by a proof assistant")
    return {"why": d.purpose, "mitigating_errors": caught, "minimizing_harm": d.safeguards}


def card(cfg: Config, record: Record, record_sha256: str) -> dict[str, Any]:
    units = record.units
    d = cfg.declarations
    agents = sorted({g for a in units for g in a.agents}, key=lambda g: (g.tool, g.model))
    tools = sorted({g.tool for g in agents})
    return {
        "schema": SCHEMA,
        "card": CARD,
        "project": {"name": cfg.paper.name, "commit": record.commit, "dirty": record.dirty,
                    "record_sha256": record_sha256,
                    "models": sorted({g.model for g in agents if g.model != "unknown"}),
                    "tools": [{"name": t, "version": d.version(t)} for t in tools]},
        "phases": {p: _phase(units, d, p) for p in PHASES},
        "ethics": _ethics(units, d),
    }


def _used(value: bool | None) -> str:
    return "yes" if value else "no" if value is False else TBD


def markdown(doc: dict[str, Any], md: Any) -> str:
    """The card as Markdown; `md` escapes every string that came from the record."""
    p = doc["project"]
    tools = ", ".join(f"{md(t['name'])} (version {md(t['version'] or TBD)})" for t in p["tools"]) or "none recorded"
    lines = [f"# AI Usage Card: {md(p['name'])}", "",
             "<!-- Generated by paperprov from build/record.json; do not edit, run `doit disclosure`. -->", "",
             f"Card format: {md(doc['card'])}. From the provenance record at commit "
             f"`{md(p['commit'] or 'none')}`{' plus uncommitted changes' if p['dirty'] else ''}.", "",
             f"- Models: {', '.join(md(m) for m in p['models']) or 'none recorded'}", f"- Tools: {tools}", ""]
    for phase, entry in doc["phases"].items():
        lines += [f"## {TITLES[phase]}", "", f"- AI used: {_used(entry['used'])}"]
        lines += [f"- Recorded: {md(r)}" for r in entry["recorded"]]
        if entry["declared"]:
            lines.append(f"- Declared by the authors: {md(entry['declared'])}")
        lines.append("")
    e = doc["ethics"]
    lines += ["## Ethics", "", f"- Why AI was used: {md(e['why'] or TBD)}",
              f"- How AI errors were caught: {'; '.join(md(x) for x in e['mitigating_errors'])}",
              f"- How harm or inappropriate use was kept out: {md(e['minimizing_harm'] or TBD)}", ""]
    return "\n".join(lines)


def write_cards(cfg: Config, record_path: Path, card_json: Path, card_md: Path, gaidet_md: Path) -> None:
    """build/ai-usage-card.{json,md} and build/gaidet.md from build/record.json."""
    import json

    from provenance.disclose.escape import md
    from provenance.disclose.gaidet import statement
    from provenance.fsutil import write_text_atomic

    record, digest = read_record(record_path)
    doc = card(cfg, record, digest)
    write_text_atomic(card_json, json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    write_text_atomic(card_md, markdown(doc, md))
    write_text_atomic(gaidet_md, statement(cfg.paper.name, record.units, cfg.declarations, md))
