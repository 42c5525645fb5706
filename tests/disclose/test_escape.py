"""Escaping record strings for LaTeX and Markdown: any string in, inert text out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.disclose.escape import md, md_code, safe_label, tex, tex_chunks, tex_id, tex_label

HOSTILE = [
    "\\input{/etc/passwd}",
    "\\write18{rm -rf ~}",
    "} % # & _ ^ ~ $ \\ \\\\",
    "line1\nline2\r\n\\par x\tend",
    "é 中文 😀 ß naïve",
    "<b>&amp;</b> | `x` [y](z) *a* --no ''q'' ,,",
    "\u202eevil\u200b",
]

# What `tex` may emit besides letters, digits, spaces and harmless punctuation.
_SAFE_TOKENS = re.compile(
    r"\\texttt\{\\char\d+\}|\\Paperprov(?:Quote|Grave)\{\}|\\kern0pt\{\}|\\[$&#%]|\{\[\}|\{\]\}|\{\}|\\(?:ss|ae|AE|oe|OE|o|O|l|L|i|j)\{\}|\\allowbreak\{\}"
)
_ACCENT = re.compile(r"\\[`'^\"~=.uvHcr]\{([A-Za-z]?)\}")


def _residue(out: str) -> str:
    """`out` with every construct escape.py emits on purpose taken out; what is left must
    be plain text."""
    prev = None
    out = _SAFE_TOKENS.sub("", out)
    while prev != out:  # accents nest: \'{\"{u}}
        prev, out = out, _ACCENT.sub(r"\1", out)
    return out


@pytest.mark.parametrize("s", HOSTILE)
def test_tex_leaves_no_active_character_in_hostile_strings(s: str) -> None:
    out = tex(s)
    assert out.isascii()
    assert "\n" not in out and "\r" not in out
    assert not set(_residue(out)) & set("\\{}$&#%^_~")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tex_output_is_always_ascii_plain_text(s: str) -> None:
    out = tex(s)
    assert out.isascii()
    assert not set(_residue(out)) & set("\\{}$&#%^_~\n\r\t")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_output_has_no_html_and_no_unescaped_markup(s: str) -> None:
    out = md(s)
    assert not set(out) & set("<>\n\r")
    # every Markdown punctuation character is preceded by an (unescaped) backslash
    unescaped = re.sub(r"\\[\\`*_{}\[\]()#+\-.!|~]", "", out)
    assert not set(unescaped) & set("\\`*_{}[]()#+-.!|~")
    assert "&" not in re.sub(r"&(amp|lt|gt);", "", out)


def test_tex_examples() -> None:
    assert tex("a_b") == "a\\texttt{\\char95}b"
    assert tex("\\input{x}") == "\\texttt{\\char92}input\\texttt{\\char123}x\\texttt{\\char125}"
    assert tex("50% & $1 #2") == "50\\% \\& \\$1 \\#2"
    assert tex("a\nb") == "a b"
    assert tex("--x") == "-\\kern0pt{}-x"
    assert tex("x-") == "x-\\kern0pt{}"  # what follows the value is not known
    assert tex("é") == "\\'{e}"
    assert tex("ï") == '\\"{\\i{}}'
    assert tex("中") == "{[}U+4E2D{]}"
    assert tex("😀") == "{[}U+1F600{]}"
    assert tex("\u202e") == " "
    assert tex(None) == ""
    assert tex(3) == "3"


def test_tex_id_and_chunks_add_break_points_only() -> None:
    assert tex_id("experiments/run_it.py") == "experiments/\\allowbreak{}run\\texttt{\\char95}\\allowbreak{}it.\\allowbreak{}py"
    assert tex_chunks("0123456789abcdef01") == "01234567\\allowbreak{}89abcdef\\allowbreak{}01"


def test_only_safe_labels_reach_ref() -> None:
    assert safe_label("lem:mono-1.a_b")
    for bad in ("lem}\\input{x}", "a b", "", "lem:é", None, 3):
        assert not safe_label(bad)
    assert tex_label("thm:main") == "thm:main"
    with pytest.raises(ValueError):
        tex_label("x}\\input{y")


def test_md_examples() -> None:
    assert md("a_b*c") == "a\\_b\\*c"
    assert md("<script>&") == "&lt;script&gt;&amp;"
    assert md("x|y\nz") == "x\\|y z"
    assert md_code("claude-code:opus") == "`claude-code:opus`"
    assert md_code("a`b") == "a\\`b"
    assert md_code("a|b") == "a\\|b"
