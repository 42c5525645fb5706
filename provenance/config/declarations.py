"""provenance.yaml `declarations:`: what the authors state that no record can measure.

    declarations:
      llm_in_method: false         # is an LLM an important, original or non-standard
                                   # component of the research method itself?
      llm_in_method_where: "Section 4.2"   # where the paper describes it (when true)
      other_ai_use:                # AI use the repository's history cannot show;
        literature_review: "ChatGPT (gpt-5) to find related work; every reference checked"
                                   # {} says: none. Phases: see PHASES.
      tool_versions: {claude-code: "2.0.14"}   # ACM asks for tool versions
      purpose: "..."               # why AI was used (AI Usage Card, ethics)
      safeguards: "..."            # how errors and harm were kept out (AI Usage Card)

A key left out is unknown, not "no": the venue answers and the AI Usage Card then print
"to be declared by the authors" where they need it, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from provenance.errors import ConfigError

# Where research can use AI (the AI Usage Card's sections, Wahle et al. 2023).
PHASES = ("ideation", "literature_review", "methodology", "experiments", "writing", "presentation", "other")
KEYS = ("llm_in_method", "llm_in_method_where", "other_ai_use", "tool_versions", "purpose", "safeguards")


@dataclass(frozen=True)
class Declarations:
    llm_in_method: bool | None = None  # None: not declared
    llm_in_method_where: str | None = None
    other_ai_use: tuple[tuple[str, str], ...] | None = None  # (phase, what); None: not declared; (): none
    tool_versions: tuple[tuple[str, str], ...] = ()
    purpose: str | None = None
    safeguards: str | None = None

    def version(self, tool: str) -> str | None:
        return dict(self.tool_versions).get(tool)

    def use(self, phase: str) -> str | None:
        return dict(self.other_ai_use or ()).get(phase)


class _Reads(Protocol):
    def fail(self, key: str, msg: str) -> ConfigError: ...
    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]: ...
    def typed(self, value: Any, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any: ...


def _text(r: _Reads, value: Any, key: str) -> str | None:
    text = r.typed(value, key, str)
    if text is not None and not text.strip():
        raise r.fail(key, "empty; write the statement, or leave the key out")
    return text.strip() if text is not None else None


def _pairs(r: _Reads, value: Any, key: str, allowed: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise r.fail(key, "expected a mapping")
    out = []
    for k, v in value.items():
        if allowed is not None and k not in allowed:
            raise r.fail(f"{key}.{k}", f"unknown phase; expected one of {', '.join(allowed)}")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)  # `tool_versions: {aider: 0.86}` is a version, not a number
        out.append((str(k), _text(r, v, f"{key}.{k}") or ""))
    return tuple(out)


def parse_declarations(r: _Reads, value: Any) -> Declarations:
    d = r.mapping(value, "declarations", KEYS)
    other = d.get("other_ai_use")
    return Declarations(
        llm_in_method=r.typed(d.get("llm_in_method"), "declarations.llm_in_method", bool),
        llm_in_method_where=_text(r, d.get("llm_in_method_where"), "declarations.llm_in_method_where"),
        other_ai_use=None if "other_ai_use" not in d else () if other is None else
        _pairs(r, other, "declarations.other_ai_use", PHASES),
        tool_versions=() if d.get("tool_versions") is None else
        _pairs(r, d["tool_versions"], "declarations.tool_versions", None),
        purpose=_text(r, d.get("purpose"), "declarations.purpose"),
        safeguards=_text(r, d.get("safeguards"), "declarations.safeguards"),
    )
