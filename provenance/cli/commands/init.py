"""`paperprov init [DIR]`: adopt paperprov in an existing paper repository.

Writes a commented provenance.yaml, a thin dodo.py and the .gitignore entries the build
needs; finds the main .tex as the one with an (uncommented) \\documentclass.
"""

from __future__ import annotations

import argparse
import posixpath
import re
from importlib import resources
from pathlib import Path

from provenance.cli.commands import HELP
from provenance.cli.commands.hooksconfig import HOOKS_REPO, write_hooks_config
from provenance.config import CONFIG_NAME, NAME_RE
from provenance.errors import ConfigError, UsageError
from provenance.fsutil import write_text_atomic
from provenance.scan.tex.lexer import decode, strip_comments

_DOCUMENTCLASS = re.compile(r"^[^%\n]*\\documentclass\b", re.MULTILINE)
_INPUT = re.compile(r"\\(?:input|include)(?![A-Za-z@])\s*(?:\{\s*([^{}\s]+)\s*\}|[ \t]+([^\s{}%\\]+))")
_SKIP_DIRS = {"build", "dist", ".git", "node_modules", "__pycache__"}
# print.tex: a leanblueprint's PDF (its web.tex is for plasTeX).
PREFERRED_MAIN = ("main.tex", "paper.tex", "ms.tex", "manuscript.tex", "print.tex")
LAKEFILES = ("lakefile.lean", "lakefile.toml")
LATEX_COMMENTED = "# latex: {engine: pdflatex, shell_escape: false, extra_args: []}\n"
# What says which engine a paper needs: a TeXShop/Overleaf-style magic comment, or a
# package only XeLaTeX/LuaLaTeX can load.
_MAGIC = re.compile(r"^%\s*!\s*TeX\s+(?:TS-)?program\s*=\s*(pdflatex|xelatex|lualatex)\b", re.I | re.M)
_UNICODE_TEX = re.compile(r"^[^%\n]*\\(?:usepackage|RequirePackage)\s*(?:\[[^\]]*\]\s*)?\{[^}]*?\b"
                          r"(fontspec|unicode-math|polyglossia|xeCJK|luacode)\b", re.M)
FORMAL_COMMENTED = """\
# formal:
#   coq: {root: formal, logical: Paper, files: ["*.v"], allow_axioms: []}
#   lean: {root: lean}   # checked only when lake/lean is on PATH; else "declared"
"""
GITIGNORE_LINES = ("build/", "dist/", ".doit.db*", "__pycache__/")

DODO = '''\
"""Build this paper with paperprov: `doit build` (or just `doit`); `doit list` shows the tasks."""

from provenance.tasks import (  # noqa: F401  (doit collects task_* names; never import *)
    task_attest,
    task_build,
    task_checks,
    task_disclosure,
    task_experiments,
    task_paper,
    task_record,
    task_report,
    task_submission,
)

DOIT_CONFIG = {
    "default_tasks": ["build"],
    "backend": "sqlite3",
    "dep_file": ".doit.db",
    "verbosity": 1,
    # Independent tasks run side by side in threads: experiments on Slurm are submitted
    # together and waited for together; local ones share this machine's cores.
    "par_type": "thread",
    "num_process": 32,
}
'''

