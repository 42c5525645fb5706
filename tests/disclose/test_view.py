"""The disclosure appendix: numbers from the record's units, hostile strings as inert
text, a short appendix when no AI was used, and a real LaTeX compile of all of it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from provenance.config import Author, Config, Paper
from provenance.disclose import aia
from provenance.disclose.escape import SAFE_LABEL
from provenance.disclose.view import build_view, render_md, render_tex, write_disclosure
from provenance.errors import BuildError
from provenance.model import Agent, Attribution, CheckResult, LineRun, Record, Review, Summary, Unit
from provenance.recordjson import read_record, record_from_dict, record_to_json
from tests.helpers import Repo

CLAUDE = Agent("claude-code", "claude-opus-4-1")
AIDER = Agent("aider", "gpt-4o")
GROUPS = {"sections": ("part", "chapter", "section", "subsection", "subsubsection"), "statements": ("statement",),
          "proofs": ("proof",), "code units": ("module", "function", "class"), "figures and tables": ("figure", "table")}
SINGULAR = {"sections": "section", "statements": "statement", "proofs": "proof", "code units": "code unit",
            "figures and tables": "figure or table"}


def att(id: str, kind: str, origin: str, frac: float = 0.0, agents: tuple[Agent, ...] = (), role: str | None = None,
        reviews: tuple[Review, ...] = (), checks: tuple[CheckResult, ...] = (), conflicts: tuple[str, ...] = (),
        **unit: object) -> Attribution:
    u = Unit(id=id, kind=kind, file=str(unit.pop("file", "paper/main.tex")), lines=unit.pop("lines", (1, 10)),  # type: ignore[arg-type]
             **unit)  # type: ignore[arg-type]
    return Attribution(unit=u, origin=origin, ai_fraction=frac, agents=agents, role=role, reviewed_by=reviews,
                       checks=checks, conflicts=conflicts)


def sample_units() -> tuple[Attribution, ...]:
    return (
        att("sec:intro", "section", "human", title="Introduction", label="sec:intro", display="Section", lines=(1, 40)),
        att("sec:model", "section", "mixed", 0.4, (CLAUDE,), title="Model", label="sec:model", display="Section",
            lines=(41, 120)),
        att("def:cover", "statement", "human", env="definition", display="Definition", label="def:cover",
            title="Covering path"),
        att("lem:mono", "statement", "ai", 1.0, (CLAUDE,), "drafted", (Review("Alice Author", "abc"),),
            (CheckResult("tests/claims/test_l.py::test_mono", "passed"),), env="lemma", display="Lemma",
            label="lem:mono", title="Monotonicity"),
        att("paper/main.tex#proof-1", "proof", "ai", 1.0, (CLAUDE,), "proved", parent="lem:mono", uses=("def:cover",),
            lines=(30, 35)),
        att("lem:pyth", "statement", "mixed", 0.5, (CLAUDE,), None, (Review("Bob", "abc", stale=True),),
            (CheckResult("tests/claims/test_l.py::test_pyth", "failed"),), env="lemma", display="Lemma",
            label="lem:pyth", uses=("lem:mono",)),
        att("thm:main", "statement", "human", 0.8, (), None, (), (CheckResult("t.py::test_main", "not-run"),),
            ("declared human, 80% of lines from AI-tagged commits",), env="theorem", display="Theorem",
            label="thm:main", title="Convergence", uses=("lem:mono", "lem:pyth", "def:cover")),
        att("experiments/chain.py", "module", "ai", 1.0, (CLAUDE, AIDER), "generated", file="experiments/chain.py",
            lines=(1, 80)),
        att("experiments/chain.py::run_chain", "function", "ai", 1.0, (CLAUDE,), "generated",
            file="experiments/chain.py", lines=(10, 40)),
    )


def make_cfg(root: Path, venue: str = "none", authors: tuple[str, ...] = ("Alice Author",)) -> Config:
    return Config(root=root, paper=Paper("demo", "paper/main.tex"), venue=venue,
                  authors=tuple(Author(a) for a in authors))


def render(tmp_path: Path, record: Record, venue: str = "none", **kw: object) -> tuple[str, str]:
    rec = tmp_path / "build" / "record.json"
    rec.parent.mkdir(parents=True, exist_ok=True)
    rec.write_bytes(record_to_json(record))
    tex, md = tmp_path / "build" / "disclosure.tex", tmp_path / "build" / "disclosure.md"
    write_disclosure(make_cfg(tmp_path, venue, **kw), rec, tex, md)  # type: ignore[arg-type]
    return tex.read_text(encoding="utf-8"), md.read_text(encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def _n(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _covered(record: Record) -> Counter[str]:
    """Lines by origin over the union of all units' lines, counted line by line here."""
    lines = {(f, n) for a in record.units for f, lo, hi in a.unit.spans for n in range(lo, hi + 1)}
    out: Counter[str] = Counter()
    for f, runs in record.files.items():
        for r in runs:
            out[r.origin] += sum(1 for n in range(r.start, r.end + 1) if (f, n) in lines)
    return out


