"""The reviewer's web page as bytes: what it lists, hostile strings as inert text, its CSP,
same input same bytes, and the wiring (`paperprov report`, the `report` task, `verify --html`)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from provenance.disclose.html import build_page, render, script_json, tree_texts, unit_files
from provenance.model import Agent, Attribution, CheckResult, Evidence, LineRun, Record, Review, Unit
from tests.helpers import ROOT, Repo, run_cli, run_doit

CLAUDE = Agent("claude-code", "claude-opus-4-1")
HOSTILE = ('</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
           "<a href=\"javascript:window.pwned=3\">x</a>' onmouseover='window.pwned=4 \u2028\u2029 &amp; <!--")


def att(id: str, kind: str, origin: str, *, lines: tuple[int, int], file: str = "paper/main.tex", title: str = "",
        uses: tuple[str, ...] = (), parent: str | None = None, evidence: tuple[Evidence, ...] = (),
        reviews: tuple[Review, ...] = (), checks: tuple[CheckResult, ...] = (), agents: tuple[Agent, ...] = ()) -> Attribution:
    label = id if ":" in id and "#" not in id else None
    unit = Unit(id=id, kind=kind, file=file, lines=lines, title=title, label=label, parent=parent, uses=uses,
                env="lemma" if kind == "statement" else "", display="Lemma" if kind == "statement" else "")
    return Attribution(unit=unit, origin=origin, ai_fraction=1.0 if origin == "ai" else 0.0, agents=agents,
                       evidence=evidence, reviewed_by=reviews, checks=checks)


def sample(title: str = "Monotonicity", detail: str = "Assisted-by: claude-code:claude-opus-4-1") -> Record:
    units = (
        att("sec:intro", "section", "human", lines=(1, 12), title="Introduction"),
        att("lem:a", "statement", "ai", lines=(3, 5), title=title, agents=(CLAUDE,),
            evidence=(Evidence("trailer", detail, commit="a" * 40), Evidence("marker", "origin=ai", "paper/main.tex", 2)),
            checks=(CheckResult("tests/t.py::test_a", "failed"),)),
        att("paper/main.tex#proof:1", "proof", "ai", lines=(6, 7), parent="lem:a", uses=("lem:b",)),
        att("lem:b", "statement", "human", lines=(8, 9), title="Base", reviews=(Review("Ada", "b" * 40),)),
        att("lem:c", "statement", "unknown", lines=(10, 11), uses=("lem:a",)),
    )
    runs = {"paper/main.tex": (LineRun(1, 2, "human"), LineRun(3, 7, "ai", "claude-code:claude-opus-4-1"),
                               LineRun(8, 12, "untagged"))}
    return Record(commit="c" * 40, dirty=False, units=units, files=runs)


TEXT = "\n".join(f"line {i}" for i in range(1, 13)) + "\n"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


def data_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="pp-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_script_json_escapes_what_could_end_the_block_and_round_trips() -> None:
    text = script_json({"t": HOSTILE})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == {"t": HOSTILE}


def test_hostile_title_and_commit_metadata_stay_text_everywhere() -> None:
    page = render(build_page(sample(title=HOSTILE, detail=f"Assisted-by: {HOSTILE}"), {"paper/main.tex": TEXT}, HOSTILE))
    tags = parse(page)
    assert [t for t, _ in tags.tags].count("script") == 2  # the data block and our own script
    assert not any(t in ("img", "iframe", "object", "embed", "base", "form", "link") for t, _ in tags.tags)
    for tag, attrs in tags.tags:
        assert not any(k.startswith("on") or k == "style" for k in attrs), (tag, attrs)
        if "href" in attrs:
            assert (attrs["href"] or "").startswith("#"), attrs
    assert "window.pwned" not in "".join(tags.raw["script"][1:])  # not in our own script
    units = data_of(page)["units"]
    assert units[1]["title"] == HOSTILE and units[1]["evidence"][0]["detail"] == f"Assisted-by: {HOSTILE}"
    assert "&lt;/script&gt;&lt;script&gt;window.pwned=1" in page  # the title, escaped, in the table


def test_csp_allows_exactly_the_inline_style_and_script_by_their_hashes() -> None:
    page = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    tags = parse(page)
    metas = [a for t, a in tags.tags if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    assert page.index("Content-Security-Policy") < page.index("<style>")
    policy = dict(p.strip().split(" ", 1) for p in (metas[0]["content"] or "").split(";"))
    assert policy["default-src"] == "'none'" and policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["style-src"] == sha(tags.raw["style"][0])
    assert policy["script-src"] == sha(tags.raw["script"][1])
    assert "unsafe-inline" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_graph_has_one_node_per_statement_and_an_edge_per_use() -> None:
    page = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    nodes = [a for t, a in parse(page).tags if t == "g" and "node" in (a.get("class") or "").split()]
    assert sorted(a["data-u"] for a in nodes) == ["1", "3", "4"]  # lem:a, lem:b, lem:c
    edges = {(a["data-s"], a["data-t"]) for t, a in parse(page).tags if t == "path" and a.get("class") == "edge"}
    assert edges == {("3", "1"), ("1", "4")}  # lem:a's proof uses lem:b; lem:c uses lem:a
    units = data_of(page)["units"]
    assert units[4]["rests_on"] == [1, 3] and units[3]["rested_by"] == [1, 4]
    assert units[1]["unreviewed"] == [1] and units[1]["bad_checks"][0]["outcome"] == "failed"


def test_nodes_carry_origin_review_and_check_marks() -> None:
    page = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    node = {a["data-u"]: a for t, a in parse(page).tags if t == "g" and a.get("data-u")}
    assert "o-ai" in node["1"]["class"] and node["1"]["data-ur"] == "1" and node["1"]["data-f"] == "1"
    assert "o-human" in node["3"]["class"] and node["3"]["data-ur"] == "0"
    classes = [a.get("class") for t, a in parse(page).tags if t in ("circle", "rect")]
    assert "rv rv-current" in classes and "rv rv-none" in classes and "ck ck-failed" in classes


def test_lines_are_shaded_from_the_line_runs_and_units_are_marked() -> None:
    page = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    lines = [a for t, a in parse(page).tags if t == "span" and (a.get("class") or "").startswith("l")]
    assert len(lines) == 12
    assert [("s-ai" in (a.get("class") or "")) for a in lines] == [False, False] + [True] * 5 + [False] * 5
    assert lines[2]["title"] == "claude-code:claude-opus-4-1"
    bars = [a["data-u"] for t, a in parse(page).tags if t == "span" and (a.get("class") or "").startswith("ub")]
    assert bars == ["0", "1", "2", "3", "4"]
    assert "Proof of Lemma lem:a" in page


def test_without_line_runs_lines_take_their_innermost_units_origin() -> None:
    record = sample()
    record = Record(record.commit, record.dirty, record.units)
    page = render(build_page(record, {"paper/main.tex": TEXT}, "tiny"))
    shades = [a.get("class") for t, a in parse(page).tags if t == "span" and (a.get("class") or "").startswith("l")]
    assert shades[0] == "l s-human" and shades[3] == "l s-ai" and shades[9] == "l s-unknown"
    assert "lines shaded by the origin of their unit" in page


def test_a_missing_source_is_named_not_fatal(tmp_path: Path) -> None:
    texts = tree_texts(tmp_path, unit_files(sample()) + ["../outside.tex"])
    assert texts == {"../outside.tex": None}
    page = render(build_page(sample(), texts, "tiny"))
    assert "not found among this build&#39;s sources" in page


def test_same_record_same_bytes() -> None:
    one = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    two = render(build_page(sample(), {"paper/main.tex": TEXT}, "tiny"))
    assert one == two


# -- wiring: real repositories, real doit and paperprov processes ------------------------

def test_doit_build_writes_the_page_and_report_reruns_on_a_source_edit_only(built: Repo) -> None:
    page = (built.path / "build/report/index.html").read_text(encoding="utf-8")
    assert "<title>Provenance report: " in page and str(built.path) not in page
    again = run_doit(built.path, "report")
    assert again.returncode == 0 and ".  report" not in again.stdout and "-- report" in again.stdout
    section = sorted((built.path / "paper/sections").glob("*.tex"))[0]
    section.write_text(section.read_text() + "\nOne more sentence.\n")
    third = run_doit(built.path, "report")
    assert ".  record" in third.stdout and ".  report" in third.stdout, third.stdout + third.stderr
    assert "One more sentence." in (built.path / "build/report/index.html").read_text(encoding="utf-8")
    assert "task_report" in (built.path / "dodo.py").read_text()
    assert "report" in run_doit(built.path, "list").stdout


def test_paperprov_report_writes_where_told_and_names_a_missing_record(example: Repo, tmp_path: Path) -> None:
    missing = run_cli(example.path, "report")
    assert missing.returncode == 1 and "build/record.json" in missing.stderr and "doit record" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert run_doit(example.path, "record").returncode == 0
    done = run_cli(example.path, "report", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out/index.html").read_bytes().startswith(b"<!DOCTYPE html>")
    (tmp_path / "a-file").write_text("x")
    blocked = run_cli(example.path, "report", "--out", str(tmp_path / "a-file/sub"))
    assert blocked.returncode == 1 and "cannot write the page" in blocked.stderr and "Traceback" not in blocked.stderr


TEX = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{lemma}{Lemma}
\begin{document}
\section{Intro}\label{sec:intro}
% paperprov: origin=ai tool=claude-code model=claude-opus-4-1 role=drafted
\begin{lemma}[First]\label{lem:a}
One.
\end{lemma}
\begin{lemma}[Second]\label{lem:b}
Two.
\end{lemma}
\begin{proof}
By Lemma~\ref{lem:a}.
\end{proof}
\appendix
\input{../build/disclosure}
\end{document}
"""


