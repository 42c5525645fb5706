"""provenance.yaml: experiments as commands, outputs in the repository, `code:`, `latex:`
and `submission:` (config/experiments.py), and the command both executors run
(pipeline/command.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import load
from provenance.errors import ConfigError
from provenance.pipeline.command import experiment_command


def write(root: Path, body: str) -> Path:
    for f in ("main.tex", "code/plot.py", "src/helpers/__init__.py", "data/x.csv"):
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("x\n")
    (root / "provenance.yaml").write_text("paper: {name: demo, main: main.tex}\n" + body)
    return root


COMMAND = """experiments:
  - name: plot
    command: ["{python}", plot.py, --data, "{root}/data/x.csv", --save, "{root}/figures/f.pdf",
              "--log={out}/log.txt", --epochs, 10, "{{literal}}"]
    cwd: code
    seed: 7
    outputs: ["{root}/figures/f.pdf", log.txt]
"""


def test_a_command_runs_in_its_folder_with_placeholders_as_relative_paths(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, COMMAND))
    (exp,) = cfg.experiments
    assert exp.targets == ("figures/f.pdf", "build/experiments/plot/log.txt")
    cmd = experiment_command(cfg.root, exp, python="/usr/bin/python3")
    assert cmd.cwd == tmp_path / "code"
    assert cmd.argv == ("/usr/bin/python3", "plot.py", "--data", "../data/x.csv", "--save", "../figures/f.pdf",
                        "--log=../build/experiments/plot/log.txt", "--epochs", "10", "{literal}")


def test_the_script_short_form_is_the_command_it_always_was(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, "experiments:\n  - {name: e, script: code/plot.py, seed: 3, args: [--n, 5, '{x}'],"
                               " outputs: [a.pdf]}\n"))
    cmd = experiment_command(cfg.root, cfg.experiments[0], python="py")
    assert cmd.argv == ("py", "code/plot.py", "--out", "build/experiments/e", "--seed", "3", "--n", "5", "{x}")
    assert cmd.cwd == tmp_path


@pytest.mark.parametrize("entry, message", [
    ("{name: e, command: 'python x.py', outputs: [a]}", "experiments[0].command: give a list of words"),
    ("{name: e, command: [python, '{outdir}'], outputs: [a]}", "'{outdir}' is not a placeholder"),
    ("{name: e, command: [python, '{'], outputs: [a]}", "write a literal brace as {{ or }}"),
    ("{name: e, command: [python], args: [x], outputs: [a]}", "experiments[0].args: only with the short form"),
    ("{name: e, command: [python], outputs: ['{root}/../x.pdf']}",
     "experiments[0].outputs[0]: '../x.pdf' must be a path inside the repository"),
    ("{name: e, command: [python], outputs: ['{root}/.git/hooks/x']}", "outputs[0]: '{root}/.git/hooks/x' is inside .git/"),
    ("{name: e, command: [python], outputs: ['{root}/']}", "outputs[0]: '{root}/' names no file"),
    ("{name: e, command: [python], outputs: [a, '{root}/provenance.yaml']}", "outputs[1]: '{root}/provenance.yaml' would overwrite"),
    ("{name: e, command: [python, /etc/passwd], outputs: [a]}", "command[1]: '/etc/passwd' points outside the repository"),
    ("{name: e, command: [python, '--log={root}/../x'], outputs: [a]}", "command[1]: '--log={root}/../x' points outside"),
    ("{name: e, command: [python], cwd: nowhere, outputs: [a]}", "experiments[0].cwd: 'nowhere' must be a folder"),
    ("{name: e, outputs: [a]}", "give `command:` (a list of words) or `script:`"),
])
def test_bad_experiments_are_one_line_naming_the_key(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, f"experiments:\n  - {entry}\n"))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_two_experiments_cannot_write_one_file(tmp_path: Path) -> None:
    body = ("experiments:\n  - {name: a, command: [x], outputs: ['{root}/figures/f.pdf']}\n"
            "  - {name: b, command: [y], outputs: ['{root}/figures/f.pdf']}\n")
    with pytest.raises(ConfigError, match=r"experiments: figures/f.pdf is an output of both experiment a and experiment b"):
        load(write(tmp_path, body))


def test_latex_submission_and_code_settings(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, "latex: {engine: xelatex, shell_escape: true, extra_args: [-latexoption=-synctex=1]}\n"
                               "submission: {exclude: [data/, '*.csv']}\ncode: [code/*.py, 'src/**/*.py']\n"))
    assert (cfg.latex.engine, cfg.latex.shell_escape, cfg.latex.extra_args) == ("xelatex", True,
                                                                                 ("-latexoption=-synctex=1",))
    assert cfg.submission.exclude == ("data/", "*.csv") and cfg.code == ("code/*.py", "src/**/*.py")
    default = load(write(tmp_path, ""))
    assert default.latex.engine is None and default.latex.shell_escape is False and default.code is None


@pytest.mark.parametrize("body, message", [
    ("latex: {engine: tectonic}\n", "latex.engine: unknown engine 'tectonic'; use one of pdflatex, xelatex, lualatex"),
    ("latex: {extra_args: [main.tex]}\n", "latex.extra_args: 'main.tex': give latexmk options"),
    ("latex: {shell_escape: yes please}\n", "latex.shell_escape: expected bool"),
    ("submission: {exclude: [/data]}\n", "submission.exclude: '/data': give globs relative to the repository root"),
    ("submission: {exclude: ['*']}\n", "would exclude provenance.yaml"),
    ("code: [../elsewhere/*.py]\n", "code: '../elsewhere/*.py': give globs relative to the repository root"),
])
def test_bad_settings_are_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, body))
    assert message in str(err.value)
