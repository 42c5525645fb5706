from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import load
from provenance.errors import ConfigError


def write(root: Path, text: str, files: tuple[str, ...] = ("main.tex", "exp.py")) -> Path:
    for f in files:
        (root / f).write_text("x\n")
    (root / "sub").mkdir(exist_ok=True)
    (root / "provenance.yaml").write_text(text)
    return root


GOOD = """
paper: {name: demo, main: main.tex}
venue: acl
experiments:
  - {name: e1, script: exp.py, outputs: [a.pdf, b.json], seed: 3}
authors: [{name: Ada, email: ada@example.org}]
attribution: {untagged: unknown, ai_min: 0.8}
annotations:
  - {path: "*.py", origin: ai, model: m1}
  - {label: "lem:a", reviewed-by: Ada, check: [t.py::a, t.py::b]}
checks: {"lem:a": [t.py::c]}
policy: {require_review_of_ai: true, declare_paths: [paper/]}
"""


def test_valid_config_loads_with_defaults(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, GOOD))
    assert cfg.paper.main == "main.tex"
    assert cfg.venue == "acl"
    (exp,) = cfg.experiments
    assert exp.targets == ("build/experiments/e1/a.pdf", "build/experiments/e1/b.json")
    assert exp.seed == 3
    assert cfg.attribution.untagged == "unknown" and cfg.attribution.human_max == 0.1
    assert cfg.annotations[1].fields == (("reviewed-by", "Ada"), ("check", "t.py::a"), ("check", "t.py::b"))
    assert cfg.annotations[0].matches("x.py", None) and not cfg.annotations[0].matches("x.tex", None)
    assert cfg.policy.require_review_of_ai and not cfg.policy.forbid_conflicts
    assert cfg.signing.threshold == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paper: {name: demo, main: main.tex}\nvenu: acl\n", "venu: unknown key"),
        ("paper: {name: demo, main: nope.tex}\n", "paper.main: file nope.tex does not exist"),
        ("paper: {name: demo}\n", "paper.main: missing"),
        ("paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: exp.py, outputs: [a], seed: x}\n",
         "experiments[0].seed: expected int"),
        ("paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: gone.py, outputs: [a]}\n",
         "experiments[0].script: file gone.py does not exist"),
        ("paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: exp.py, outputs: [../a]}\n",
         "experiments[0].outputs"),
        ("paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: exp.py, outputs: [a], inputs: [sub]}\n",
         "experiments[0].inputs: sub is a directory; give file paths (list several files one by one)"),
        ("paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: exp.py, outputs: [a], inputs: ['sub/*.csv']}\n",
         "experiments[0].inputs: 'sub/*.csv': patterns are not expanded; list the files one by one"),
        ("paper: {name: demo, main: main.tex}\npolicy: {require_reviw_of_ai: true}\n", "policy.require_reviw_of_ai: unknown key"),
        ("paper: {name: demo, main: main.tex}\nattribution: {ai_min: 2}\n", "attribution.ai_min: 2.0 is not between 0 and 1"),
        ("paper: {name: demo, main: main.tex}\nannotations:\n  - {origin: ai}\n", "annotations[0]: give exactly one of"),
        ("paper: {name: demo, main: /etc/passwd}\n", "paper.main: '/etc/passwd' must be a path inside the repository"),
        ("paper: [unclosed\n", "provenance.yaml:"),
        ("paper: {name: 'a b', main: main.tex}\n", "paper.name"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_config_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="paperprov init"):
        load(tmp_path)


def test_experiment_args_numbers_become_their_text(tmp_path: Path) -> None:
    """`args: [--epochs, 10]` is how people write it; YAML makes 10 an int, which used
    to be refused as 'expected a list of strings'."""
    text = "paper: {name: demo, main: main.tex}\nexperiments:\n  - {name: e, script: exp.py, outputs: [a], args: [--epochs, 10, --lr, 0.5]}\n"
    (exp,) = load(write(tmp_path, text)).experiments
    assert exp.args == ("--epochs", "10", "--lr", "0.5")
    with pytest.raises(ConfigError, match=r"experiments\[0\]\.args: expected a list of strings"):
        load(write(tmp_path, text.replace("10", "true")))