def expected_sentences(record: Record) -> list[str]:
    """Every sentence of the appendix's summary that holds a number, counted here
    independently of record/summary.py and disclose/view.py."""
    out = []
    for name, kinds in GROUPS.items():
        c = Counter(a.origin for a in record.units if a.unit.kind in kinds)
        total = sum(c.values())
        if total:
            out.append(f"{total} {SINGULAR[name] if total == 1 else name} ({c['human']} human-written, "
                       f"{c['ai']} AI-drafted, {c['mixed']} mixed, {c['unknown']} of unknown origin)")
    involved = [a for a in record.units if a.origin in ("ai", "mixed")]
    agents = sorted({str(g) for a in record.units for g in a.agents})
    if involved or agents:
        parts = []
        for g in agents:
            n = sum(1 for a in involved if g in {str(x) for x in a.agents})
            other = sum(1 for a in record.units if a not in involved and g in {str(x) for x in a.agents})
            parts.append(f"{g} (in {_n(n, 'unit')} with AI involvement" + (f"; AI lines in {_n(other, 'other unit')})"
                                                                           if other else ")"))
        if parts:
            out.append("AI agents recorded (tool:model): " + "; ".join(parts) + ".")
        stmts = [a for a in involved if a.unit.kind in ("statement", "proof")]
        rev = [a for a in stmts if any(r.by.strip() and not r.stale for r in a.reviewed_by)]
        out.append(f"Statements and proofs with AI involvement: {len(stmts)}, of which {len(rev)} reviewed by a named "
                   f"person and {len(stmts) - len(rev)} not reviewed.")
        rev_all = [a for a in involved if any(r.by.strip() and not r.stale for r in a.reviewed_by)]
        out.append(f"All units with AI involvement (origin ai or mixed): {len(involved)}, of which {len(rev_all)} "
                   f"reviewed and {len(involved) - len(rev_all)} not reviewed")
        stale = [a for a in record.units if a.reviewed_by and all(r.stale for r in a.reviewed_by)]
        if stale:
            out.append(f"{_n(len(stale), 'unit')} with only a stale review")
    untagged = _covered(record)["untagged"]
    if untagged:
        commits = _n(record.summary.untagged_commits, "commit")
        out.append(f"Assumption stated by the authors: the {_n(untagged, 'line')} from {commits} that carry no AI "
                   "evidence" if record.summary.untagged == "human" else
                   f"{_n(untagged, 'line')} from {commits} carry no AI evidence")
    seen: dict[str, set[str]] = {}
    for a in record.units:
        for c in a.checks:
            seen.setdefault(c.nodeid, set()).add(c.outcome)
    worst = Counter("failed" if o & {"failed", "error"} else "passed" if o == {"passed"} else "not run"
                    for o in seen.values())
    if seen:
        out.append(f"Claim checks: {worst['passed']} passed, {worst['failed']} failed, {worst['not run']} not run "
                   f"({len(seen)} distinct tests)")
    return out


def plain(md: str) -> str:
    """Markdown as a reader sees it: no code spans, no escapes, whitespace collapsed."""
    return flat(re.sub(r"\\(.)", r"\1", md.replace("`", "")))


