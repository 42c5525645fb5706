"""paperprov: markers in comments -> Marker, or a one-line error naming file:line."""

from __future__ import annotations

import pytest

from provenance.errors import SourceError
from provenance.scan.markers import KNOWN_KEYS, parse_marker


def test_latex_marker_keeps_every_field_in_order() -> None:
    m = parse_marker("% paperprov: origin=ai model=claude-opus-4-1 role=drafted reviewed-by=alice", "paper/a.tex", 7)
    assert m is not None
    assert (m.file, m.line) == ("paper/a.tex", 7)
    assert m.fields == (("origin", "ai"), ("model", "claude-opus-4-1"), ("role", "drafted"), ("reviewed-by", "alice"))


def test_python_marker_and_quoted_values_with_spaces() -> None:
    m = parse_marker('    x = 1  # paperprov: origin=mixed tool="claude code" reviewed-by="Ada Author"', "e.py", 3)
    assert m is not None
    assert m.get("tool") == "claude code"
    assert m.get("reviewed-by") == "Ada Author"


def test_repeatable_keys_are_kept_all() -> None:
    m = parse_marker("%% paperprov:check=tests/a.py::t1 check=tests/a.py::t2 reviewed-by=a reviewed-by=b", "a.tex", 1)
    assert m is not None
    assert m.get_all("check") == ("tests/a.py::t1", "tests/a.py::t2")
    assert m.get_all("reviewed-by") == ("a", "b")


@pytest.mark.parametrize("line", [
    "no marker here",
    "% see the paperprov: documentation",  # prose that mentions paperprov is not a marker
    r"Rates of 50\% paperprov: origin=ai",  # \% is a percent sign, not a comment
    "",
])
def test_lines_without_marker_give_none(line: str) -> None:
    assert parse_marker(line, "a.tex", 1) is None


@pytest.mark.parametrize(("line", "fragment"), [
    ("% paperprov: origin=robot", "origin='robot' is not one of human|ai|mixed|unknown"),
    ("% paperprov: role=wrote", "role='wrote' is not one of drafted|edited|proved|suggested|generated"),
    ("% paperprov: colour=blue", "unknown paperprov key 'colour'; use one of " + ", ".join(KNOWN_KEYS)),
    ("% paperprov: origin", "has no '='; write origin=VALUE"),
    ("% paperprov: origin=", "empty value; write origin=VALUE"),
    ('% paperprov: model=""', "empty value"),
    ('% paperprov: model="claude opus', "unterminated quote"),
    ("% paperprov:", "empty paperprov marker"),
    ("# paperprov: origin=ai origin=human", "given twice"),
])
def test_malformed_marker_names_file_and_line(line: str, fragment: str) -> None:
    with pytest.raises(SourceError) as err:
        parse_marker(line, "paper/sections/model.tex", 12)
    msg = str(err.value)
    assert msg.startswith("paper/sections/model.tex:12: ")
    assert fragment in msg
    assert "\n" not in msg
