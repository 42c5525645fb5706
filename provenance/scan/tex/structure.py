"""Handlers for the words that make units: environments (statements, proofs, floats),
sectioning commands, and what names and links them (\\label, \\uses, the \\ref family,
\\caption)."""

from __future__ import annotations

import re

from provenance.scan.tex.lexer import group, opt, plain, skip_verbatim
from provenance.scan.tex.state import Stop, Token, Walk, handles
from provenance.scan.tex.units import (
    CAPTURING,
    FALLBACK_THEOREMS,
    FLOATS,
    LEVELS,
    REFS,
    VERBATIM,
    PendingUnit,
    TexFile,
)

_FIRST_REF = re.compile(r"\\(?:" + "|".join(sorted(REFS, key=len, reverse=True)) + r")\*?\s*\{([^}]*)\}")


def _is_theorem(w: Walk, env: str) -> bool:
    return bool(env) and (env in w.envs or env in FALLBACK_THEOREMS)


def _statement(w: Walk, f: TexFile, env: str, line: int, title: tuple[str, int, int] | None) -> PendingUnit:
    unit = PendingUnit("statement", env, f.rel, line, env=env, display=w.envs.get(env, env.capitalize()),
                       parent=w.section_parent(), title=plain(title[0]) if title else "")
    w.last_statement = unit
    return unit


def _proof(w: Walk, f: TexFile, line: int, after: int) -> tuple[PendingUnit, int]:
    unit = PendingUnit("proof", "proof", f.rel, line, prev=w.last_statement, parent=w.section_parent())
    o = opt(f.text, after)
    if o is not None:
        ref = _FIRST_REF.search(o[0])
        unit.named = ref.group(1).split(",")[0].strip() if ref else None
        after = o[2]  # the statement it proves is not something the proof uses
    return unit, after


@handles("begin")
def begin(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    name, after = g[0].strip(), g[2]
    if name in VERBATIM:
        return skip_verbatim(f.text, after, name)
    w.pending = None
    line = f.line(t.start)
    env, title = name, None
    if name in ("restatable", "restatable*"):  # thmtools: \begin{restatable}[Title]{theorem}{\macro}
        title = opt(f.text, after)
        g = group(f.text, title[2] if title else after)
        env = g[0].strip() if g else ""
        if g is not None:
            after = g[2]
    elif _is_theorem(w, name):
        title = opt(f.text, after)
    unit: PendingUnit | None = None
    if f.units and _is_theorem(w, env):
        unit = _statement(w, f, env, line, title)
    elif f.units and name == "proof":
        unit, after = _proof(w, f, line, after)
    elif f.units and name in FLOATS:
        unit = PendingUnit(FLOATS[name], FLOATS[name], f.rel, line, parent=w.section_parent())
    if unit is not None:
        w.add_unit(f, unit)
    w.envstack.append((name, unit))
    return after


@handles("end")
def end(w: Walk, f: TexFile, t: Token) -> int | Stop:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    name, line = g[0].strip(), f.line(t.start)
    if name == "document":
        if f.rel == w.main:
            for s in w.sections:
                w.close_section(s, f, line)
        return Stop(line)  # LaTeX reads nothing after \end{document} (nor does \subfile)
    for i in range(len(w.envstack) - 1, -1, -1):
        if w.envstack[i][0] == name:
            for _, b in w.envstack[i:]:
                if b is not None:
                    w.end_at(b, w.position(f, line))
            del w.envstack[i:]
            break
    return g[2]


@handles(*LEVELS)
def sectioning(w: Walk, f: TexFile, t: Token) -> int:
    text, line = f.text, f.line(t.start)
    o = opt(text, t.end)
    g = group(text, o[2] if o else t.end)
    level = LEVELS[t.word]
    while w.sections and w.sections[-1].level >= level:
        w.close_section(w.sections.pop(), f, line)
    if not f.units:
        # A generated section (the disclosure) ends the window for a \label of the
        # section before it: its own \label must not name that section.
        w.pending = None
        return t.end
    unit = PendingUnit(t.word, t.word, f.rel, line, title=plain(g[0]) if g else "", level=level,
                       parent=w.section_parent())
    w.sections.append(unit)
    w.add_unit(f, unit)
    w.pending = unit
    return t.end  # read on inside the title: a \label there names this section


@handles("label")
def label(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    name = g[0].strip()
    if f.units:
        w.labels.append((name, f.rel, f.line(t.start)))
    for env, unit in reversed(w.envstack):
        if unit is not None and unit.kind != "proof":
            if unit.label is None:
                unit.label = name
            return g[2]
        if env in CAPTURING or env.rstrip("*") in CAPTURING:
            return g[2]
    if w.pending is not None and w.pending.label is None:
        w.pending.label = name
    w.pending = None
    return g[2]


def _names(arg: str) -> list[str]:
    return [x.strip() for x in arg.split(",") if x.strip()]


@handles("uses")
def uses(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    target = w.innermost(("statement", "proof", "figure", "table")) or w.section_parent()
    if target is not None and f.units:
        target.uses.extend(_names(g[0]))
    return g[2]


@handles(*REFS)
def ref(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    proof = w.innermost(("proof",))
    if proof is not None:
        proof.uses.extend(_names(g[0]))
    return g[2]


@handles("caption")
def caption(w: Walk, f: TexFile, t: Token) -> int:
    o = opt(f.text, t.end)
    g = group(f.text, o[2] if o else t.end)
    for env, unit in reversed(w.envstack):
        if env in ("subfigure", "subtable"):
            break  # a sub-caption does not title the float
        if unit is not None and unit.kind in ("figure", "table"):
            if g is not None and not unit.title:
                unit.title = plain(g[0])
            break
    return t.end  # read on inside: the \label usually sits in the caption
