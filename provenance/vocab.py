"""What a declaration may say: the origins, roles and keys of a `paperprov:` marker in a
source or an `annotations:` entry in provenance.yaml, and the one rule that checks them.

A core module of its own, without dataclasses, because reading provenance.yaml needs it
and the commit hooks read provenance.yaml on every commit.
"""

from __future__ import annotations

import re

ORIGINS = ("human", "ai", "mixed", "unknown")
AI_ORIGINS = ("ai", "mixed")  # a unit with AI involvement
ROLES = ("drafted", "edited", "proved", "suggested", "generated")
# What a declaration may say: a `paperprov:` marker in a source or an `annotations:`
# entry in provenance.yaml. One rule for both (declaration_problem).
DECLARATION_KEYS = ("origin", "tool", "model", "role", "reviewed-by", "check", "formal")
# The proof assistants `formal=SYSTEM:NAME` links to, and the names each allows: checked
# strictly, because they are written into generated Coq and Lean files.
FORMAL_SYSTEMS = ("coq", "lean")
_FORMAL_NAMES = {
    "coq": r"[^\W\d][\w']*(?:\.[^\W\d][\w']*)*",
    "lean": r"[^\W\d][\w'!?₀-₉]*(?:\.[^\W\d][\w'!?₀-₉]*)*",
}


def declaration_problem(key: str, value: str) -> str | None:
    """Why `key=value` is not a valid declaration, or None when it is."""
    if key not in DECLARATION_KEYS:
        return f"unknown key {key!r}; use one of {', '.join(DECLARATION_KEYS)}"
    if not value:
        return f"key {key!r} has an empty value; write {key}=VALUE"
    if len(value) > 500 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{key}= must be one line of at most 500 characters"
    if key == "origin" and value not in ORIGINS:
        return f"origin={value!r} is not one of {'|'.join(ORIGINS)}"
    if key == "role" and value not in ROLES:
        return f"role={value!r} is not one of {'|'.join(ROLES)}"
    if key == "formal":
        return link_problem(value)
    return None


def link_problem(value: str) -> str | None:
    """Why `value` is not `coq:NAME` or `lean:NAME` (a formal link), or None when it is."""
    system, sep, name = value.partition(":")
    if not sep or system not in FORMAL_SYSTEMS:
        return f"formal={value!r} must be coq:NAME or lean:NAME"
    if not re.fullmatch(_FORMAL_NAMES[system], name):
        return (f"formal={value!r}: {name!r} is not a {system} name (letters, digits, _ and ', "
                "dot-separated; no spaces)")
    return None