# --- content ---------------------------------------------------------------------------


def test_summary_numbers_are_counted_from_units_not_from_the_summary(tmp_path: Path) -> None:
    record = Record(commit="a" * 40, dirty=False, units=sample_units(),
                    summary=Summary(units={"statements": {"ai": 99}}, ai_statements=1234))
    tex, md = render(tmp_path, record)
    for sentence in expected_sentences(record):
        assert sentence in plain(md), sentence
    assert "4 statements (2 human-written, 1 AI-drafted, 1 mixed, 0 of unknown origin)" in flat(tex)
    # (the record's sha256 may hold any digits: look past it)
    words = md.replace(hashlib.sha256(record_to_json(record)).hexdigest(), "DIGEST")
    assert " 99 " not in flat(words) and "1234" not in words
    # tool:model everywhere; an agent of a human-origin unit is counted apart
    assert "claude-code:\\allowbreak{}claude-opus-4-1 (in 6 units with AI involvement)" in tex


def test_no_ai_record_gets_a_short_no_ai_appendix(tmp_path: Path) -> None:
    units = (att("sec:a", "section", "human", title="Intro", label="sec:a", display="Section"),
             att("thm:a", "statement", "human", label="thm:a", display="Theorem"),
             att("lem:b", "statement", "unknown", label="lem:b", display="Lemma"))
    tex, md = render(tmp_path, Record(commit="b" * 40, dirty=False, units=units), venue="acl")
    assert tex.startswith("% Generated by paperprov")
    assert tex.splitlines()[1].startswith("\\section{")
    assert "No AI assistance was recorded for this paper." in tex
    # one unit of unknown origin: "entirely human-created" would be a claim without evidence
    assert "AIA" not in tex and "No AI Attribution statement is made: no AI use was recorded, but 1 unit" in flat(tex)
    assert "2 statements (1 human-written, 0 AI-drafted, 0 mixed, 1 of unknown origin)" in flat(tex)
    for absent in ("Statements and proofs", "Dependency graph", "Experiment code", "not reviewed"):
        assert absent not in tex
    assert "**No AI assistance was recorded for this paper.**" in md
    assert "\\[to be declared by the authors\\] No AI assistance is recorded" in md  # E: use outside git unknown
    assert len(tex) < 4000


def test_statements_are_numbered_via_ref_and_proofs_name_their_statement(tmp_path: Path) -> None:
    tex, md = render(tmp_path, Record(commit="c" * 40, dirty=False, units=sample_units()))
    assert "Lemma~\\ref{lem:mono} (Monotonicity) & \\raggedright ai / drafted" in tex
    assert "Proof of Lemma~\\ref{lem:mono} (Monotonicity) & \\raggedright ai / proved" in tex
    assert "bob (stale)" in tex.lower() and "\\textbf{1 failed}" in tex
    assert "| Proof of Lemma `lem:mono` (Monotonicity) | ai / proved | `claude-code:claude-opus-4-1` | **not reviewed** | – |" in md


def test_unsafe_labels_are_shown_as_text_and_never_reach_ref(tmp_path: Path) -> None:
    bad = "lem}\\input{/etc/passwd}"
    units = (att(bad, "statement", "ai", 1.0, (CLAUDE,), label=bad, display="Lemma", uses=("x",)),
             att("p", "proof", "mixed", float("nan"), (CLAUDE,), parent=bad, uses=(bad,)))
    tex, _ = render(tmp_path, Record(commit=None, dirty=False, units=units))
    refs = re.findall(r"\\ref\{([^}]*)\}", tex)
    assert all(SAFE_LABEL.fullmatch(r) for r in refs)
    assert "\\input{" not in tex
    assert "Lemma lem\\texttt{\\char125}\\texttt{\\char92}input" in tex


