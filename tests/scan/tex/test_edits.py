"""edits.same_walk against the walk itself: wherever it says an edited file is walked as
before, walking the edited paper gives the same units, dependencies and files read."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance.scan.tex.edits import same_walk
from provenance.scan.tex.walker import _walk

MAIN = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\newcommand{\foo}{a body
over two lines}
\begin{document}
\section{Intro}
Plain words here.
\input{sec}
Closing words of main.
\end{document}
"""

SEC = r"""\noindent
Opening text of the file.
% paperprov: origin=ai tool=claude-code model=m
\section{A title that goes
on to a second line}\label{sec:a}
Text with \emph{emphasis} and $x^2$ math.
\begin{lemma}
[A title on the next line]
\label{lem:a}
The statement, in words.
\end{lemma}
\begin{proof}
Words of the proof, citing \cite{k} only.
\end{proof}
\begin{lemma}
A lemma whose next line a reader looked at.
\end{lemma}
\begin{figure}
\caption{A caption
that spans lines}
\end{figure}
\begin{verbatim}
verbatim words
\end{verbatim}
\iffalse
hidden words
\fi
Text ending in a backslash \
next line of text.
\verb
skipped line after verb
\subsection{Later}
Last line of text.

Tail words.
"""

EDITS = [
    "Some new words.",
    "Words with \\emph{new} emphasis and \\cite{other}.",
    "  indented words  ",
    "\\noindent",
    "",
    "% a comment",
    "words % and a comment",
    "A \\ref{lem:a} to the lemma.",
    "\\label{lem:new}",
    "[bracketed start] words",
    "{an open brace",
    "a close brace}",
    "\\begin{lemma}",
    "\\section{New}",
    "ends with a backslash \\",
    "\\input{sec}",
    "\\verb|x|",
]


def _paper(tmp_path: Path, sec: str) -> tuple:
    (tmp_path / "main.tex").write_text(MAIN)
    (tmp_path / "sec.tex").write_text(sec)
    return _walk(tmp_path, "main.tex")


def test_edits_it_allows_leave_the_walk_as_it_was(tmp_path: Path) -> None:
    rng = random.Random(1)
    old = _paper(tmp_path, SEC)
    reaches = old[3]["sec.tex"]
    lines = SEC.split("\n")
    allowed = refused = 0
    for _ in range(1500):
        new_lines = list(lines)
        for i in rng.sample(range(len(lines)), rng.choice((1, 1, 2, 3))):
            new_lines[i] = rng.choice(EDITS)
        new = "\n".join(new_lines)
        if not same_walk(SEC, new, reaches):
            refused += 1
            continue
        allowed += 1
        assert _paper(tmp_path, new)[:3] == old[:3], new
    assert allowed >= 60 and refused >= 60  # both ways were tried


def test_it_refuses_what_changes_the_walk(tmp_path: Path) -> None:
    reaches = _paper(tmp_path, SEC)[3]["sec.tex"]
    lines = SEC.split("\n")

    def edited(at: str, text: str) -> str:
        out = list(lines)
        out[lines.index(at)] = text
        return "\n".join(out)

    assert same_walk(SEC, edited("Plain words here." if False else "Last line of text.", "Other words."), reaches)
    for at, text in [
        ("on to a second line}\\label{sec:a}", "on to a second line}\\label{sec:a} more"),  # a title's line
        ("A lemma whose next line a reader looked at.", "[now a title] words"),  # looked at for [...]
        ("that spans lines}", "that spans other lines}"),  # inside a caption
        ("verbatim words", "other words"),  # inside a verbatim block
        ("hidden words", "other words"),  # inside \iffalse
        ("skipped line after verb", "other words"),  # what \verb skipped
        ("Last line of text.", ""),  # a blank line ends a section's text
        ("Opening text of the file.", "\\noindent"),  # commands only: not text at a file's top
    ]:
        assert not same_walk(SEC, edited(at, text), reaches), (at, text)
    assert not same_walk(SEC, SEC + "one more line\n", reaches)


@pytest.mark.parametrize("name", ["main.tex", "sec.tex"])
def test_reaches_are_recorded_per_file_and_only_across_lines(tmp_path: Path, name: str) -> None:
    reaches = _paper(tmp_path, SEC)[3][name]
    assert reaches and all(lo < hi for lo, hi in reaches)
    if name == "sec.tex":
        assert (4, 5) in reaches  # the two-line \section title
