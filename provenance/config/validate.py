"""provenance.yaml: load with yaml.safe_load, validate, fill defaults (`load`, `parse`).
Not named load.py: importing a submodule `load` would set the package's attribute
`load` to the module, over the function that `from provenance.config import load` gives
(the package imports its names lazily, see __init__.py).

Every problem is one ConfigError line naming the key (as a path such as
`experiments[1].script`) and what to do. Unknown keys are errors, not silently ignored:
a typo in `require_review_of_ai` must not switch a policy off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provenance.config.declarations import parse_declarations
from provenance.config.evidence import parse_evidence
from provenance.config.executor import parse_executor
from provenance.config.experiments import parse_code, parse_experiments, parse_latex
from provenance.config.formal import parse_formal, parse_link
from provenance.config.parsed import parse_remembered
from provenance.config.reader import MAX_LIST, MAX_PATH, Reader, read_bounded, show
from provenance.config.schema import (
    ANNOTATION_KEYS,
    CONFIG_NAME,
    VENUES,
    Annotation,
    AttributionRules,
    Author,
    Config,
    Lint,
    Paper,
    Policy,
    Signing,
)
from provenance.config.submission import parse_submission


def load(root: str | Path = ".") -> Config:
    root = Path(root).resolve()
    return parse(read_bounded(root / CONFIG_NAME), root)


def parse(text: str, root: Path) -> Config:
    data = parse_remembered(text, root)
    r = Reader(root)
    top = r.mapping(
        data,
        "",
        ("paper", "venue", "experiments", "authors", "attribution", "policy", "annotations", "checks", "signing",
         "formal", "evidence", "declarations", "executor", "lint", "latex", "submission", "code"),
    )
    if "paper" not in top:
        raise r.fail("paper", "missing; add `paper: {name: NAME, main: path/to/main.tex}`")
    p = r.mapping(top["paper"], "paper", ("name", "main"))
    name = r.name(p.get("name"), "paper.name", "it names dist/<name>-submission.zip")
    if p.get("main") is None:
        raise r.fail("paper.main", "missing; give the path of the .tex file with \\documentclass")
    paper = Paper(name=name, main=r.existing(r.typed(p["main"], "paper.main", str), "paper.main"))

    venue = r.typed(top.get("venue"), "venue", str, "none")
    if venue not in VENUES:
        raise r.fail("venue", f"unknown venue {show(venue)}; use one of {', '.join(VENUES)}")

    executor = parse_executor(r, top.get("executor"), "executor")
    return Config(
        root=root,
        paper=paper,
        venue=venue,
        executor=executor,
        experiments=parse_experiments(r, top.get("experiments"), executor),
        authors=_authors(r, top.get("authors")),
        attribution=_attribution(r, top.get("attribution")),
        policy=_policy(r, top.get("policy")),
        annotations=_annotations(r, top.get("annotations")),
        checks=_checks(r, top.get("checks")),
        signing=_signing(r, top.get("signing")),
        formal=parse_formal(r, top.get("formal")),
        evidence=parse_evidence(r, top.get("evidence")),
        declarations=parse_declarations(r, top.get("declarations")),
        latex=parse_latex(r, top.get("latex")),
        code=parse_code(r, top.get("code")),
        lint=_lint(r, top.get("lint")),
        submission=parse_submission(r, top.get("submission")),
    )


def _authors(r: Reader, value: Any) -> tuple[Author, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise r.fail("authors", f"expected a list of at most {MAX_LIST} authors")
    out = []
    for i, item in enumerate(value):
        key = f"authors[{i}]"
        a = r.mapping(item, key, ("name", "email", "key"))
        name = r.typed(a.get("name"), f"{key}.name", str)
        if not name or len(name) > 200:
            raise r.fail(f"{key}.name", "required; at most 200 characters")
        pub = a.get("key")
        out.append(
            Author(
                name=name,
                email=r.typed(a.get("email"), f"{key}.email", str, ""),
                # keys/NAME.pub may not exist before the first build, but it is never outside
                key=None if pub is None else r.inside(pub, f"{key}.key"),
            )
        )
    return tuple(out)


def _fraction(r: Reader, value: Any, key: str, default: float) -> float:
    f = r.typed(value, key, float, default)
    if not 0.0 <= f <= 1.0:
        raise r.fail(key, f"{f} is not between 0 and 1")
    return f


def _attribution(r: Reader, value: Any) -> AttributionRules:
    a = r.mapping(value, "attribution", ("untagged", "ai_min", "human_max"))
    untagged = r.typed(a.get("untagged"), "attribution.untagged", str, "unknown")
    if untagged not in ("human", "unknown"):
        raise r.fail("attribution.untagged", "use `unknown` (no claim about commits without AI evidence, the default) "
                     "or `human` (the authors assume they are human-written)")
    ai_min = _fraction(r, a.get("ai_min"), "attribution.ai_min", 0.9)
    human_max = _fraction(r, a.get("human_max"), "attribution.human_max", 0.1)
    if human_max >= ai_min:
        raise r.fail("attribution.human_max", f"must be below attribution.ai_min ({ai_min})")
    return AttributionRules(untagged=untagged, ai_min=ai_min, human_max=human_max)


def _policy(r: Reader, value: Any) -> Policy:
    keys = ("require_review_of_ai", "forbid_conflicts", "require_checks_pass", "max_unknown_fraction",
            "enforce_on_build", "declare_paths", "require_formal_proof")
    p = r.mapping(value, "policy", keys)
    formal = p.get("require_formal_proof")
    if not isinstance(formal, bool):
        formal = r.strings(formal, "policy.require_formal_proof") if formal is not None else False
    return Policy(
        require_review_of_ai=r.typed(p.get("require_review_of_ai"), "policy.require_review_of_ai", bool, False),
        forbid_conflicts=r.typed(p.get("forbid_conflicts"), "policy.forbid_conflicts", bool, False),
        require_checks_pass=r.typed(p.get("require_checks_pass"), "policy.require_checks_pass", bool, False),
        max_unknown_fraction=_fraction(r, p.get("max_unknown_fraction"), "policy.max_unknown_fraction", 1.0),
        enforce_on_build=r.typed(p.get("enforce_on_build"), "policy.enforce_on_build", bool, False),
        declare_paths=tuple(_declare_path(r, d, f"policy.declare_paths[{i}]")
                            for i, d in enumerate(r.strings(p.get("declare_paths"), "policy.declare_paths"))),
        require_formal_proof=formal,
    )


def _declare_path(r: Reader, value: str, key: str) -> str:
    """A path prefix (`paper/`) or glob that commits are matched against."""
    norm = r.inside(value, key) if not any(c in value for c in "*?[") else r.relative(value, key)
    return norm + "/" if value.endswith("/") and norm != "." else norm


def _annotations(r: Reader, value: Any) -> tuple[Annotation, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise r.fail("annotations", f"expected a list of at most {MAX_LIST} {{path: GLOB or label: LABEL, "
                                    "origin: ...}} entries")
    out = []
    for i, item in enumerate(value):
        key = f"annotations[{i}]"
        a = r.mapping(item, key, ("path", "label") + ANNOTATION_KEYS)
        path = a.get("path")
        path = None if path is None else r.relative(path, f"{key}.path")  # a glob: never absolute, no '..'
        label = r.typed(a.get("label"), f"{key}.label", str)
        if (path is None) == (label is None):
            raise r.fail(key, "give exactly one of `path` (a glob) or `label`")
        fields: list[tuple[str, str]] = []
        for k in ANNOTATION_KEYS:
            if k in a:
                fields.extend((k, r.declared(f"{key}.{k}", k, v)) for v in r.strings(a[k], f"{key}.{k}"))
        if not fields:
            raise r.fail(key, f"declares nothing; add one of {', '.join(ANNOTATION_KEYS)}")
        _check_formal(r, key, fields, label)
        out.append(Annotation(index=i, fields=tuple(fields), path=path, label=label))
    return tuple(out)


def _check_formal(r: Reader, key: str, fields: list[tuple[str, str]], label: str | None) -> None:
    for k, v in fields:
        if k != "formal":
            continue
        if label is None:
            raise r.fail(f"{key}.formal", "links one statement to its formal proof; use `label:`, not `path:`")
        try:
            parse_link(v)
        except ValueError as exc:
            raise r.fail(f"{key}.formal", f"{exc}") from None


def _checks(r: Reader, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise r.fail("checks", "expected a mapping from a statement label to pytest node ids")
    if len(value) > MAX_LIST:
        raise r.fail("checks", f"{len(value)} labels; at most {MAX_LIST}")
    return tuple((str(label), r.strings(ids, f"checks.{show(label)}")) for label, ids in value.items())


def _signing(r: Reader, value: Any) -> Signing:
    s = r.mapping(value, "signing", ("key", "name", "threshold", "signers"))
    threshold = r.number(s.get("threshold"), "signing.threshold", int, 1, 100, 1)
    name = None if s.get("name") is None else r.name(s.get("name"), "signing.name", "it names keys/<name>.pub")
    signers = tuple(r.name(n, f"signing.signers[{i}]", "a key name: keys/<name>.pub")
                    for i, n in enumerate(r.strings(s.get("signers"), "signing.signers", 100)))
    if len(set(signers)) != len(signers):
        raise r.fail("signing.signers", "a name is given twice; list each signer once")
    key = r.typed(s.get("key"), "signing.key", str)
    if key is not None and (not key or len(key) > MAX_PATH or "\0" in key):
        raise r.fail("signing.key", "expected the path of a private key file, e.g. ~/.ssh/id_ed25519")
    return Signing(key=key, name=name, threshold=threshold, signers=signers)


def _lint(r: Reader, value: Any) -> Lint:
    section = r.mapping(value, "lint", ("require_label",))
    if "require_label" not in section:
        return Lint()
    return Lint(require_label=tuple(n.strip().lower() for n in r.strings(section["require_label"], "lint.require_label")))