def test_dirty_partial_conflicts_and_unreviewed_content_are_stated(tmp_path: Path) -> None:
    record = Record(commit="d" * 40, dirty=True, partial=True, units=sample_units(),
                    warnings=("paper/x.tex: \\input file y not found",))
    _, md = render(tmp_path, record)
    text = flat(md)
    assert "**plus uncommitted changes**" in text
    assert "The record was made from a working tree with uncommitted changes." in text
    assert "**Attribution is partial**" in text
    assert "Warning: paper/x\\.tex: \\\\input file y not found" in text
    assert "Conflict in Theorem `thm:main` (Convergence)" in text
    assert ("Not reviewed by a named person (5 units with AI involvement): Section `sec:model` (Model); Proof of "
            "Lemma `lem:mono` (Monotonicity); Lemma `lem:pyth`; `experiments/chain.py`; "
            "`experiments/chain.py::run_chain`.") in text
    assert "1 unit with only a stale review" in text


def test_clean_fully_reviewed_record_says_there_are_no_caveats(tmp_path: Path) -> None:
    units = (att("lem:a", "statement", "ai", 1.0, (CLAUDE,), reviews=(Review("Alice Author", "abc"),),
                 label="lem:a", display="Lemma"),)
    tex, md = render(tmp_path, Record(commit="e" * 40, dirty=False, units=units))
    assert "None: the record was made from a clean working tree" in md
    assert "AIA EAI Hin R claude-opus-4-1 v1.0" in md
    assert "Reviewers not listed" not in md
    _, md2 = render(tmp_path, Record(commit="e" * 40, dirty=False, units=units), authors=("Carol",))
    assert "Reviewers not listed among the authors: Alice Author." in md2


@pytest.mark.parametrize(
    ("units", "code"),
    [
        ((att("s", "section", "ai", 1.0, (CLAUDE,)),), "AIA EAI Hin Nr claude-opus-4-1 v1.0"),
        ((att("m", "module", "ai", 1.0, (CLAUDE,), "generated", lines=(1, 50)), att("m::f", "function", "human")),
         "AIA PAI Nc Hin Nr claude-opus-4-1 v1.0"),
        ((att("s", "section", "ai", 1.0, (CLAUDE,), "drafted", lines=(1, 80)),
          att("t", "section", "human", lines=(81, 100))), "AIA PAI Nc Hin Nr claude-opus-4-1 v1.0"),
        ((att("s", "section", "mixed", 0.5, (AIDER,), "edited", (Review("a"),)),), "AIA HAb Ce Hin R gpt-4o v1.0"),
        ((att("s", "section", "mixed", 0.1, (Agent("copilot"),)), att("t", "section", "human", lines=(1, 90))),
         "AIA Ph Ce Hin Ain Nr v1.0"),  # a tool is never a model
        ((att("s", "section", "human"), att("t", "section", "unknown")), ""),  # no claim about t
        ((att("s", "section", "human"), att("t", "section", "human")), "AIA Eh v1.0"),
        ((att("s", "section", "human", 0.2, (CLAUDE,)),), "AIA Ph Hin Nr claude-opus-4-1 v1.0"),
    ],
)
def test_ai_attribution_statement_is_derived_from_the_record(units: tuple[Attribution, ...], code: str) -> None:
    assert aia.statement(units).code == code


@pytest.mark.parametrize(
    ("venue", "needles"),
    [
        ("acl", ["**E**", "**E1**", "Did you use AI assistants", "Yes\\."]),
        ("neurips", ["**16\\. Declaration of LLM usage**", "\\[to be declared by the authors\\]"]),
        ("iclr", ["**Policy 1**", "Any use of an LLM must be disclosed"]),
        ("arxiv", ["**Generative AI**", "text\\-to\\-text generative AI"]),
        ("none", []),
    ],
)
def test_venue_questions_follow_the_venue_key(tmp_path: Path, venue: str, needles: list[str]) -> None:
    tex, md = render(tmp_path, Record(commit="f" * 40, dirty=False, units=sample_units()), venue=venue)
    for needle in needles:
        assert needle in md
    assert ("## Venue questions" in md) == (venue != "none")
    assert ("\\subsection{Venue questions}" in tex) == (venue != "none")