CONFIG_TEMPLATE = """\
# paperprov configuration. Reference: the paperprov README ("provenance.yaml").
paper:
  name: {name}            # names dist/<name>-submission.zip
  main: {main}   # the .tex file with \\documentclass

# Which venue's question about AI use the appendix answers: none, acl, acm, arxiv,
# elsevier, iclr, icml, ieee, neurips, springer.
venue: none

# What no record can measure (the venue answers print "to be declared by the authors"
# for what is left out):
# declarations:
#   llm_in_method: false          # is an LLM part of the research method itself?
#   other_ai_use: {{}}              # AI use outside the repository by phase; {{}} = none
#   tool_versions: {{claude-code: "2.0.14"}}

# Line-level evidence from IDE agents (defaults shown; false to skip):
# evidence: {{git_ai_ref: refs/notes/ai, agent_trace_dir: .agent-trace, agent_trace_ref: refs/notes/agent-trace}}

# Experiments run before LaTeX: a command (a list of words, no shell) run in `cwd`, with
# {{out}} (build/experiments/NAME/), {{seed}}, {{python}} and {{root}} filled in. It must write
# every file under outputs: relative to {{out}}, or {{root}}/path for a file in the repository.
# Its output goes to build/logs/NAME.log. Short form: `script: S` runs
#   python S --out build/experiments/NAME --seed SEED
experiments: []
#  - name: main
#    cwd: code
#    command: ["{{python}}", train.py, --epochs, 10, --seed, "{{seed}}", --save, "{{root}}/figures/loss.pdf"]
#    inputs: [data/train.csv]          # files it reads that its command does not name
#    outputs: ["{{root}}/figures/loss.pdf"]
#    seed: 0

# Which Python the record lists as code units (default: what the experiments run and import).
# code: [code/*.py, "src/**/*.py"]

# LaTeX: the engine (else your latexmkrc's, else pdflatex), shell escape, more latexmk options.
{latex}
# What the submission's source archive leaves out (data the rebuild does not need).
# submission: {{exclude: [data/raw/]}}

# Where experiments run: local (default) or slurm (pip install 'paperprov[slurm]'); an
# experiment's own `executor:` overrides these keys one by one.
# executor: {{kind: slurm, partition: gpu, time_min: 60, cpus: 4, gpus: 1, mem_gb: 16}}

# The people who answer for the paper. `key` is their public key in the repository
# (paperprov keygen writes keys/NAME.pub).
authors:
  - name: {author}
    email: {email}

# How git evidence becomes an origin.
attribution:
  # A commit with no AI evidence (no Assisted-by trailer, agent co-author line or
  # paperprov session) and no `Assisted-by: none` is "untagged". By default paperprov
  # claims nothing about its lines: a unit written in such commits has origin unknown,
  # and the appendix says how many lines and commits carry no AI evidence. If you know
  # those commits are human work, uncomment the next line: their lines then count as
  # human, and the appendix states this as the authors' assumption, in those words.
  # untagged: human
  ai_min: 0.9       # a unit whose lines are at least 90% AI-written is "ai"
  human_max: 0.1    # "human" needs at least 90% of its lines declared human; above 10% AI: "mixed"

# Which theorem-like environments paperprov-lint wants a \\label on (matched against the
# environment's name and its printed name). The default: those other statements can
# use (theorem, lemma, proposition, corollary, claim, conjecture, definition,
# assumption, hypothesis, fact, observation, axiom, property), not remarks or examples.
# lint:
#   require_label: [theorem, lemma, proposition, corollary, definition]

# Bulk declarations, REUSE.toml-style; a `% paperprov:` marker in the source wins over these.
annotations: []
#  - path: "experiments/*.py"
#    origin: ai
#    tool: claude-code
#    model: claude-opus-4-1
#    role: generated

# Claim checks: statement label -> pytest node ids.
checks: {{}}
#  lem:monotone: [tests/claims/test_lemmas.py::test_monotone]

# Formal proofs: link a statement with `% paperprov: formal=coq:NAME` (or leanblueprint's
# \\lean{{NAME}}); the checks task compiles the development and asks Coq what NAME rests on.
{formal}
# What `doit submission` insists on (and `doit build` too with enforce_on_build: true).
policy:
  require_review_of_ai: false
  forbid_conflicts: false
  require_checks_pass: false
  max_unknown_fraction: 1.0
  declare_paths: []   # commits touching these paths must carry an Assisted-by trailer
  require_formal_proof: false   # or label globs, e.g. ["thm:*"]: those need a Coq/Lean-checked proof
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help=HELP["init"])
    p.add_argument("dir", nargs="?", default=".", help="the paper repository (default: here)")
    p.add_argument("--main", help="the main .tex file, relative to DIR (default: the one with \\documentclass)")
    p.add_argument("--name", help="the paper's short name (default: the directory's name)")
    p.add_argument("--force", action="store_true", help="overwrite an existing provenance.yaml and dodo.py")
    p.add_argument("--hooks", action="store_true",
                   help="also write .pre-commit-config.yaml running paperprov's commit hooks (in an adopted "
                        "repository: only that)")
    p.add_argument("--hooks-repo", default=HOOKS_REPO, help=f"where pre-commit fetches the hooks (default {HOOKS_REPO})")
    p.set_defaults(run=run)


def find_main(root: Path) -> str:
    """The .tex file LaTeX is run on: the one with \\documentclass. Where other files
    \\input that one (a book's options files that then read main.tex, a camera-ready
    wrapper), any of them could be: they are listed for the author to choose."""
    texts: dict[str, str] = {}
    for path in sorted(root.rglob("*.tex")):
        rel = path.relative_to(root)
        if _SKIP_DIRS.intersection(rel.parts[:-1]) or any(p.startswith(".") for p in rel.parts):
            continue
        texts[rel.as_posix()] = decode(path.read_bytes()[:200_000])
    documents = [rel for rel, text in texts.items() if _DOCUMENTCLASS.search(text)]
    if not documents:
        raise ConfigError(f"{root}: no .tex file with \\documentclass found; pass --main path/to/main.tex")
    read_by = _readers(texts)
    candidates = sorted(set(documents) | {r for d in documents for r in _tops(d, read_by)})
    if len(candidates) == 1:
        return candidates[0]
    preferred = [c for c in candidates if Path(c).name in PREFERRED_MAIN and c not in read_by]
    if len(preferred) == 1:
        return preferred[0]
    raise ConfigError(
        f"{root}: several .tex files could be the main one ({', '.join(candidates)}); pass --main to choose one"
    )


def _readers(texts: dict[str, str]) -> dict[str, list[str]]:
    """File -> the files that \\input or \\include it."""
    read_by: dict[str, list[str]] = {}
    for rel, text in texts.items():
        for m in _INPUT.finditer(strip_comments(text)):
            name = m.group(1) or m.group(2)
            for base in dict.fromkeys((posixpath.dirname(rel), "")):
                target = posixpath.normpath(posixpath.join(base, name if name.endswith(".tex") else name + ".tex"))
                if target in texts and target != rel:
                    read_by.setdefault(target, []).append(rel)
                    break
    return read_by


def _tops(rel: str, read_by: dict[str, list[str]]) -> list[str]:
    """The files that read `rel`, directly or through others, that no file reads."""
    out, todo, seen = [], list(read_by.get(rel, ())), {rel}
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        if r in read_by:
            todo.extend(read_by[r])
        else:
            out.append(r)
    return out


def lean_project(root: Path) -> str | None:
    """The repository's Lake project (a leanblueprint's formalisation): the directory
    holding a lakefile, the root itself or a directory just under it."""
    for d in [root, *sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))]:
        try:
            found = d.name not in _SKIP_DIRS and any((d / f).is_file() for f in LAKEFILES)
        except OSError:  # a directory we may not look into holds no project of the paper's
            continue
        if found:
            return d.relative_to(root).as_posix()
    return None


def _formal_block(root: Path) -> str:
    lean = lean_project(root)
    if lean is None:
        return FORMAL_COMMENTED
    return (f"formal:\n  lean: {{root: {_yaml_str(lean)}}}   # found its lakefile; checked only when lake/lean "
            f"is on PATH, else \"declared\"\n#   coq: {{root: formal, logical: Paper, files: [\"*.v\"]}}\n")


def engine_of(root: Path, main: str) -> tuple[str, str] | None:
    """The engine the main file asks for or needs, and why; None where its latexmkrc
    decides or nothing says (pdflatex)."""
    if any((root / main).parent.joinpath(rc).is_file() for rc in (".latexmkrc", "latexmkrc")):
        return None
    text = decode((root / main).read_bytes()[:200_000])
    m = _MAGIC.search(text)
    if m:
        return m.group(1).lower(), "its % !TEX program line"
    m = _UNICODE_TEX.search(text)
    if m:
        return ("lualatex" if m.group(1) == "luacode" else "xelatex"), f"it loads {m.group(1)}, which pdflatex cannot"
    return None


def _latex_block(root: Path, main: str) -> str:
    found = engine_of(root, main)
    if found is None:
        return LATEX_COMMENTED
    return f"latex: {{engine: {found[0]}}}   # {main.rpartition('/')[2]}: {found[1]}\n"


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "paper"
    return slug if NAME_RE.match(slug) else f"paper-{slug}"


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar: user text never breaks the file's structure."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _git_identity(root: Path) -> tuple[str, str]:
    """The author git would record (config or GIT_AUTHOR_* variables)."""
    import subprocess

    try:
        out = subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "Your Name", "you@example.org"
    m = re.match(r"^(.*?) <([^>]*)>", out.stdout)
    return (m.group(1), m.group(2)) if out.returncode == 0 and m else ("Your Name", "you@example.org")


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir).resolve()
    if not root.is_dir():
        raise ConfigError(f"{args.dir}: not a directory; give the path of your paper repository")
    if args.main:
        if not (root / args.main).is_file():
            raise UsageError(f"--main {args.main}: no such file under {root}")
        main = Path(args.main).as_posix()
    else:
        main = find_main(root)
    name = args.name or _slug(root.name)
    if not NAME_RE.match(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' or '-'")

    existing = [f for f in (CONFIG_NAME, "dodo.py") if (root / f).exists()]
    if existing and not args.force:
        if args.hooks:  # an adopted repository asking for the hooks only
            print(f"paperprov: {write_hooks_config(root, args.hooks_repo)}")
            return 0
        raise ConfigError(f"{root}: {' and '.join(existing)} already exist; pass --force to overwrite")

    author, email = _git_identity(root)
    write_text_atomic(root / CONFIG_NAME, CONFIG_TEMPLATE.format(
        name=name, main=_yaml_str(main), author=_yaml_str(author), email=_yaml_str(email), formal=_formal_block(root),
        latex=_latex_block(root, main)))
    write_text_atomic(root / "dodo.py", DODO)
    written = [CONFIG_NAME, "dodo.py"]

    gitignore = root / ".gitignore"
    current = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    missing = [line for line in GITIGNORE_LINES if line not in current]
    if missing:
        text = "\n".join(current + missing) + "\n"
        write_text_atomic(gitignore, text)
        written.append(".gitignore")

    sty = root / Path(main).parent / "paperprov.sty"
    shipped = resources.files("provenance") / "data" / "paperprov.sty"
    if not sty.exists() and shipped.is_file():
        write_text_atomic(sty, shipped.read_text(encoding="utf-8"))
        written.append(sty.relative_to(root).as_posix())

    print(f"paperprov: main file {main}; wrote {', '.join(written)}")
    if args.hooks:
        print(f"paperprov: {write_hooks_config(root, args.hooks_repo)}")
    print("next: doit build   (then commit provenance.yaml, dodo.py and the keys/NAME.pub it writes)")
    return 0
