"""The appendix typesets under all three engines: pdfLaTeX (test_view.py), and XeLaTeX and
LuaLaTeX with fontspec (TU encoding, Latin Modern OpenType), where `\\texttt{\\char92}`,
accent commands and the picture-mode graph must come out as under pdfLaTeX."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from provenance.model import Agent, CheckResult, Record, Review
from tests.disclose.test_view import HOSTILE, NON_ASCII, TEST_DOC, att, flat, render, sample_units


def compile_with(root: Path, engine: str) -> tuple[str, str]:
    (root / "main.tex").write_text(TEST_DOC % {"extra": "\\usepackage{fontspec}\\usepackage{xcolor}"}, encoding="utf-8")
    flag = {"xelatex": "-pdfxe", "lualatex": "-pdflua"}[engine]
    proc = subprocess.run(["latexmk", "-norc", flag, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                           "main.tex"], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    text = subprocess.run(["pdftotext", "main.pdf", "-"], cwd=root, capture_output=True, text=True).stdout
    return text, (root / "main.log").read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("engine", ["xelatex", "lualatex"])
def test_hostile_strings_accents_and_the_graph_typeset_under_unicode_engines(
        tmp_path: Path, needs_tex: None, engine: str) -> None:
    evil = Agent("tool" + HOSTILE[0], "model" + HOSTILE[3])
    units = [att(f"u{i}" + h, "statement", "ai", 1.0, (evil,), "drafted", (Review(by=h),),
                 (CheckResult(nodeid=h, outcome="passed"),), (h,), title=h, label=h, display="Lemma",
                 file=f"paper/{h}.tex")
             for i, h in enumerate(HOSTILE + [NON_ASCII, "Zoë Ångström-Łukasiewicz"])]
    record = Record(commit="1" * 40, dirty=False, units=tuple(units) + sample_units())
    render(tmp_path, record, venue="neurips")
    text, log = compile_with(tmp_path, engine)
    assert not re.search(r"^! ", log, re.M)
    assert "Missing character" not in log  # every glyph the appendix asks for exists in the font
    squeezed = "".join(text.split())
    for h in HOSTILE + ["tool\\input{secret}", "model} % # & _ ^ ~ $ \\ \\\\"]:
        assert "".join(h.split()) in squeezed, (engine, h)
    normal = unicodedata.normalize("NFC", flat(text))
    assert "é [U+4E2D][U+6587] [U+1F600]" in normal
    assert "Zoë Ångström-Łukasiewicz" in normal
    assert "Dependency graph of the statements" in text