def test_how_to_verify_names_commit_record_digest_and_the_disclosed_signer(tmp_path: Path) -> None:
    """The appendix names the signer this build signs with (signing.name alice, committed),
    not every key under keys/ (bob's, generated and not committed, is not named)."""
    from dataclasses import replace

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from provenance.config import Signing
    from provenance.pipeline.actions import run_disclosure

    def new_line() -> str:
        return Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()

    line = new_line()
    repo = Repo(tmp_path)
    repo.commit("alice's key", {"keys/alice.pub": line + " alice\n"})
    repo.write("keys/bob.pub", new_line() + " bob\n")  # generated by a build, not committed
    if shutil.which("ssh-keygen"):
        fp = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "keys" / "alice.pub")], capture_output=True,
                            text=True, check=True).stdout.split()[1]
    else:
        from provenance.evidence.pubkeys import fingerprint
        fp = fingerprint(line)
    render(tmp_path, Record(commit="0123456789" * 4, dirty=False, units=sample_units()))
    run_disclosure(replace(make_cfg(tmp_path), signing=Signing(name="alice")))
    tex, md = ((tmp_path / "build" / f"disclosure.{ext}").read_text(encoding="utf-8") for ext in ("tex", "md"))
    digest = hashlib.sha256((tmp_path / "build" / "record.json").read_bytes()).hexdigest()
    assert f"- Commit: `{'0123456789' * 4}`" in md
    assert f"- SHA-256 of `build/record.json`: `{digest}`" in md
    assert f"- Signer alice: `{fp}`" in md
    assert "bob" not in md
    assert "`paperprov verify dist/demo-submission.zip --trusted-keys keys/`" in md
    assert digest[:8] + "\\allowbreak{}" + digest[8:16] in tex


def test_rendering_is_deterministic_across_directories(tmp_path: Path) -> None:
    record = Record(commit="1" * 40, dirty=False, units=sample_units())
    first = render(tmp_path / "a", record, venue="acl")
    second = render(tmp_path / "b", record, venue="acl")
    assert first == second


