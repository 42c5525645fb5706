"""Source-scanning speed (issue 3, "Units"), and why texlex.py is hand-written.

Times, best of N runs in one process (the OS file cache warm, no paperprov caches):
1. the example paper (paper/main.tex) and its experiments/*.py;
2. a synthetic tree of 300 files (150 .tex sections \\input from one main.tex, 150 .py
   modules), about 100k lines, written like real papers (preamble, theorem-like
   statements with proofs and refs, figures, tables, comments, verbatim, math);
3. the same .tex files parsed by pylatexenc's LatexWalker.get_latex_nodes, the
   tokenizer the issue suggested, for comparison.

Usage: python benchmarks/scan_bench.py [--runs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.scan import pycode  # noqa: E402
from provenance.scan.tex import walker as latex

N_TEX = 150
N_PY = 150

SECTION = r"""%% paperprov: origin={origin} model=claude-opus-4-1 role=drafted
\section{{Section {i}: results on $k$-covering paths}}\label{{sec:s{i}}}
We write $\langle u, v\rangle = \frac1n\sum_i u_i v_i$; about 50\% of the text is prose like this,
with citations~\citep{{smith2020,jones2021}}, \emph{{emphasis}} and footnotes.\footnote{{As usual.}}
% a comment that mentions \input{{nothing}} and \begin{{theorem}}
"""
BLOCK = r"""
\begin{{lem}}[Step {i}.{j}]\label{{lem:s{i}b{j}}}
\uses{{lem:s{i}b{p}}}
For every edge $u \to v$ and every $g \in H_v$,
$|\langle y - f_u, g\rangle| \le \|f_v - f_u\|\,\|g\|$ holds, and moreover
\begin{{align}}
\mathrm{{MSE}}(f_u) - \mathrm{{MSE}}(f_v) &= \|f_v - f_u\|^2 \label{{eq:s{i}b{j}}}\\
&\le \sum_{{t=1}}^{{T}} m_t \le \Delta(f_1).
\end{{align}}
\end{{lem}}
\begin{{proof}}
By \cref{{lem:s{i}b{p}}} and \eqref{{eq:s{i}b{j}}}, since $y - f_v \perp H_v$ and
$f_v - f_u \in H_v$; Cauchy--Schwarz then gives the claim. See also \Cref{{fig:s{i}}}.
\begin{{itemize}}
\item the first case, $\alpha + \beta \le \gamma$;
\item the second case, handled as in \autoref{{sec:s{i}}}.
\end{{itemize}}
\end{{proof}}
Some discussion of the lemma follows, in ordinary prose, with inline math $x^2 + y^2$ and
a displayed equation
\[
  \Delta(f_s) \le 4 C^2 \delta^2 = \frac{{4 k C^2 \Delta(f_1)}}{{W}} .
\]
"""
FIGURE = r"""
\begin{{figure}}[t]
  \centering
  \includegraphics[width=.8\linewidth]{{../build/experiments/chain/fig{i}}}
  \caption{{Excess error $\Delta(f_t)/\Delta(f_1)$ against $t$ (section {i}).}}\label{{fig:s{i}}}