def _without_results(page: str) -> str:
    page = re.sub(r'<section id="verification".*?</section>\n', "", page, flags=re.S)
    return page.replace(' <a href="#verification">Verification</a>', "")


def test_verify_html_rebuilds_the_attested_page_byte_identically_and_marks_a_tampered_bundle(
        repo: Repo, needs_tex: None, tmp_path: Path) -> None:
    repo.commit("Tiny paper", {
        "provenance.yaml": "paper: {name: tiny, main: paper/main.tex}\n",
        "paper/main.tex": TEX, "dodo.py": (ROOT / "dodo.py").read_text(),
        ".gitignore": "build/\ndist/\n.doit.db*\n__pycache__/\n",
    }, date="2026-01-02T03:04:05Z")
    built = run_doit(repo.path, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    repo.commit("Add signing key", date="2026-01-02T05:00:00Z")
    done = run_doit(repo.path, "submission")
    assert done.returncode == 0, done.stdout + done.stderr
    zip_path = repo.path / "dist/tiny-submission.zip"
    with zipfile.ZipFile(zip_path) as zf:
        bundled = zf.read("build/report/index.html").decode("utf-8")
    proc = run_cli(tmp_path, "verify", str(zip_path), "--rebuild", "--trusted-keys", str(repo.path / "keys"),
                   "--html", str(tmp_path / "html"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok   subject build/report/index.html: sha256 matches" in proc.stdout
    assert "ok   rebuild: build/report/index.html is byte-identical" in proc.stdout
    page = (tmp_path / "html/index.html").read_text(encoding="utf-8")
    assert 'id="verification" class="ok"' in page and "verified: all" in page
    assert _without_results(page) == bundled
    assert "Lemma lem:a" in bundled and "Proof of Lemma lem:b" in bundled

    # A tampered bundle: the page says so, and an unreadable record is a warning on it.
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(zip_path) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, b"{not json" if info.filename == "build/record.json" else zin.read(info))
    proc = run_cli(tmp_path, "verify", str(bad), "--json", "--html", str(tmp_path / "bad"))
    assert proc.returncode == 1 and json.loads(proc.stdout)["ok"] is False  # stdout stays JSON
    page = (tmp_path / "bad/index.html").read_text(encoding="utf-8")
    assert 'id="verification" class="fail"' in page and "NOT verified" in page
    assert "FAIL</span> subject build/record.json: sha256 differs" in page
    assert "build/record.json: not a valid paperprov record" in page
