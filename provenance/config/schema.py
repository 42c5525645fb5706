"""What provenance.yaml says, as frozen values: the names and defaults users rely on."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from provenance.config.declarations import Declarations
from provenance.config.evidence import EvidenceSources
from provenance.config.formal import Formal
from provenance.config.globs import matches
from provenance.errors import ConfigError
from provenance.paths import CONFIG_NAME
from provenance.vocab import DECLARATION_KEYS

# One data file per venue (its question as published, the answer's template): a new venue
# is one file there. Read as a directory listing, not an import: config is upstream of disclose.
VENUE_DIR = Path(__file__).resolve().parent.parent / "disclose" / "venues"
VENUES = ("none", *sorted(p.stem for p in VENUE_DIR.glob("*.yaml")))
ANNOTATION_KEYS = DECLARATION_KEYS  # the same keys, and values, as a `paperprov:` marker
ENGINES = ("pdflatex", "xelatex", "lualatex")
ROOT_PREFIX = "{root}/"  # an output at a repository path, e.g. {root}/figures/x.pdf
OUT_PREFIX = "{out}/"
EXECUTOR_KINDS = ("local", "slurm")


@dataclass(frozen=True)
class Paper:
    name: str
    main: str  # repo-relative path of the .tex with \documentclass


@dataclass(frozen=True)
class ExecutorSpec:
    """Where an experiment runs (`executor:` in provenance.yaml; parsed by executor.py).
    Here rather than in executor.py: schema -> executor -> reader -> schema would be an
    import circle."""

    kind: str = "local"  # one of EXECUTOR_KINDS
    partition: str | None = None  # Slurm partition; None: the cluster's default
    time_min: int = 60  # Slurm time limit, minutes
    cpus: int = 1  # cores per task (Slurm --cpus-per-task; local: cores it holds)
    gpus: int = 0  # GPUs per task (Slurm --gpus-per-node)
    mem_gb: float | None = None  # Slurm --mem; None: the cluster's default
    array: int | None = None  # a sweep of N tasks (experiments only); None: one run
    sbatch: tuple[str, ...] = ()  # extra sbatch flags, e.g. "--qos=high"


@dataclass(frozen=True)
class Experiment:
    """One experiment: a command (words, no shell) run in `cwd` (repo-relative), or the
    short form `script:` = `{python} SCRIPT --out {out} --seed {seed} ARGS...` from the root.
    Placeholders (config/experiments.py): {out} {seed} {python} {root}; `{{` is a brace."""

    name: str
    script: str  # the Python entry point, repo-relative ("" when the command runs none)
    outputs: tuple[str, ...]  # as declared: relative to {out} (a sweep: .../<name>/<i>/), or `{root}/path`
    inputs: tuple[str, ...] = ()
    seed: int = 0
    args: tuple[str, ...] = ()  # the short form's extra words, literal
    command: tuple[str, ...] = ()  # () for the short form
    cwd: str = "."
    # Not in repr (the experiment task's up-to-date check): outputs do not depend on
    # where they were computed. A sweep's size changes `targets`, which doit does see.
    executor: ExecutorSpec = field(default_factory=ExecutorSpec, repr=False, compare=False)

    @property
    def outdir(self) -> str:
        return f"build/experiments/{self.name}"

    @property
    def task_outdirs(self) -> tuple[str, ...]:
        """Where each task writes: the outdir itself, or outdir/<i> for task i of a sweep."""
        if self.executor.array is None:
            return (self.outdir,)
        return tuple(f"{self.outdir}/{i}" for i in range(self.executor.array))

    @property
    def words(self) -> tuple[str, ...]:
        """The command with placeholders still in it (pipeline/command.py fills them in)."""
        if self.command:
            return self.command
        literal = tuple(a.replace("{", "{{").replace("}", "}}") for a in self.args)
        sweep = ("--task", "{task}") if self.executor.array is not None else ()
        return ("{python}", "{root}/" + self.script, "--out", "{out}", "--seed", "{seed}") + sweep + literal

    def target(self, output: str, outdir: str | None = None) -> str:
        """A declared output as a repository-relative path (`outdir`: a sweep task's)."""
        if output.startswith(ROOT_PREFIX):
            return output[len(ROOT_PREFIX):]
        if output.startswith(OUT_PREFIX):
            output = output[len(OUT_PREFIX):]
        return f"{outdir or self.outdir}/{output}"

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.target(o, d) for d in self.task_outdirs for o in self.outputs)

    @property
    def label(self) -> str:
        """How messages name what it runs: the script, else the command's first words."""
        return self.script or " ".join(self.command[:3]) + (" ..." if len(self.command) > 3 else "")


