"""edits.walk_edit against the walk itself: wherever it says an edited file is walked as
before (its later lines moved), walking the edited paper gives those units, dependencies,
files read and reaches."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance.scan.tex.edits import Moved, fits, shift, walk_edit
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
A paragraph of prose, one sentence a line.
Its second sentence.
Its third, citing \cite{k}.
Its fourth.
Its fifth and last.
\begin{lemma}
[A title on the next line]
\label{lem:a}
The statement, in words.
It goes on for a line.
And another.
\end{lemma}
\begin{proof}
Words of the proof, citing \cite{k} only.
By \cref{lem:a} and \eqref{eq:x}, with [a bracket], we are done.
See \ref {sec:a}; a \lab{x} is no label, \\ref{y} no reference.
\end{proof}
\begin{lemma}
A lemma whose next line a reader looked at.
\end{lemma}
\begin{figure}
\caption{A caption
that spans lines
and more lines
which end here}
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


# What a reword puts into a line somewhere: words, or what could change a command or group.
WORDS = [" more words", "x", ",", " [1]", "{", "}", "\\", "%", "el", "ab", "\\ref{lem:a}", "*", " "]


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    """One to three lines replaced, a line reworded (a few characters put in or taken
    out anywhere in it), a few lines inserted or removed in one place, or added at the
    end (with or without a final newline, after or before it)."""
    out = list(lines)
    kind = rng.choice(("replace", "reword", "insert", "remove", "append"))
    if kind == "reword":
        i = rng.randrange(len(lines))
        at = rng.randrange(len(out[i]) + 1)
        cut = rng.choice((0, 0, 1, 3))
        out[i] = out[i][:at] + ("" if cut and rng.random() < 0.3 else rng.choice(WORDS)) + out[i][at + cut:]
        return out
    if kind == "append":
        end = len(out) - (out[-1:] == [""] and rng.random() < 0.8)
        return out[:end] + [rng.choice(EDITS) for _ in range(rng.choice((1, 2, 3)))] + out[end:]
    if kind == "replace":
        for i in rng.sample(range(len(lines)), rng.choice((1, 1, 2, 3))):
            out[i] = rng.choice(EDITS)
        return out
    at = rng.randrange(len(lines))
    if kind == "insert":
        return out[:at] + [rng.choice(EDITS) for _ in range(rng.choice((1, 1, 2)))] + out[at:]
    return out[:at] + out[at + rng.choice((1, 1, 2)):]


def test_edits_it_allows_give_the_walk_of_the_edited_paper(tmp_path: Path) -> None:
    rng = random.Random(1)
    units, deps, read, reaches = _paper(tmp_path, SEC)
    lines = SEC.split("\n")
    seen = {"same": 0, "moved": 0, "grown": 0, "walked": 0}
    for _ in range(4000):
        new = "\n".join(_edit(rng, lines))
        moved = walk_edit(SEC, new, reaches["sec.tex"])
        if moved is None or not fits(units, "sec.tex", moved):
            seen["walked"] += 1
            continue
        seen["same" if moved == Moved(0, 0) else "grown" if moved.grown else "moved"] += 1
        got_units, got_deps, got_reach = shift(units, deps, reaches["sec.tex"], "sec.tex", moved)
        fresh = _paper(tmp_path, new)
        assert (got_units, got_deps, read, got_reach) == (*fresh[:3], fresh[3]["sec.tex"]), new
    assert min(seen.values()) >= 60, seen  # every way was tried


def test_it_refuses_what_changes_the_walk(tmp_path: Path) -> None:
    reaches = _paper(tmp_path, SEC)[3]["sec.tex"]
    lines = SEC.split("\n")

    def edited(at: str, text: str) -> str:
        out = list(lines)
        out[lines.index(at)] = text
        return "\n".join(out)

    assert walk_edit(SEC, edited("Last line of text.", "Other words."), reaches) == Moved(0, 0)
    two = SEC.replace("Its second sentence.\n", "Its second sentence.\nA new sentence.\nAnd one more.\n")
    assert walk_edit(SEC, two, reaches) == Moved(8, 2, grown=True, ends_at=10)
    assert walk_edit(SEC, SEC.replace("Its fourth.\n", ""), reaches) == Moved(9, -1)
    assert walk_edit(SEC, SEC.replace("Its fifth and last.\n", ""), reaches) is None  # its neighbour: \begin
    for at, text in [
        ("on to a second line}\\label{sec:a}", "on to a second line}\\label{sec:a} more"),  # a title's line
        ("A lemma whose next line a reader looked at.", "[now a title] words"),  # looked at for [...]
        ("that spans lines", "that spans other lines"),  # inside a caption
        ("verbatim words", "other words"),  # inside a verbatim block
        ("hidden words", "other words"),  # inside \iffalse
        ("skipped line after verb", "other words"),  # what \verb skipped
        ("Last line of text.", ""),  # a blank line ends a section's text
        ("Opening text of the file.", "\\noindent"),  # commands only: not text at a file's top
    ]:
        assert walk_edit(SEC, edited(at, text), reaches) is None, (at, text)
    assert walk_edit(SEC, SEC + "% a comment\n", reaches) is None  # the last line added is not text
    assert walk_edit(SEC, SEC + "\\cite{k}\n", reaches) is None
    assert walk_edit(SEC + "\\relax\n", SEC + "\\relax\nwords\n", reaches) is None  # the old last line is not free


def test_lines_added_at_the_end_make_what_ended_there_end_later(tmp_path: Path) -> None:
    units, deps, _, reaches = _paper(tmp_path, SEC)
    new = SEC + "\none more line\n"
    moved = walk_edit(SEC, new, reaches["sec.tex"])
    assert moved == Moved(46, 2, grown=True, ends_at=48)
    got = shift(units, deps, reaches["sec.tex"], "sec.tex", moved)[0]
    assert got == _paper(tmp_path, new)[0]
    ended = {u.id for u in units if any(f == "sec.tex" and hi == 46 for f, _, hi in u.spans)}
    assert ended == {"sec:a", "sec.tex#subsection:later"}, ended
    assert all(any(f == "sec.tex" and hi == 48 for f, _, hi in u.spans) for u in got if u.id in ended)


def test_a_sentence_added_before_a_heading_or_an_end_keeps_the_walk(tmp_path: Path) -> None:
    units, deps, _, reaches = _paper(tmp_path, SEC)
    for before in ("\\begin{lemma}\n[A title", "\\end{lemma}\n\\begin{proof}"):
        for added in ("One more sentence.\n", "\nA new paragraph.\n"):
            new = SEC.replace(before, added + before, 1)
            moved = walk_edit(SEC, new, reaches["sec.tex"])
            assert moved is not None and moved.grown, (before, added)
            assert shift(units, deps, reaches["sec.tex"], "sec.tex", moved)[:2] == _paper(tmp_path, new)[:2]
    after_proof = SEC.replace("\\end{proof}\n", "\\end{proof}\nA paragraph after the proof.\n", 1)
    moved = walk_edit(SEC, after_proof, reaches["sec.tex"])
    assert moved is not None and moved.closes == "proof" and fits(units, "sec.tex", moved)
    assert shift(units, deps, reaches["sec.tex"], "sec.tex", moved)[:2] == _paper(tmp_path, after_proof)[:2]
    assert walk_edit(MAIN, MAIN + "words\n", _paper(tmp_path, SEC)[3]["main.tex"]) is None  # after \end{document}
    # The section before sec:a (main.tex's) goes on in this file up to its opening text,
    # just before a marker and the next heading: it now ends on the sentence added.
    ending = SEC.replace("Opening text of the file.\n", "Opening text of the file.\nAnd more of it.\n")
    moved = walk_edit(SEC, ending, reaches["sec.tex"])
    assert moved == Moved(2, 1, grown=True, ends_at=3)
    intro = next(u for u in units if u.extents and u.extents[-1][0] == "sec.tex")
    assert intro.extents[-1][2] == 2
    got = shift(units, deps, reaches["sec.tex"], "sec.tex", moved)[0]
    assert next(u for u in got if u.id == intro.id).extents[-1][2] == 3 and got == _paper(tmp_path, ending)[0]


@pytest.mark.parametrize("name", ["main.tex", "sec.tex"])
def test_reaches_are_recorded_per_file_and_only_across_lines(tmp_path: Path, name: str) -> None:
    reaches = _paper(tmp_path, SEC)[3][name]
    assert reaches and all(lo < hi for lo, hi in reaches)
    if name == "sec.tex":
        assert (4, 5) in reaches  # the two-line \\section title


def test_a_move_after_an_end_fits_only_units_that_end_there_closed_by_it() -> None:
    from provenance.model import Unit

    lemma = Unit("lem:a", "statement", "f.tex", (1, 5), env="lemma")
    proof = Unit("f.tex#proof:1", "proof", "f.tex", (3, 5))  # left open, closed by the lemma's \end
    section = Unit("sec:a", "section", "f.tex", (1, 5))
    on_to = Unit("lem:b", "statement", "f.tex", (2, 9), env="lemma", extents=(("f.tex", 2, 5), ("g.tex", 1, 9)))
    after_lemma = Moved(5, 1, grown=True, closes="lemma")
    assert fits([lemma, section], "f.tex", after_lemma)
    assert not fits([lemma, proof], "f.tex", after_lemma)
    assert not fits([on_to], "f.tex", after_lemma)  # it goes on in another file: the line ends none of it
    assert fits([lemma, proof], "f.tex", Moved(4, 1, grown=True, closes="lemma"))  # nothing ends on line 4


def test_a_paragraph_added_after_blank_lines_keeps_the_walk(tmp_path: Path) -> None:
    between = SEC.replace("Last line of text.\n\n", "Last line of text.\n\nA new paragraph.\n\n")
    trailing = SEC + "\n\n"  # blank lines at the end of the file
    for old, new in ((SEC, between), (trailing, trailing + "More words.\n"), (trailing, trailing + "More words.")):
        units, deps, _, reaches = _paper(tmp_path, old)
        moved = walk_edit(old, new, reaches["sec.tex"])
        assert moved is not None and moved.grown and moved.ends_at > moved.after + 1, (old[-30:], new[-30:])
        assert shift(units, deps, reaches["sec.tex"], "sec.tex", moved)[:2] == _paper(tmp_path, new)[:2]


def test_a_line_reworded_around_its_references_keeps_the_walk(tmp_path: Path) -> None:
    units, deps, read, reaches = _paper(tmp_path, SEC)
    by = "By \\cref{lem:a} and \\eqref{eq:x}, with [a bracket], we are done."
    see = "See \\ref {sec:a}; a \\lab{x} is no label, \\\\ref{y} no reference."
    kept = [(by, "By \\cref{lem:a} and, indeed, \\eqref{eq:x}, with [a bracket], we are done at last."),
            (by, "So by \\cref{lem:a} and \\eqref{eq:x} we are done."),
            (see, "See \\ref {sec:a}; a \\lab{x} is still no label, \\\\ref{y} no reference.")]
    for old, new in kept:
        text = SEC.replace(old, new)
        assert walk_edit(SEC, text, reaches["sec.tex"]) == Moved(0, 0), new
        assert _paper(tmp_path, text) == (units, deps, read, reaches)
    walked = [(by, by.replace("lem:a", "lem:b")),  # another label
              (by, by.replace(" and ", " and \\cref{sec:a} ")),  # one more reference
              (by, by.replace("we are", "we {are")),  # a group opened
              (by, by + " % a comment"),
              (see, see.replace("\\lab{x}", "\\label{x}")),  # grown into a word a handler takes
              (see, see.replace("\\\\ref{y}", "\\ref{y}"))]  # a backslash less: now a reference
    for old, new in walked:
        assert walk_edit(SEC, SEC.replace(old, new), reaches["sec.tex"]) is None, new
    # and each of those walks differently indeed, but for the comment and the brace (refused
    # because what they start cannot be told from the line)
    for old, new in walked[:2] + walked[4:]:
        assert _paper(tmp_path, SEC.replace(old, new))[:2] != (units, deps), new
