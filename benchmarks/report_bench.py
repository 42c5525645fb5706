"""Reviewer's-page benchmark for issue 16: a 500-statement paper's page, written and opened.

A synthetic record (--statements statements, each with a proof, in files of 20, each
using one to three earlier statements through \\uses; markers, trailers, blame, checks,
reviews; per-line origin runs) and its sources are written to a temporary paper
directory. Then:

  write   : `python -m provenance report` as a process, against
            `python -m provenance --version` (start-up and imports) as the baseline;
  open    : the page opened from file:// in Debian's headless chromium (Playwright), a
            fresh context each run: the time from navigation start to the mark the
            page's script sets once it has wired the page and forced a layout
            (window.paperprovReady = performance.now()), against the same page with its
            script removed (time to the load event) as the baseline.

Target (issue 16): open < 2 s for 500 statements. Usage:
    python benchmarks/report_bench.py [--runs N] [--statements 500]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.model import Agent, Attribution, CheckResult, Evidence, LineRun, Record, Review, Unit
from provenance.recordjson import record_to_json

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PER_FILE = 20
LINES_PER_STATEMENT = 12  # marker, lemma (4 lines), marker, proof (5 lines), blank
AGENT = Agent("claude-code", "claude-opus-4-1")


def synthetic(n: int, seed: int = 16) -> tuple[Record, dict[str, str]]:
    rnd = random.Random(seed)
    units: list[Attribution] = []
    texts: dict[str, str] = {}
    runs: dict[str, tuple[LineRun, ...]] = {}
    for f in range((n + PER_FILE - 1) // PER_FILE):
        path = f"paper/sections/s{f:03d}.tex"
        lines = [f"\\section{{Part {f}}}\\label{{sec:{f}}}"]
        units.append(Attribution(Unit(f"sec:{f}", "section", path, (1, 1 + PER_FILE * LINES_PER_STATEMENT),
                                      title=f"Part {f}", label=f"sec:{f}", display="Section"), "mixed", 0.5))
        for k in range(PER_FILE):
            i = f * PER_FILE + k
            if i >= n:
                break
            uses = sorted({f"lem:{rnd.randrange(i)}" for _ in range(rnd.randint(1, 3))}) if i else []
            ai = rnd.random() < 0.6
            start = len(lines) + 2
            lines += [f"% paperprov: origin={'ai' if ai else 'human'}",
                      f"\\begin{{lemma}}[Statement {i}]\\label{{lem:{i}}}", f"  Claim number {i} holds.",
                      "  It is stated here.", "\\end{lemma}", "% paperprov: origin=ai role=proved",
                      "\\begin{proof}", f"  \\uses{{{','.join(uses)}}}" if uses else "  Direct.",
                      "  Follows from the above.", "  Done.", "\\end{proof}", ""]
            ev = (Evidence("marker", f"origin={'ai' if ai else 'human'}", path, start - 1),
                  Evidence("trailer", f"Assisted-by: {AGENT}", commit=f"{i:040x}"),
                  Evidence("blame", f"lines {start}-{start + 3}: 4 ai; measured ai", path, start))
            checks = (CheckResult(f"tests/claims/test_s.py::test_{i}", "failed" if i % 17 == 0 else "passed"),) \
                if i % 5 == 0 else ()
            reviews = (Review("Ada Author", f"{i:040x}", stale=i % 7 == 0),) if i % 3 == 0 else ()
            units.append(Attribution(
                Unit(f"lem:{i}", "statement", path, (start, start + 3), title=f"Statement {i}", label=f"lem:{i}",
                     env="lemma", display="Lemma", parent=f"sec:{f}"),
                "ai" if ai else "human", 1.0 if ai else 0.0, (AGENT,) if ai else (), evidence=ev,
                reviewed_by=reviews, checks=checks))
            units.append(Attribution(
                Unit(f"{path}#proof:{k + 1}", "proof", path, (start + 5, start + 9), parent=f"lem:{i}",
                     uses=tuple(uses)), "ai", 1.0, (AGENT,), evidence=ev[1:]))
        texts[path] = "\n".join(lines) + "\n"
        half = len(lines) // 2
        runs[path] = (LineRun(1, half, "ai", str(AGENT)), LineRun(half + 1, len(lines), "human"))
    return Record(commit="0" * 40, dirty=False, units=tuple(units), files=runs), texts


def write_paper(base: Path, n: int) -> Path:
    record, texts = synthetic(n)
    (base / "paper").mkdir(parents=True)
    (base / "provenance.yaml").write_text("paper: {name: bench, main: paper/main.tex}\n")
    (base / "paper/main.tex").write_text("\\documentclass{article}\n\\begin{document}\n\\end{document}\n")
    for path, text in texts.items():
        (base / path).parent.mkdir(parents=True, exist_ok=True)
        (base / path).write_text(text)
    (base / "build").mkdir()
    (base / "build/record.json").write_bytes(record_to_json(record))
    return base / "build/report/index.html"


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t


def open_times(page: Path, bare: Path, runs: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    ready, baseline = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            for path, out in ((page, ready), (bare, baseline)):
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                tab = ctx.new_page()
                tab.goto(path.as_uri(), wait_until="load")
                if out is ready:
                    tab.wait_for_function("window.paperprovReady !== undefined", timeout=30_000)
                    out.append(tab.evaluate("window.paperprovReady") / 1000)
                else:
                    tab.evaluate("document.body.getBoundingClientRect()")
                    out.append(tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                ctx.close()
        browser.close()
    return ready, baseline


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--statements", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="paperprov-report-bench-") as tmp:
        base = Path(tmp)
        page = write_paper(base, args.statements)
        py = [sys.executable, "-m", "provenance"]
        write = [timed(py + ["report"], base) for _ in range(args.runs)]
        start = [timed(py + ["--version"], base) for _ in range(args.runs)]
        html = page.read_text(encoding="utf-8")
        bare = page.with_name("bare.html")
        bare.write_text(re.sub(r"<script>.*?</script>", "", html, flags=re.S), encoding="utf-8")
        ready, baseline = open_times(page, bare, args.runs)
        nodes = html.count('<g class="node ')
        print(f"{args.statements} statements ({nodes} graph nodes), page {len(html.encode()) / 1e6:.2f} MB")
        for name, xs, base_name, bs in (("write (paperprov report)", write, "start-up (--version)", start),
                                        ("open to layout done", ready, "same page, no script, to load", baseline)):
            print(f"{name}: median {statistics.median(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f}); "
                  f"{base_name}: median {statistics.median(bs):.3f} s")
        print(f"target: open < 2 s -> {'met' if statistics.median(ready) < 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
