"""Handlers for leanblueprint's formalisation macros, read inside a statement or its proof:

- `\\lean{Decl}` / `\\lean{A, B}`: the Lean declarations that formalise it; they become
  `lean:Decl` links in the unit's `formal` (scan/formal.py gives them to the statement).
- `\\leanok`: the authors say the formalisation is finished (in a proof: the proof is).
- `\\mathlibok`: the statement is already in Mathlib, which is the same claim.
- `\\proves{label}` in a proof: the statement it proves, wherever the proof stands (as
  `[Proof of \\cref{label}]` does).

Neither is a check: record/formal.py reports them as `declared` until a Lean toolchain
checks the names. Outside a statement or proof they say nothing about a unit and are
passed over. paperprov.sty defines \\lean and \\leanok as no-ops for papers without
leanblueprint.
"""

from __future__ import annotations

from provenance.errors import SourceError
from provenance.scan.tex.lexer import group, strip_comments
from provenance.scan.tex.state import Token, Walk, handles
from provenance.scan.tex.units import TexFile
from provenance.vocab import link_problem

_HOLDERS = ("statement", "proof")


@handles("lean")
def lean(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    unit = w.innermost(_HOLDERS)
    if unit is None or not f.units:
        return g[2]
    # A `%` ends a line without a space in TeX: \lean{%<newline>  Foo.bar} names Foo.bar.
    for name in (x.strip() for x in strip_comments(g[0]).split(",")):
        if not name:
            continue
        link = f"lean:{name}"
        if link_problem(link) is not None:
            shown = " ".join(name.split())  # the message stays one line
            raise SourceError(f"{f.rel}:{f.line(t.start)}: \\lean{{{shown}}}: not a Lean declaration name "
                              "(letters, digits, _ ' ! ?, dot-separated); write the name as Lean prints it")
        if link not in unit.formal:
            unit.formal.append(link)
    return g[2]


@handles("leanok", "mathlibok")
def leanok(w: Walk, f: TexFile, t: Token) -> int:
    unit = w.innermost(_HOLDERS)
    if unit is not None and f.units:
        unit.leanok = True
    return t.end


@handles("proves")
def proves(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    proof = w.innermost(("proof",))
    if proof is not None and f.units and g[0].strip():
        proof.named = g[0].strip()
    return g[2]