def test_missing_or_malformed_record_fails_with_one_line(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = tmp_path / "build"
    with pytest.raises(BuildError) as missing:
        write_disclosure(cfg, out / "record.json", out / "d.tex", out / "d.md")
    assert "run `doit record` first" in str(missing.value) and "\n" not in str(missing.value)
    out.mkdir()
    for bad in (b"{not json", b'{"schema": "other"}', b'{"schema": "paperprov/record/v1", "units": [{"id": 1}]}'):
        (out / "record.json").write_bytes(bad)
        with pytest.raises(BuildError) as err:
            write_disclosure(cfg, out / "record.json", out / "d.tex", out / "d.md")
        assert "rerun `doit record`" in str(err.value) and "\n" not in str(err.value)
    assert not (out / "d.tex").exists()


def test_graph_puts_each_statement_below_what_it_uses_and_survives_cycles(tmp_path: Path) -> None:
    record = Record(commit=None, dirty=False, units=sample_units())
    view = build_view(make_cfg(tmp_path), record, "0" * 64)
    assert view.graph is not None
    y = {n.row.ref.label: float(n.y) for n in view.graph.nodes}
    assert y["def:cover"] > y["lem:mono"] > y["lem:pyth"] > y["thm:main"]  # via the proof's \uses too
    cyclic = (att("a", "statement", "ai", label="a", display="Lemma", uses=("b",)),
              att("b", "statement", "ai", label="b", display="Lemma", uses=("a",)))
    view = build_view(make_cfg(tmp_path), Record(commit=None, dirty=False, units=cyclic), "0" * 64)
    assert view.graph is not None and len(view.graph.nodes) == 2
    assert "\\dashbox" in render_tex(view) and "- Lemma `a`" in render_md(view)


def test_lines_without_ai_evidence_are_counted_and_claimed_for_nobody(tmp_path: Path) -> None:
    files = {"paper/main.tex": (LineRun(1, 30, "untagged"), LineRun(31, 100, "ai"), LineRun(101, 120, "human"))}
    record = Record(commit="3" * 40, dirty=False, units=sample_units(), files=files,
                    summary=Summary(untagged_commits=2))
    tex, md = render(tmp_path, record)
    assert ("30 lines from 2 commits carry no AI evidence (no Assisted-by trailer, agent co-author line or session) "
            "and no Assisted-by: none; beyond the declarations in the sources and in provenance.yaml, this appendix "
            "makes no claim about who wrote them.") in plain(md)
    assert "human-created" not in md
    assumed = replace(record, summary=Summary(untagged_commits=2, untagged="human"))
    tex, md = render(tmp_path, assumed)
    assert ("Assumption stated by the authors: the 30 lines from 2 commits that carry no AI evidence (no Assisted-by "
            "trailer, agent co-author line or session) and no Assisted-by: none were written by humans "
            "(attribution.untagged: human in provenance.yaml).") in plain(md)
    assert "Assumption stated by the authors" in flat(tex)


def test_a_human_unit_with_ai_lines_says_so_and_lists_no_agents_otherwise(tmp_path: Path) -> None:
    units = (att("lem:h", "statement", "human", 0.2, (CLAUDE,), label="lem:h", display="Lemma"),
             att("lem:p", "statement", "human", label="lem:p", display="Lemma"),
             att("lem:a", "statement", "ai", 1.0, (CLAUDE,), label="lem:a", display="Lemma"))
    _, md = render(tmp_path, Record(commit="4" * 40, dirty=False, units=units))
    assert "| Lemma `lem:h` | human | human\\-edited, with AI lines from `claude-code:claude-opus-4-1` |" in md
    assert "| Lemma `lem:p` | human | – |" in md
    assert ("AI agents recorded (tool:model): claude-code:claude-opus-4-1 (in 1 unit with AI involvement; "
            "AI lines in 1 other unit).") in plain(md)
    assert "All units with AI involvement (origin ai or mixed): 1, of which 0 reviewed" in plain(md)


def test_a_history_without_ai_evidence_gets_no_human_claim_unless_the_authors_make_it(repo: Repo) -> None:
    """A repository whose commits say nothing either way: the appendix counts what carries
    no evidence and makes no AIA statement; `attribution.untagged: human` makes it `Eh`,
    stated as the authors' assumption."""
    from provenance.config import load
    from provenance.record.cache import write_record

    main = "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nText.\n\\section{More}\nMore.\n\\end{document}\n"
    repo.commit("Paper", {"provenance.yaml": "paper: {name: t, main: main.tex}\n", "main.tex": main})
    repo.commit("Edit", {"main.tex": main.replace("More.", "More text.")})

    def appendix() -> str:
        cfg = load(repo.path)
        write_record(cfg, repo.path / "build" / "record.json")
        write_disclosure(cfg, repo.path / "build" / "record.json", repo.path / "d.tex", repo.path / "d.md")
        return plain((repo.path / "d.md").read_text(encoding="utf-8"))

    md = appendix()
    assert "This work was entirely human-created" not in md and "AIA" not in md
    assert "No AI Attribution statement is made: no AI use was recorded, but 2 units" in md
    assert "4 lines from 2 commits carry no AI evidence" in md
    assert "2 sections (0 human-written, 0 AI-drafted, 0 mixed, 2 of unknown origin)" in md
    repo.write("provenance.yaml", "paper: {name: t, main: main.tex}\nattribution: {untagged: human}\n")
    repo.commit("We wrote it all ourselves\n\nAssisted-by: none")
    md = appendix()
    assert "AIA Eh v1.0. This work was entirely human-created, without the use of AI." in md
    assert "Assumption stated by the authors: the 4 lines from 2 commits that carry no AI evidence" in md


# --- real LaTeX ----------------------------------------------------------------------------

HOSTILE = [
    "\\input{secret}",
    "\\input{/etc/passwd}",
    "\\immediate\\write18{touch pwned}",
    "} % # & _ ^ ~ $ \\ \\\\",
    "line1\nline2",
    "<b>&amp;</b> | `x` [y](z) --no 'q' \"r\"",
]
NON_ASCII = "é 中文 😀"
TEST_DOC = r"""\documentclass{article}
\usepackage{amsmath,amsthm,booktabs,graphicx}
%(extra)s
\usepackage{hyperref}
\usepackage{cleveref}
\hyphenpenalty=10000 \exhyphenpenalty=10000
\newtheorem{lemma}{Lemma}\newtheorem{theorem}[lemma]{Theorem}\newtheorem{definition}[lemma]{Definition}
\begin{document}
\section{Introduction}\label{sec:intro} Text.
\section{Model}\label{sec:model}
\begin{definition}[Covering path]\label{def:cover}x\end{definition}
\begin{lemma}[Monotonicity]\label{lem:mono}x\end{lemma}\begin{proof}y\end{proof}
\begin{lemma}\label{lem:pyth}x\end{lemma}
\begin{theorem}[Convergence]\label{thm:main}x\end{theorem}
\appendix
\InputIfFileExists{build/disclosure.tex}{}{}
\end{document}
"""


def compile_doc(root: Path, extra: str = "") -> tuple[str, subprocess.CompletedProcess[str]]:
    (root / "main.tex").write_text(TEST_DOC % {"extra": extra}, encoding="utf-8")
    proc = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                           "-recorder", "main.tex"], cwd=root, capture_output=True, text=True, timeout=120)
    text = subprocess.run(["pdftotext", "main.pdf", "-"], cwd=root, capture_output=True, text=True).stdout \
        if (root / "main.pdf").exists() else ""
    return text, proc


