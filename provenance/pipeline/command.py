"""The command an experiment runs, built once for every executor (local, Slurm): its
words with the placeholders filled in, and the folder it runs in. How the process is
started, where its output goes and how long it may take are the executor's business.

`{out}` and `{root}` become paths relative to the command's folder, so that a script
that writes its command line into its results gives the same bytes in any checkout;
a word that starts with one of them is normalised (`{root}/code/x.py` from the root is
`code/x.py`). `{python}` is the interpreter running the build; `{task}` the number of a
sweep's task (executor.array), 0 for a single run.
"""

from __future__ import annotations

import os
import posixpath
import sys
from dataclasses import dataclass
from pathlib import Path

from provenance.config import Experiment
from provenance.config.experiments import PLACEHOLDER_RE


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path  # absolute


def _rel(path: str, cwd: str) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


def experiment_command(root: Path, exp: Experiment, outdir: str | None = None,
                       python: str | None = None, task: int = 0) -> Command:
    """`exp`'s command. `outdir` (repo-relative) is {out}, by default exp.outdir; a sweep's
    task `task` passes its own, and {task} is its number."""
    cwd = exp.cwd
    values = {
        "out": _rel(outdir or exp.outdir, cwd),
        "seed": str(exp.seed),
        "python": python or sys.executable,
        "root": _rel(".", cwd),
        "task": str(task),
    }

    def fill(word: str) -> str:
        text = PLACEHOLDER_RE.sub(lambda m: {"{{": "{", "}}": "}"}.get(m.group(0)) or values[m.group(1)], word)
        if word.startswith(("{out}", "{root}")):
            text = posixpath.normpath(text)
        return text

    return Command(argv=tuple(fill(w) for w in exp.words), cwd=root / cwd)
