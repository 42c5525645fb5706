"""Handlers for definitions: theorem environments the paper declares (recorded with their
printed names), and what LaTeX reads but does not typeset as the paper's structure
(macro definitions, \\iffalse blocks, \\verb), which the lexer skips."""

from __future__ import annotations

import re

from provenance.scan.tex.lexer import (
    arg,
    opt,
    plain,
    skip_def,
    skip_iffalse,
    skip_newcommand,
    skip_verb,
)
from provenance.scan.tex.state import Stop, Token, Walk, handles
from provenance.scan.tex.units import TexFile

_DECL_NAME = re.compile(r"(?:^|,)\s*(?:name|title)\s*=\s*(\{[^{}]*\}|[^,]*)")


@handles("newtheorem", "spnewtheorem", "newmdtheoremenv", in_packages=True)
def newtheorem(w: Walk, f: TexFile, t: Token) -> int:
    pos = t.end
    if t.word == "newmdtheoremenv":  # mdframed: \newmdtheoremenv[options]{name}{Printed}
        o = opt(f.text, pos)
        pos = o[2] if o else pos
    name, p = arg(f.text, pos)
    o = opt(f.text, p)  # shared counter: \newtheorem{lem}[thm]{Lemma}
    printed, p = arg(f.text, o[2] if o else p)
    name = name.strip()
    if name and name != "proof":
        w.envs[name] = plain(printed) or name.capitalize()
    return p


@handles("declaretheorem", in_packages=True)
def declaretheorem(w: Walk, f: TexFile, t: Token) -> int:
    o = opt(f.text, t.end)
    names, p = arg(f.text, o[2] if o else t.end)
    o2 = opt(f.text, p)  # newer thmtools also takes the options after the name
    options = ",".join(x[0] for x in (o, o2) if x)
    m = _DECL_NAME.search(options)
    printed = plain(m.group(1).strip().strip("{}")) if m else ""
    for name in (n.strip() for n in names.split(",")):
        if name:
            w.envs[name] = printed or name.capitalize()
    return o2[2] if o2 else p


@handles("iffalse", in_packages=True)
def iffalse(w: Walk, f: TexFile, t: Token) -> int:
    return skip_iffalse(f.text, t.end)


@handles("verb", in_packages=True)
def verb(w: Walk, f: TexFile, t: Token) -> int:
    return skip_verb(f.text, t.end)


@handles("lstinline")
def lstinline(w: Walk, f: TexFile, t: Token) -> int:
    o = opt(f.text, t.end)  # \lstinline[language=Python]|code|
    return skip_verb(f.text, o[2] if o else t.end)


@handles("endinput", in_packages=True)
def endinput(w: Walk, f: TexFile, t: Token) -> Stop:
    return Stop(f.line(t.start) + 1)  # TeX finishes the current line, then stops


@handles("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand", in_packages=True)
def newcommand(w: Walk, f: TexFile, t: Token) -> int:
    return skip_newcommand(f.text, t.end)


@handles("newenvironment", "renewenvironment", in_packages=True)
def newenvironment(w: Walk, f: TexFile, t: Token) -> int:
    return skip_newcommand(f.text, t.end, bodies=2)


@handles("def", "gdef", "edef", "xdef", in_packages=True)
def define(w: Walk, f: TexFile, t: Token) -> int:
    return skip_def(f.text, t.end)