def test_hostile_record_strings_compile_to_literal_text(tmp_path: Path, needs_tex: None) -> None:
    (tmp_path / "secret.tex").write_text("SECRETMARKER\n", encoding="utf-8")
    evil = Agent("tool" + HOSTILE[0], "model" + HOSTILE[3])
    units = [att(f"u{i}" + h, "statement", "ai", 1.0, (evil,), "drafted", (Review(by=h),),
                 (CheckResult(nodeid=h, outcome="passed"),), (h,), title=h, label=h, display="Lemma",
                 file=f"paper/{h}.tex")
             for i, h in enumerate(HOSTILE + [NON_ASCII])]
    units.append(att("sec:ok", "section", "mixed", 0.5, title=HOSTILE[3], label="sec:ok", display="Section"))
    record = Record(commit=HOSTILE[0], dirty=True, units=tuple(units), warnings=tuple(HOSTILE))
    render(tmp_path, record, venue="neurips", authors=(HOSTILE[2],))
    text, proc = compile_doc(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    log = (tmp_path / "main.log").read_text(encoding="latin-1")
    assert not re.search(r"^! ", log, re.M)
    squeezed = "".join(text.split())
    for h in HOSTILE + ["tool\\input{secret}", "model} % # & _ ^ ~ $ \\ \\\\"]:
        assert "".join(h.split()) in squeezed, h
    assert "é [U+4E2D][U+6587] [U+1F600]" in unicodedata.normalize("NFC", flat(text))  # pdftotext: e + U+0301
    assert "SECRETMARKER" not in text
    assert not (tmp_path / "pwned").exists()
    reads = (tmp_path / "main.fls").read_text(encoding="utf-8", errors="replace")
    assert "/etc/passwd" not in reads and "secret.tex" not in reads


def _pages_with(pdf: Path, needle: str) -> list[int]:
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                            text=True).stdout).group(1))  # type: ignore[union-attr]
    found = []
    for p in range(1, pages + 1):
        txt = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                             text=True).stdout
        if needle in txt or found:
            found.append(p)
    return found


def _ink(pdf: Path, page: int, out: Path) -> float:
    """Share of non-white pixels of a page rendered by pdftoppm (greyscale PGM)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out)], check=True)
    data = (out.parent / (out.name + ".pgm")).read_bytes()
    header = data.split(b"\n", 3)
    pixels = header[3]
    return sum(1 for b in pixels if b < 200) / len(pixels)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)  # the paper may hyphenate ("un-known") and break lines anywhere


def expected_rows(record: Record) -> list[str]:
    """The summary table's rows, counted here independently."""
    rows = []
    for name, kinds in GROUPS.items():
        c = Counter(a.origin for a in record.units if a.unit.kind in kinds)
        if c:
            rows.append(f"{name} {c['human']} {c['ai']} {c['mixed']} {c['unknown']} {sum(c.values())}")
    return rows