\end{{figure}}
\begin{{verbatim}}
\begin{{theorem}} not a theorem \end{{theorem}}
\end{{verbatim}}
"""
PY = '''"""Module {i}: helpers for the synthetic experiments."""
# paperprov: origin={origin}

from __future__ import annotations

import numpy as np

'''
PYDEF = '''

@staticmethod
def helper_{j}(x: np.ndarray, rho: float = 0.5) -> np.ndarray:
    """Project x onto the span of the first block, then shrink it by rho."""
    q, _ = np.linalg.qr(x[:, :4])
    out = q @ (q.T @ x)
    for _ in range(3):
        out = rho * out + (1 - rho) * x
    return out


class Thing{j}:
    value: float = 0.0

    def method(self) -> float:
        return self.value * 2
'''


def synth(root: Path) -> tuple[int, int]:
    """Write the synthetic tree; returns (tex lines, py lines)."""
    rng = random.Random(7)
    paper = root / "paper"
    (paper / "sections").mkdir(parents=True)
    inputs = []
    tex_lines = 0
    for i in range(N_TEX):
        parts = [SECTION.format(i=i, origin=rng.choice(["ai", "human"]))]
        for j in range(12):
            parts.append(BLOCK.format(i=i, j=j, p=max(j - 1, 0)))
        parts.append(FIGURE.format(i=i))
        text = "".join(parts)
        (paper / "sections" / f"s{i:03d}.tex").write_text(text, encoding="utf-8")
        tex_lines += text.count("\n")
        inputs.append(f"\\input{{sections/s{i:03d}}}")
    main = ("\\documentclass{article}\n\\usepackage{amsmath,amsthm,graphicx,cleveref}\n"
            "\\newtheorem{thm}{Theorem}[section]\n\\newtheorem{lem}[thm]{Lemma}\n\\begin{document}\n"
            + "\n".join(inputs) + "\n\\end{document}\n")
    (paper / "main.tex").write_text(main, encoding="utf-8")
    exp = root / "experiments"
    exp.mkdir()
    py_lines = 0
    for i in range(N_PY):
        text = PY.format(i=i, origin=rng.choice(["ai", "human"])) + "".join(PYDEF.format(j=j) for j in range(25))
        (exp / f"m{i:03d}.py").write_text(text, encoding="utf-8")
        py_lines += text.count("\n")
    return tex_lines, py_lines


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def pylatexenc_parse(root: Path, files: list[str]) -> None:
    from pylatexenc.latexwalker import LatexWalker

    for rel in files:
        LatexWalker((root / rel).read_text(encoding="utf-8"), tolerant_parsing=True).get_latex_nodes()


def report(name: str, root: Path, main: str, py: list[str], runs: int, compare: bool) -> None:
    deps = latex.dependencies(root, main)
    size = sum((root / f).stat().st_size for f in deps.tex if (root / f).is_file())
    lines = sum((root / f).read_bytes().count(b"\n") for f in deps.tex if (root / f).is_file())
    t_scan = best(lambda: latex.scan(root, main), runs)
    t_deps = best(lambda: latex.dependencies(root, main), runs)
    t_py = best(lambda: pycode.scan(root, py), runs)
    n_units = len(latex.scan(root, main))
    print(f"{name}: {len(deps.tex)} .tex files, {lines} lines, {size / 1e3:.0f} KB -> {n_units} units")
    print(f"  latex.scan          {t_scan * 1e3:8.1f} ms   ({size / 1e6 / t_scan:.1f} MB/s)")
    print(f"  latex.dependencies  {t_deps * 1e3:8.1f} ms")
    print(f"  pycode.scan         {t_py * 1e3:8.1f} ms   ({len(py)} files)")
    if compare:
        t_ple = best(lambda: pylatexenc_parse(root, list(deps.tex)), 1)
        print(f"  pylatexenc walker   {t_ple * 1e3:8.1f} ms   ({size / 1e6 / t_ple:.2f} MB/s, "
              f"{t_ple / t_scan:.0f}x latex.scan; parsing only, no units)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="write the synthetic tree here and keep it")
    args = ap.parse_args()
    if (ROOT / "paper" / "main.tex").is_file():
        py = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "experiments").glob("*.py"))
        report("example paper", ROOT, "paper/main.tex", py, args.runs, compare=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        tex_lines, py_lines = synth(root)
        print(f"synthetic tree: {N_TEX} .tex + {N_PY} .py files, {tex_lines + py_lines} lines")
        py = sorted(p.relative_to(root).as_posix() for p in (root / "experiments").glob("*.py"))
        report("synthetic", root, "paper/main.tex", py, args.runs, compare=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
