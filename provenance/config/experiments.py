"""The `experiments:`, `code:` and `latex:` sections of provenance.yaml (`submission:` is
config/submission.py's).

An experiment is a command: `command:` is a list of words run without a shell, in `cwd:`
(repository-relative, default the root), with placeholders `{out}` (its output directory),
`{seed}`, `{python}` (the interpreter running doit), `{root}` (the repository root) and
`{task}` (a sweep task's number, `executor.array`; 0 for a single run);
`{{` and `}}` are literal braces. `script: SCRIPT` is the short form of
`command: ["{python}", SCRIPT, --out, "{out}", --seed, "{seed}", ARGS...]` from the root.

A declared output is relative to the output directory (`table.tex`, `{out}/table.tex`)
or, written `{root}/figures/x.pdf`, a path in the repository; never outside it, never in
.git/, never a file another experiment declares.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath
from typing import Any

from provenance.config.executor import parse_executor
from provenance.config.reader import MAX_LIST, MAX_PATH, Reader, show
from provenance.config.schema import (
    CONFIG_NAME,
    ENGINES,
    OUT_PREFIX,
    ROOT_PREFIX,
    ExecutorSpec,
    Experiment,
    Latex,
)

PLACEHOLDERS = ("out", "seed", "python", "root", "task")
# `{{`/`}}` first, so that `{{out}}` is the literal text `{out}`.
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
EXPERIMENT_KEYS = ("name", "script", "command", "cwd", "inputs", "outputs", "seed", "args", "executor")


def check_words(r: Reader, words: tuple[str, ...], key: str) -> None:
    for w in words:
        for m in PLACEHOLDER_RE.finditer(w):
            tok = m.group(0)
            if tok in ("{{", "}}"):
                continue
            if m.group(1) is None or m.group(1) not in PLACEHOLDERS:
                raise r.fail(key, f"{w!r}: {tok!r} is not a placeholder; use {{out}}, {{seed}}, {{python}} or "
                                  "{root}, and write a literal brace as {{ or }}")


# Options paperprov passes to every short-form experiment, and argparse's abbreviations of
# them: an experiment's own args must not redirect its outputs or change its seed.
RESERVED_ARGS = ("--o", "--ou", "--out", "--s", "--se", "--see", "--seed")
SWEEP_ARGS = ("--t", "--ta", "--tas", "--task")  # passed to each task of a sweep (executor.array)


def _outside(word: str) -> bool:
    """A word that names a path outside the repository (a reviewer's rebuild has only it)."""
    return any(part.startswith(("/", "~")) or ".." in PurePosixPath(part).parts
               for part in (word, word.partition("=")[2]))


def _arguments(r: Reader, raw: Any, key: str, name: str) -> tuple[str, ...]:
    # YAML reads `args: [--epochs, 10]` as a number; the command line wants its text.
    if isinstance(raw, list):
        raw = [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in raw]
    args = r.strings(raw, key)
    for i, arg in enumerate(args):
        if len(arg) > MAX_PATH:
            raise r.fail(f"{key}[{i}]", f"longer than {MAX_PATH} characters; shorten it")
        if arg.partition("=")[0] in RESERVED_ARGS:
            raise r.fail(f"{key}[{i}]", f"{show(arg)}: paperprov passes --out build/experiments/{name} and "
                                        "--seed itself; set `seed:` and write into --out")
        if _outside(arg):
            raise r.fail(f"{key}[{i}]", f"{show(arg)} points outside the repository; experiments read "
                                        f"and write paths inside it (outputs under build/experiments/{name}/)")
    return args


def inside_repo(rel: str) -> str | None:
    """`rel` normalised if it is a relative path that stays inside the repository and out
    of .git/, else None."""
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return None
    norm = posixpath.normpath(rel)
    if norm == ".." or norm.startswith("../") or norm.split("/")[0] == ".git":
        return None
    return norm


def _outputs(r: Reader, e: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
    """The declared outputs, normalised: `x` for build/experiments/<name>/x, `{root}/p` for
    the repository path p."""
    outputs = r.strings(e.get("outputs"), f"{key}.outputs")
    if not outputs:
        raise r.fail(f"{key}.outputs", "missing; list the files the experiment writes (relative to its output "
                                        "directory, or {root}/path/in/the/repository)")
    out = []
    for i, o in enumerate(outputs):
        at = f"{key}.outputs[{i}]"
        in_repo = o.startswith(ROOT_PREFIX)
        rest = o[len(ROOT_PREFIX):] if in_repo else o.removeprefix(OUT_PREFIX)
        where = "the repository" if in_repo else f"build/experiments/{name}/"
        if not rest.strip() or any(c in rest for c in "{}"):
            raise r.fail(at, f"{show(o)} names no file; give a file name under {where} "
                             "(outputs elsewhere in the repository are written {root}/path)")
        norm = posixpath.normpath(r.relative(rest, at))
        if norm == ".":
            raise r.fail(at, f"{show(o)} names no file; give a file name under {where}")
        if norm.split("/")[0] == ".git":
            raise r.fail(at, f"{show(o)} is inside .git/; write outputs elsewhere in the repository")
        if in_repo and norm in (CONFIG_NAME, "dodo.py"):
            raise r.fail(at, f"{show(o)} would overwrite {norm}")
        out.append(ROOT_PREFIX + norm if in_repo else norm)
    return tuple(out)


def _command(r: Reader, e: dict[str, Any], key: str) -> tuple[str, ...]:
    raw = e.get("command")
    if isinstance(raw, list):  # YAML reads `--epochs 10` words as numbers
        raw = [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in raw]
    if isinstance(raw, str):
        raise r.fail(f"{key}.command", "give a list of words (it runs without a shell), e.g. "
                                       '["{python}", code/run.py, --out, "{out}"]')
    words = r.strings(raw, f"{key}.command")
    if not words:
        raise r.fail(f"{key}.command", "empty; give the words of the command")
    check_words(r, words, f"{key}.command")
    for i, w in enumerate(words):
        if len(w) > MAX_PATH:
            raise r.fail(f"{key}.command[{i}]", f"longer than {MAX_PATH} characters; shorten it")
        if i and _outside(w.replace("{root}/", "").replace("{out}/", "")):
            raise r.fail(f"{key}.command[{i}]", f"{show(w)} points outside the repository; a rebuild from the "
                                                "submission has only the repository (write {root}/path)")
    if e.get("args") is not None:
        raise r.fail(f"{key}.args", "only with the short form `script:`; put the words into `command:`")
    return words


def parse_experiment(r: Reader, item: Any, key: str, executor: ExecutorSpec) -> Experiment:
    e = r.mapping(item, key, EXPERIMENT_KEYS)
    name = r.name(e.get("name"), f"{key}.name", "it names the task and build/experiments/<name>/")
    if e.get("script") is None and e.get("command") is None:
        raise r.fail(f"{key}", "give `command:` (a list of words) or `script:` (a Python script run with "
                               "--out DIR --seed N)")
    words: tuple[str, ...] = ()
    if e.get("command") is not None:
        words = _command(r, e, key)
    script = ""
    if e.get("script") is not None:
        script = r.existing(e["script"], f"{key}.script")
    cwd = inside_repo(r.typed(e.get("cwd"), f"{key}.cwd", str, "."))
    if cwd is None or not (r.root / cwd).is_dir():
        raise r.fail(f"{key}.cwd", f"{e.get('cwd')!r} must be a folder of the repository, relative to its root")
    inputs = tuple(r.existing(x, f"{key}.inputs") for x in r.strings(e.get("inputs"), f"{key}.inputs"))
    # numpy's seeds are 0 .. 2**32 - 1; a negative seed failed inside the script
    seed = r.number(e.get("seed"), f"{key}.seed", int, 0, 2**32 - 1, 0)
    args = _arguments(r, e.get("args"), f"{key}.args", name)
    runs_on = parse_executor(r, e.get("executor"), f"{key}.executor", executor)
    if runs_on.array is not None and not words and any(a.partition("=")[0] in SWEEP_ARGS for a in args):
        raise r.fail(f"{key}.args", "paperprov passes --task I to each task of a sweep; remove it from args")
    outputs = _outputs(r, e, key, name)
    if runs_on.array is not None and any(o.startswith(ROOT_PREFIX) for o in outputs):
        raise r.fail(f"{key}.outputs", "every task of a sweep writes into its own folder under "
                                        f"build/experiments/{name}/; {{root}}/ outputs would be written by each")
    return Experiment(name=name, script=script, outputs=outputs, inputs=inputs, seed=seed, args=args,
                      command=words, cwd=cwd, executor=runs_on)


def parse_experiments(r: Reader, value: Any, executor: ExecutorSpec) -> tuple[Experiment, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise r.fail("experiments", "expected a list of experiments")
    if len(value) > MAX_LIST:
        raise r.fail("experiments", f"{len(value)} experiments; at most {MAX_LIST}")
    out: list[Experiment] = []
    for i, item in enumerate(value):
        key = f"experiments[{i}]"
        exp = parse_experiment(r, item, key, executor)
        if any(x.name == exp.name for x in out):
            raise r.fail(f"{key}.name", f"duplicate experiment name {exp.name!r}; names must be unique")
        out.append(exp)
    r.distinct([(f"experiment {x.name}", t) for x in out for t in x.targets], "experiments")
    return tuple(out)


def parse_code(r: Reader, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    globs = r.strings(value, "code")
    for g in globs:
        if inside_repo(g) is None:
            raise r.fail("code", f"{g!r}: give globs relative to the repository root, e.g. code/*.py or src/**/*.py")
    return globs


def parse_latex(r: Reader, value: Any) -> Latex:
    m = r.mapping(value, "latex", ("engine", "shell_escape", "extra_args"))
    engine = r.typed(m.get("engine"), "latex.engine", str)
    if engine is not None and engine not in ENGINES:
        raise r.fail("latex.engine", f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    extra = r.strings(m.get("extra_args"), "latex.extra_args")
    for a in extra:
        if not a.startswith("-"):
            raise r.fail("latex.extra_args", f"{a!r}: give latexmk options (they start with -); the main file is "
                                              "paper.main")
    return Latex(engine=engine, shell_escape=r.typed(m.get("shell_escape"), "latex.shell_escape", bool, False),
                 extra_args=extra)
