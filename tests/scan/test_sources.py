"""The project's source sets: what an experiment reads and which Python becomes code units."""

from __future__ import annotations

from pathlib import Path

from provenance.config import load
from provenance.scan.sources import code_sources, experiment_deps, input_files

FILES = {
    "main.tex": "\\documentclass{article}\\begin{document}\\includegraphics{figures/f}\\end{document}\n",
    "code/plot.py": "from helpers import style\nfrom . import local\nimport numpy\n",
    "code/local.py": "X = 1\n",
    "code/unused.py": "print('never run')\n",
    "code/train.py": "import helpers.models\n",
    "src/helpers/__init__.py": "",
    "src/helpers/style.py": "from .colors import RED\n",
    "src/helpers/colors.py": "RED = 1\n",
    "src/helpers/models.py": "from ..helpers import colors\n",
    "experiments/old.py": "print('thirteen of these, none of them run')\n",
    "conf/run.yaml": "lr: 1\n",
}
CONFIG = """paper: {name: demo, main: main.tex}
experiments:
  - name: plot
    command: ["{python}", plot.py, "--config={root}/conf/run.yaml", --save, "{root}/figures/f.pdf"]
    cwd: code
    outputs: ["{root}/figures/f.pdf"]
  - name: train
    command: ["{python}", -m, train, --out, "{out}"]
    cwd: code
    outputs: [model.json]
"""


def repo(root: Path, config: str = CONFIG) -> Path:
    for rel, text in {**FILES, "provenance.yaml": config}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "figures").mkdir()
    (root / "figures/f.pdf").write_text("an old build\n")  # an output, even when it exists
    return root


def test_an_experiment_reads_what_its_command_names_and_what_that_imports_from_any_folder(tmp_path: Path) -> None:
    cfg = load(repo(tmp_path))
    plot, train = cfg.experiments
    assert experiment_deps(cfg, plot) == ["code/local.py", "code/plot.py", "conf/run.yaml", "src/helpers/__init__.py",
                                          "src/helpers/colors.py", "src/helpers/style.py"]
    assert experiment_deps(cfg, train) == ["code/train.py", "src/helpers/__init__.py", "src/helpers/colors.py",
                                           "src/helpers/models.py"]


def test_code_units_come_from_what_experiments_run_not_from_a_folder_name(tmp_path: Path) -> None:
    cfg = load(repo(tmp_path))
    assert code_sources(cfg) == ["code/local.py", "code/plot.py", "code/train.py", "src/helpers/__init__.py",
                                 "src/helpers/colors.py", "src/helpers/models.py", "src/helpers/style.py"]
    assert "figures/f.pdf" not in input_files(cfg)  # an experiment's output is not an input


def test_code_globs_declare_the_code_units(tmp_path: Path) -> None:
    cfg = load(repo(tmp_path, CONFIG + "code: [code/*.py, 'experiments/*.py']\n"))
    assert code_sources(cfg) == ["code/local.py", "code/plot.py", "code/train.py", "code/unused.py",
                                 "experiments/old.py"]
    assert code_sources(load(repo(tmp_path / "none", CONFIG + "code: []\n"))) == []