@dataclass(frozen=True)
class Author:
    name: str
    email: str = ""
    key: str | None = None  # repo-relative keys/NAME.pub


@dataclass(frozen=True)
class AttributionRules:
    # Lines of commits with no AI evidence and no `Assisted-by: none`: `unknown` (the
    # default: no claim about them) or `human` (the authors assume so; the appendix says it).
    untagged: str = "unknown"
    ai_min: float = 0.9  # ai_fraction at or above which a unit is "ai"
    human_max: float = 0.1  # ai_fraction at or below which it is "human"


# Theorem-like environments other statements can build on: each must carry a \label
# (matched against the environment's name and its printed name, ignoring case). Not
# remarks, examples, notes, exercises: nothing \uses those.
LABELLED_ENVS = ("theorem", "lemma", "proposition", "corollary", "claim", "conjecture", "definition",
                 "assumption", "hypothesis", "fact", "observation", "axiom", "property")


@dataclass(frozen=True)
class Lint:
    require_label: tuple[str, ...] = LABELLED_ENVS  # lowercase names; empty: none required


@dataclass(frozen=True)
class Policy:
    require_review_of_ai: bool = False
    forbid_conflicts: bool = False
    require_checks_pass: bool = False
    max_unknown_fraction: float = 1.0
    enforce_on_build: bool = False
    declare_paths: tuple[str, ...] = ()  # commits touching these must carry Assisted-by
    # True: every statement the paper proves needs a checked formal proof; or label globs.
    require_formal_proof: bool | tuple[str, ...] = False


@dataclass(frozen=True)
class Annotation:
    """A bulk declaration: applies to units whose file matches `path` (glob) or whose
    label equals `label`. `index` orders them: the last match wins among equals."""

    index: int
    fields: tuple[tuple[str, str], ...]
    path: str | None = None
    label: str | None = None

    def matches(self, file: str, label: str | None) -> bool:
        if self.label is not None:
            return label == self.label
        return self.path is not None and fnmatch.fnmatchcase(file, self.path)


@dataclass(frozen=True)
class Signing:
    key: str | None = None  # path to a private key (ours or OpenSSH); ~ expanded
    name: str | None = None  # signer name: keys/<name>.pub
    threshold: int = 1
    # The signers the appendix names (keys/<name>.pub committed at HEAD); empty: the key
    # this build signs with. verify requires a signature by each of them.
    signers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Latex:
    """`latex:` — how latexmk runs (pipeline/latex.py). `engine` None: the paper's
    latexmkrc decides, else pdflatex."""

    engine: str | None = None  # one of ENGINES
    shell_escape: bool = False
    extra_args: tuple[str, ...] = ()  # more latexmk options, e.g. -latexoption=-synctex=1


@dataclass(frozen=True)
class Submission:
    """`submission:` (config/submission.py reads it): what goes into the submission bundle."""

    anonymous: bool = False  # provenance.yaml's value, overridden by $PAPERPROV_ANONYMOUS
    anonymize: tuple[str, ...] = ()  # left out of an anonymous submission, listed in the reveal file
    exclude: tuple[str, ...] = ()  # left out of source.tar in every mode

    def hides(self, path: str) -> bool:
        """Is `path` left out of this build's record and source archive because it names the authors?"""
        return self.anonymous and matches(path, self.anonymize)


@dataclass(frozen=True)
class Config:
    root: Path
    paper: Paper
    experiments: tuple[Experiment, ...] = ()
    authors: tuple[Author, ...] = ()
    attribution: AttributionRules = field(default_factory=AttributionRules)
    policy: Policy = field(default_factory=Policy)
    annotations: tuple[Annotation, ...] = ()
    checks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (label, nodeids)
    signing: Signing = field(default_factory=Signing)
    venue: str = "none"
    latex: Latex = field(default_factory=Latex)
    submission: Submission = field(default_factory=Submission)
    code: tuple[str, ...] | None = None  # globs of the Python files that become code units; None: the default
    formal: Formal = field(default_factory=Formal)
    evidence: EvidenceSources = field(default_factory=EvidenceSources)
    declarations: Declarations = field(default_factory=Declarations)
    executor: ExecutorSpec = field(default_factory=ExecutorSpec)  # the default of every experiment
    lint: Lint = field(default_factory=Lint)

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    def experiment(self, name: str) -> Experiment:
        for e in self.experiments:
            if e.name == name:
                return e
        raise ConfigError(f"{CONFIG_NAME}: no experiment named {name!r}; add it under experiments:")
