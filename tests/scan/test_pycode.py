"""Python scanning: modules, top-level functions and classes, markers, local imports."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from provenance.errors import SourceError
from provenance.scan import pycode

CHAIN = '''\
#!/usr/bin/env python3
# paperprov: origin=ai tool=claude-code model=claude-opus-4-1
"""Chain experiment: excess error along a chain of agents."""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE = """
# paperprov: origin=human  <- inside a string: not a marker
"""


# paperprov: origin=human reviewed-by=alice
@dataclass(frozen=True)
class Config:
    rho: float

    def method(self) -> float:
        return self.rho


def run_chain(cfg: Config) -> float:  # paperprov: origin=mixed
    return cfg.rho


async def fetch() -> int:
    # paperprov: origin=ai role=generated
    """Docstring."""
    return 2


def main() -> None:
    print(run_chain(Config(0.5)))
'''


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def test_module_functions_and_classes_with_exact_lines(tmp_path: Path) -> None:
    write(tmp_path, {"experiments/chain.py": CHAIN})
    units = pycode.scan(tmp_path, ["experiments/chain.py"])
    assert [(u.id, u.kind, u.title, u.lines, u.parent) for u in units] == [
        ("experiments/chain.py", "module", "Chain experiment: excess error along a chain of agents.", (1, 34), None),
        ("experiments/chain.py::Config", "class", "Config", (15, 20), "experiments/chain.py"),  # decorator included
        ("experiments/chain.py::run_chain", "function", "run_chain", (23, 24), "experiments/chain.py"),
        ("experiments/chain.py::fetch", "function", "fetch", (27, 30), "experiments/chain.py"),
        ("experiments/chain.py::main", "function", "main", (33, 34), "experiments/chain.py"),
    ]
    assert all(u.file == "experiments/chain.py" for u in units)


def test_markers_above_trailing_and_in_first_lines_never_in_strings(tmp_path: Path) -> None:
    write(tmp_path, {"experiments/chain.py": CHAIN})
    units = {u.id.partition("::")[2] or "module": u for u in pycode.scan(tmp_path, ["experiments/chain.py"])}
    assert [(m.line, m.fields) for m in units["module"].markers] == [
        (2, (("origin", "ai"), ("tool", "claude-code"), ("model", "claude-opus-4-1")))]
    assert [(m.line, m.get("origin")) for m in units["Config"].markers] == [(14, "human")]
    assert [(m.line, m.get("origin")) for m in units["run_chain"].markers] == [(23, "mixed")]
    assert [(m.line, m.get("role")) for m in units["fetch"].markers] == [(28, "generated")]
    assert units["main"].markers == ()


def test_marker_at_top_of_module_is_the_modules_unless_it_touches_the_first_def(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.py": "# paperprov: origin=ai\n\ndef f():\n    pass\n",
        "b.py": "# paperprov: origin=ai\ndef f():\n    pass\n",
    })
    a, b = pycode.scan(tmp_path, ["a.py"]), pycode.scan(tmp_path, ["b.py"])
    assert [len(u.markers) for u in a] == [1, 0]
    assert [len(u.markers) for u in b] == [0, 1]


def test_a_marker_that_annotates_nothing_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"e.py": "import os\n\n# paperprov: origin=ai\nX = 1\n"})
    with pytest.raises(SourceError, match=r"^e\.py:3: paperprov marker annotates no unit"):
        pycode.scan(tmp_path, ["e.py"])


def test_malformed_marker_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"e.py": "def f():\n    # paperprov: origin=robot\n    pass\n"})
    with pytest.raises(SourceError, match=r"^e\.py:2: paperprov origin='robot'"):
        pycode.scan(tmp_path, ["e.py"])


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"experiments/bad.py": "x = 1\n\ndef f(:\n    pass\n"})
    with pytest.raises(SourceError, match=r"^experiments/bad\.py:3: Python syntax error"):
        pycode.scan(tmp_path, ["experiments/bad.py"])


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^nope\.py: cannot read"):
        pycode.scan(tmp_path, ["nope.py"])


def test_redefinitions_get_unique_ids_and_empty_files_a_module(tmp_path: Path) -> None:
    write(tmp_path, {"r.py": "def f():\n    pass\n\n\ndef f():\n    return 1\n", "empty.py": ""})
    units = pycode.scan(tmp_path, ["r.py", "empty.py"])
    assert [(u.id, u.lines) for u in units] == [("r.py", (1, 6)), ("r.py::f", (1, 2)), ("r.py::f~2", (5, 6)),
                                                ("empty.py", (1, 1))]


def test_latin1_source_with_coding_cookie(tmp_path: Path) -> None:
    write(tmp_path, {"l.py": "# -*- coding: latin-1 -*-\ndef caf\u00e9():\n    return '\u00e9'\n".encode("latin-1")})
    assert [u.id for u in pycode.scan(tmp_path, ["l.py"])] == ["l.py", "l.py::caf\u00e9"]


def test_scan_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path, {"experiments/chain.py": CHAIN})
    assert pycode.scan(tmp_path, ["experiments/chain.py"]) == pycode.scan(tmp_path, ["experiments/chain.py"])


def test_local_imports_are_followed_transitively(tmp_path: Path) -> None:
    write(tmp_path, {
        "experiments/run.py": "import numpy\nimport common\nfrom helpers.plots import plot\n",
        "experiments/common.py": "from . import nothing\nimport model\n",
        "experiments/model.py": "",
        "experiments/helpers/plots.py": "def plot():\n    pass\n",
    })
    assert pycode.local_imports(tmp_path, "experiments/run.py") == [
        "experiments/common.py", "experiments/helpers/plots.py", "experiments/model.py", "experiments/run.py"]


def test_scanning_prints_no_syntax_warnings(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"w.py": 'import re\nPAT = re.compile("\\d+")\n'})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a SyntaxWarning escaping the scan would fail here
        assert [u.id for u in pycode.scan(tmp_path, ["w.py"])] == ["w.py"]
    assert capfd.readouterr().err == ""
