"""Escaping for the two places record strings end up: LaTeX and Markdown.

Everything in build/record.json can come from someone else's commit (trailers, author
names, model names, section titles, labels), so nothing from it reaches LaTeX or Markdown
unescaped. The filters here are total: any string in, inert text out.

LaTeX (`tex`):
- The output is pure ASCII, so it compiles whatever the paper's input and font
  encodings are (no "Unicode character not set up for use with LaTeX").
- The ten special characters and the ASCII characters that OT1 roman fonts print as
  something else (`<` as an inverted exclamation mark, `|` as a dash, `"` `'` and the
  backquote as curly quotes) are typeset from the typewriter font by code point
  (`\\texttt{\\char92}`): one form that needs no package and no font outside Computer
  Modern, and that pdftotext reads back as the same character. The ASCII code points
  agree in OT1, T1 and TU (XeLaTeX/LuaLaTeX with fontspec) except for `'` and the
  backquote, which become `\\PaperprovQuote{}`/`\\PaperprovGrave{}`: the template
  defines them to pick the slot of the font encoding in force (13/18, or 39/96 in TU).
- Line breaks, tabs and other control or format characters (including bidirectional
  overrides) become spaces, so a string can never start a paragraph or a new line.
- Ligatures (`--`, `,,`) are broken with `\\kern0pt{}`, so text shows as typed (an empty
  group `{}` is enough for pdfTeX and XeTeX, not for LuaTeX's OpenType ligatures).
- Accented Latin letters become accent commands (`\\'{e}`); other characters (CJK, emoji)
  are shown as their code point, e.g. `[U+4E2D]`.

Markdown (`md`): ASCII punctuation that Markdown or GFM tables give meaning to is
backslash-escaped, and `& < >` are HTML-escaped so no tag or entity survives.
"""

from __future__ import annotations

import re
import unicodedata

# A label may go into \ref{...} only if it matches this; others are shown as text.
SAFE_LABEL = re.compile(r"[A-Za-z0-9:._-]+")

# Typewriter-font code points (OT1 and T1 agree on these): ASCII glyphs, read back by
# pdftotext as the same character. `'` and backquote use the straight/grave slots 13 and 18.
_TT = {c: ord(c) for c in "\\{}_~^\"<>|"}
# The straight quote and the grave accent sit at slots 13/18 in OT1/T1 typewriter fonts but
# at their code points in TU (XeLaTeX, LuaLaTeX): macros the template defines pick the slot.
_QUOTES = {"'": "\\PaperprovQuote{}", "`": "\\PaperprovGrave{}"}
_PLAIN = {"$": "\\$", "&": "\\&", "#": "\\#", "%": "\\%", "[": "{[}", "]": "{]}"}
# After these, a zero kern stops TeX (LuaTeX's OpenType `tlig` too) from forming a ligature
# with the next character.
_BREAK = "\\kern0pt{}"
_LIGATURE_BREAK = "-,"
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
}
_LETTERS = {
    "ß": "\\ss{}", "æ": "\\ae{}", "Æ": "\\AE{}", "œ": "\\oe{}", "Œ": "\\OE{}", "ø": "\\o{}",
    "Ø": "\\O{}", "ł": "\\l{}", "Ł": "\\L{}", "ı": "\\i{}", "ȷ": "\\j{}",
    "\u2013": "-\\kern0pt{}-\\kern0pt{}", "\u2014": "-\\kern0pt{}-\\kern0pt{}-\\kern0pt{}", "\u2018": "`{}", "\u2019": "'{}",
    "\u201c": "`{}`{}", "\u201d": "'{}'{}",
}
_MD_PUNCT = set("\\`*_{}[]()#+-.!|~")
_MD_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls (newline, tab, NUL...); Cf: format characters such as bidi
    # overrides and zero-width joiners; Zl/Zp: Unicode line and paragraph separators.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def _tex_ascii(ch: str, nxt: str) -> str:
    if ch in _TT:
        return f"\\texttt{{\\char{_TT[ch]}}}"
    if ch in _QUOTES:
        return _QUOTES[ch]
    if ch in _PLAIN:
        return _PLAIN[ch]
    if ch in _LIGATURE_BREAK and nxt in (ch, ""):  # "" : what follows the value is not known
        return ch + _BREAK
    return ch


def _tex_nonascii(ch: str) -> str:
    if ch in _LETTERS:
        return _LETTERS[ch]
    if unicodedata.category(ch).startswith("Z"):
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    base, marks = decomposed[:1], decomposed[1:]
    if decomposed != ch and base.isascii() and base.isalnum() and all(m in _ACCENTS or unicodedata.combining(m) for m in marks):
        out = {"i": "\\i{}", "j": "\\j{}"}.get(base, base) if marks else base
        for m in marks:
            if m in _ACCENTS:  # other combining marks need fonts we do not assume: dropped
                out = f"\\{_ACCENTS[m]}{{{out}}}"
        return out
    if decomposed != ch and decomposed.isascii():  # ligatures, full-width forms, "…"
        return "".join(_tex_ascii(c, "") for c in decomposed)
    return f"{{[}}U+{ord(ch):04X}{{]}}"


def tex(value: object) -> str:
    """Any value as inert LaTeX text (see the module docstring)."""
    s = _text(value)
    out: list[str] = []
    for i, ch in enumerate(s):
        if _is_control(ch):
            out.append(" ")
        elif ch.isascii():
            out.append(_tex_ascii(ch, s[i + 1] if i + 1 < len(s) else ""))
        else:
            out.append(_tex_nonascii(ch))
    return "".join(out)


def tex_id(value: object) -> str:
    """An identifier (unit id, path, agent, label shown as text): escaped like `tex`,
    with break points after `/ : _ .` so long ids wrap inside narrow table cells."""
    s = _text(value)
    parts = re.split(r"(?<=[/:_.])", s)
    return "\\allowbreak{}".join(tex(p) for p in parts if p)


def tex_chunks(value: object, every: int = 8) -> str:
    """A long token (hex digest, fingerprint): escaped, breakable every `every` chars."""
    s = _text(value)
    return "\\allowbreak{}".join(tex(s[i:i + every]) for i in range(0, len(s), every))


def safe_label(label: object) -> bool:
    return isinstance(label, str) and SAFE_LABEL.fullmatch(label) is not None


def tex_label(label: object) -> str:
    """The argument of \\ref{}: only labels matching SAFE_LABEL pass; anything else is a
    bug in the caller (it should have shown the label as text), so fail loudly."""
    if not safe_label(label):
        raise ValueError(f"unsafe label for \\ref: {label!r}")
    return str(label)


def md(value: object) -> str:
    """Any value as inert Markdown text, safe in paragraphs and GFM table cells."""
    out: list[str] = []
    for ch in _text(value):
        if _is_control(ch):
            out.append(" ")
        elif ch in _MD_HTML:
            out.append(_MD_HTML[ch])
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def md_code(value: object) -> str:
    """A code span when the value can sit in one (no backtick, no `|` that would split a
    table cell, no control characters); otherwise escaped text."""
    s = _text(value)
    if s and not any(c in "`|" or _is_control(c) for c in s) and s.strip() == s:
        return f"`{s}`"
    return md(s)
