"""Adopting paperprov in a paper repository as it is: sections in \\input files, experiments
in code/ with their own command-line flags writing figures to figures/, a src/ helper
package, a latexmkrc, biblatex with biber, raw data kept out of the source archive, and a
commit between two builds; from a bare repository to a verified rebuild."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from provenance.attest import statements as manifest
from tests.helpers import Repo, git, run_cli, run_doit

MAIN = r"""\documentclass{article}
\usepackage{graphicx}
\usepackage[backend=biber]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\input{sections/intro}
\input{sections/results}
\printbibliography
\appendix
\InputIfFileExists{../build/disclosure.tex}{}{}
\end{document}
"""
FILES = {
    "paper/main.tex": MAIN,
    "paper/sections/intro.tex": "\\section{Introduction}\nLeast squares, as in \\cite{gauss}.\n",
    "paper/sections/results.tex": ("\\section{Results}\n\\begin{figure}\\centering\n"
                                   "\\includegraphics[width=.5\\linewidth]{../figures/curve.pdf}\n"
                                   "\\caption{The curve.}\\end{figure}\n\\input{../figures/table.tex}\n"),
    "paper/refs.bib": "@book{gauss, author={Carl Friedrich Gauss}, title={Theoria Motus}, year={1809}}\n",
    # The paper's own latexmkrc: biber, and an output folder that paperprov overrides.
    "paper/latexmkrc": "$bibtex_use = 2;\n$out_dir = 'out';\n",
    "src/paperlib/__init__.py": "",
    "src/paperlib/fit.py": "def slope(xs, ys):\n    n = len(xs)\n    mx, my = sum(xs) / n, sum(ys) / n\n"
                           "    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)\n",
    "code/curve.py": '''"""The figure: a fitted line, saved where the paper includes it."""
import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from paperlib.fit import slope  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--n-points", type=int, required=True)
p.add_argument("--random-state", type=int, required=True)
p.add_argument("--figure", required=True)
p.add_argument("--table", required=True)
a = p.parse_args()
rng = random.Random(a.random_state)
xs = [i / a.n_points for i in range(a.n_points)]
ys = [2 * x + rng.gauss(0, 0.1) for x in xs]
b = slope(xs, ys)
print(f"fitted slope {b:.4f} on {a.n_points} points")
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot(xs, ys, ".")
fig.savefig(a.figure)
Path(a.table).write_text(f"Slope: ${b:.3f}$.\\n")
''',
    "data/raw/measurements.csv": "".join(f"{i},{i * i}\n" for i in range(2000)),
    "README.md": "A paper.\n",
}
CONFIG_TAIL = """
experiments:
  - name: curve
    cwd: code
    command: ["{python}", curve.py, --n-points, 50, --random-state, "{seed}",
              --figure, "{root}/figures/curve.pdf", --table, "{root}/figures/table.tex"]
    seed: 4
    outputs: ["{root}/figures/curve.pdf", "{root}/figures/table.tex"]
submission:
  exclude: [data/raw/]
"""


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout + proc.stderr


def test_a_paper_repository_as_it_is_builds_submits_and_verifies(needs_tex: None, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "origin.git")
    git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), "paper")
    repo = Repo(tmp_path / "paper", init=False)
    repo.git("config", "commit.gpgsign", "false")
    for rel, text in FILES.items():
        repo.write(rel, text)
    repo.write(".gitignore", "figures/\n")
    repo.commit("The paper as it was", date="2026-01-05T10:00:00Z")

    ok(run_cli(repo.path, "init"))
    config = (repo.path / "provenance.yaml").read_text().replace("experiments: []\n", "")
    repo.write("provenance.yaml", config + CONFIG_TAIL)
    repo.commit("Adopt paperprov", date="2026-01-06T10:00:00Z")

    out = ok(run_doit(repo.path, "build"))
    assert ".  experiments:curve" in out and ".  paper" in out
    assert "fitted slope" in (repo.path / "build/logs/curve.log").read_text()
    text = subprocess.run(["pdftotext", "build/paper.pdf", "-"], cwd=repo.path, capture_output=True, text=True).stdout
    assert "Least squares, as in [1]." in text and "Theoria Motus" in text and "Slope:" in text
    assert not (repo.path / "paper/out").exists()
    record = json.loads((repo.path / "build/record.json").read_text())
    code_units = sorted({u["file"] for u in record["units"] if u["kind"] == "module"})
    assert code_units == ["code/curve.py", "src/paperlib/__init__.py", "src/paperlib/fit.py"]

    # A commit between two builds: a section changes, the experiment does not re-run.
    intro = repo.path / "paper/sections/intro.tex"
    repo.write("paper/sections/intro.tex", intro.read_text() + "More.\n")
    repo.git("add", "paper/sections/intro.tex")
    repo.git("commit", "-q", "-m", "Intro: one more sentence",
             env={"GIT_AUTHOR_DATE": "2026-01-07T10:00:00Z", "GIT_COMMITTER_DATE": "2026-01-07T10:00:00Z"})
    second = ok(run_doit(repo.path, "build"))
    assert ".  paper" in second and ".  experiments:curve" not in second

    refused = run_doit(repo.path, "submission")
    assert refused.returncode != 0 and "git add keys/" in refused.stdout + refused.stderr
    repo.commit("Add signing key", date="2026-01-08T10:00:00Z")
    ok(run_doit(repo.path, "submission"))
    repo.git("push", "-q", "origin", "HEAD")

    bundle = repo.path / "dist" / f"{repo.path.name}-submission.zip"
    verified = ok(run_cli(tmp_path, "verify", str(bundle), "--rebuild", "--trusted-keys", str(repo.path / "keys")))
    assert "FAIL" not in verified
    for subject in ("figures/curve.pdf", "figures/table.tex", "build/paper.pdf"):
        assert f"rebuild: {subject} is byte-identical" in verified
    assert "leaves out 1 attested path(s): data/" in verified  # data/ held nothing else
    att = manifest.read_attestation(repo.path / "build/attestation.intoto.jsonl")
    slsa = next(st for _, st in att if st.predicate_type == manifest.SLSA_PREDICATE)
    assert "data/raw/measurements.csv" not in slsa.inputs()
    assert slsa.inputs().keys() >= {"code/curve.py", "src/paperlib/fit.py", "paper/latexmkrc", "paper/refs.bib",
                                    "paper/sections/intro.tex"}
