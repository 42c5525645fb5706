"""`paperprov:` declarations written in source comments.

    % paperprov: origin=ai model=claude-opus-4-1 role=drafted reviewed-by=alice
    # paperprov: origin=human check="tests/claims/test_lemmas.py::test_mono"

Parsing is a pure function from one line of text to a Marker (REUSE-style: reading
files and deciding which comment belongs to which unit is the scanners' job). A line
that merely mentions paperprov is not a marker; a marker that is malformed is an error
naming file:line and what to write instead, never silently ignored.
"""

from __future__ import annotations

import re

from provenance.errors import SourceError
from provenance.scanned import Marker
from provenance.vocab import DECLARATION_KEYS, declaration_problem

KNOWN_KEYS = DECLARATION_KEYS
# Keys that may appear more than once in one marker (several reviewers, checks, formal proofs).
REPEATABLE = ("reviewed-by", "check", "formal")

# The comment leader (LaTeX `%`, not an escaped `\%`; Python `#`), then `paperprov:`.
_MARKER = re.compile(r"(?:^|(?<=[^\\]))(?:%+|#+)[ \t]*paperprov[ \t]*:(?P<body>.*)$")
_PAIR = re.compile(r'\s*(?P<key>[^\s="]+)(?P<eq>=?)(?P<value>"[^"]*"|"[^"]*$|[^\s"]*)')


def parse_marker(text: str, file: str, line: int) -> Marker | None:
    """The marker on this source line, None if there is none; SourceError if malformed."""
    if "paperprov" not in text:  # the fast path: almost every line
        return None
    m = _MARKER.search(text.rstrip("\r\n"))
    if m is None:
        return None
    where = f"{file}:{line}"
    body = m.group("body").strip()
    if not body:
        raise SourceError(f"{where}: empty paperprov marker; write e.g. `paperprov: origin=human` (keys: {', '.join(KNOWN_KEYS)})")
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(body):
        pm = _PAIR.match(body, pos)
        if pm is None or pm.end() == pos:
            raise SourceError(f"{where}: cannot read paperprov marker at {body[pos:]!r}; write key=value pairs separated by spaces")
        pos = pm.end()
        fields.append(_field(pm.group("key"), pm.group("eq"), pm.group("value"), where))
        while pos < len(body) and body[pos].isspace():
            pos += 1
    seen: set[str] = set()
    for key, _ in fields:
        if key in seen and key not in REPEATABLE:
            raise SourceError(f"{where}: paperprov key {key!r} given twice; keep one")
        seen.add(key)
    return Marker(file=file, line=line, fields=tuple(fields))


def _field(key: str, eq: str, raw: str, where: str) -> tuple[str, str]:
    if key not in KNOWN_KEYS:
        raise SourceError(f"{where}: unknown paperprov key {key!r}; use one of {', '.join(KNOWN_KEYS)}")
    if not eq:
        raise SourceError(f"{where}: paperprov key {key!r} has no '='; write {key}=VALUE")
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            raise SourceError(f"{where}: unterminated quote in paperprov {key}=; close it with \"")
        value = raw[1:-1].strip()
    else:
        value = raw
    problem = declaration_problem(key, value)
    if problem is not None:
        raise SourceError(f"{where}: paperprov {problem}")
    return key, value