def assert_appendix_matches_record(pdf: Path, record: Record, tmp: Path) -> None:
    """Every count the appendix's summary prints (pdftotext) is one the test counted from
    the record itself: each expected sentence and table row is there, and once they are
    taken out, no number is left in the summary."""
    pages = _pages_with(pdf, "AI use and provenance disclosure")
    assert pages, "no appendix in the PDF"
    for p in pages:
        assert _ink(pdf, p, tmp / f"page-{p}") > 0.002
    text = subprocess.run(["pdftotext", "-layout", "-f", str(pages[0]), "-l", str(pages[-1]), str(pdf), "-"],
                          capture_output=True, text=True).stdout
    text = re.sub(r"\n\s*\d+\s*\n*\f", "\n", text)  # page numbers at the foot of each page
    start = text.index("The record lists")
    end = re.compile(r"(?:[A-Z]\.\d+\s+)?AI Attribution statement").search(text, start)
    assert end is not None
    summary = _squeeze(text[start:end.start()])
    for sentence in expected_sentences(record) + expected_rows(record):
        squeezed = _squeeze(sentence)
        assert squeezed in summary, sentence
        summary = summary.replace(squeezed, "", 1)
    assert not re.search(r"\d", summary), f"a number the test did not expect: {summary}"
    whole = _squeeze(text)
    unreviewed = [a for a in record.units if a.origin in ("ai", "mixed")
                  and not any(r.by.strip() and not r.stale for r in a.reviewed_by)]
    if unreviewed:
        assert _squeeze(f"Not reviewed by a named person ({_n(len(unreviewed), 'unit')} with AI involvement)") in whole
    assert _squeeze(aia.statement(record.units).code) in whole


def test_pdf_appendix_pages_show_the_record_numbers(tmp_path: Path, needs_tex: None) -> None:
    record = Record(commit="2" * 40, dirty=False, units=sample_units(), summary=Summary(untagged_commits=3),
                    files={"paper/main.tex": (LineRun(1, 40, "untagged"), LineRun(41, 120, "ai"))})
    render(tmp_path, record, venue="acl")
    _, proc = compile_doc(tmp_path, extra="\\usepackage{xcolor}")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert_appendix_matches_record(tmp_path / "main.pdf", record, tmp_path)
    text = subprocess.run(["pdftotext", "main.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "Proof of Lemma 2 (Monotonicity)" in flat(text)  # numbered as in the paper, via \ref
    assert "??" not in text


def test_example_paper_appendix_is_true_of_its_record(built_example: tuple[Path, Path]) -> None:
    root, _ = built_example
    raw = (root / "build" / "record.json").read_bytes()
    record = record_from_dict(json.loads(raw))
    assert_appendix_matches_record(root / "build" / "paper.pdf", record, root)
    loaded, digest = read_record(root / "build" / "record.json")
    assert digest == hashlib.sha256(raw).hexdigest()
    md = (root / "build" / "disclosure.md").read_text(encoding="utf-8")
    assert f"`{digest}`" in md and f"`{record.commit}`" in md


def test_figures_are_named_by_number_not_by_their_whole_caption(tmp_path: Path) -> None:
    caption = "Relative excess error $\\Delta(f_t)$ along a chain. Values below $10^{-14}$ are not drawn."
    labelled = att("fig:a", "figure", "ai", 1.0, (Agent("claude", "m"),), title=caption, label="fig:a")
    bare = replace(labelled, unit=replace(labelled.unit, id="paper/x.tex#figure:2", label=None))
    tex, md = render(tmp_path, Record(commit="1" * 40, dirty=False, units=(labelled, bare)))
    assert "Figure `fig:a`;" in md or "Figure `fig:a`." in md
    assert "Values below" not in md and "Values below" not in tex
    assert "Relative excess error" in md  # the unlabelled one keeps its first sentence
