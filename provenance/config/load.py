"""provenance.yaml: load with yaml.safe_load, validate, fill defaults.

Every problem is one ConfigError line naming the key (as a path such as
`experiments[1].script`) and what to do. Unknown keys are errors, not silently ignored:
a typo in `require_review_of_ai` must not switch a policy off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provenance.config.experiments import parse_code, parse_experiments, parse_latex, parse_submission
from provenance.config.formal import parse_formal, parse_link
from provenance.config.reader import Reader
from provenance.config.schema import (
    ANNOTATION_KEYS,
    CONFIG_NAME,
    NAME_RE,
    VENUES,
    Annotation,
    AttributionRules,
    Author,
    Config,
    Paper,
    Policy,
    Signing,
)
from provenance.errors import ConfigError


def load(root: str | Path = ".") -> Config:
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; run `paperprov init` in your paper repository") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc}); check the file's permissions and encoding") from None
    return parse(text, root)


def parse(text: str, root: Path) -> Config:
    import yaml  # PyYAML is light, but keep dodo.py's import cheap all the same

    try:
        # libyaml's loader when present: same safe semantics, ~10x faster (commit hooks load this)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{CONFIG_NAME}{where}: {problem}; fix the YAML syntax") from None
    r = Reader(root)
    top = r.mapping(
        data,
        "",
        ("paper", "venue", "experiments", "authors", "attribution", "policy", "annotations", "checks", "signing",
         "latex", "submission", "code", "formal"),
    )
    if "paper" not in top:
        raise r.fail("paper", "missing; add `paper: {name: NAME, main: path/to/main.tex}`")
    p = r.mapping(top["paper"], "paper", ("name", "main"))
    name = r.typed(p.get("name"), "paper.name", str)
    if not name or not NAME_RE.match(name):
        raise r.fail("paper.name", "required; letters, digits, '.', '_' or '-' (it names dist/<name>-submission.zip)")
    if p.get("main") is None:
        raise r.fail("paper.main", "missing; give the path of the .tex file with \\documentclass")
    paper = Paper(name=name, main=r.existing(r.typed(p["main"], "paper.main", str), "paper.main"))

    venue = r.typed(top.get("venue"), "venue", str, "none")
    if venue not in VENUES:
        raise r.fail("venue", f"unknown venue {venue!r}; use one of {', '.join(VENUES)}")

    return Config(
        root=root,
        paper=paper,
        venue=venue,
        experiments=parse_experiments(r, top.get("experiments")),
        authors=_authors(r, top.get("authors")),
        attribution=_attribution(r, top.get("attribution")),
        policy=_policy(r, top.get("policy")),
        annotations=_annotations(r, top.get("annotations")),
        checks=_checks(r, top.get("checks")),
        signing=_signing(r, top.get("signing")),
        latex=parse_latex(r, top.get("latex")),
        submission=parse_submission(r, top.get("submission")),
        code=parse_code(r, top.get("code")),
        formal=parse_formal(r, top.get("formal")),
    )


def _authors(r: Reader, value: Any) -> tuple[Author, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise r.fail("authors", "expected a list of authors")
    out = []
    for i, item in enumerate(value):
        key = f"authors[{i}]"
        a = r.mapping(item, key, ("name", "email", "key"))
        name = r.typed(a.get("name"), f"{key}.name", str)
        if not name:
            raise r.fail(f"{key}.name", "required")
        out.append(
            Author(
                name=name,
                email=r.typed(a.get("email"), f"{key}.email", str, ""),
                key=r.typed(a.get("key"), f"{key}.key", str),
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
    untagged = r.typed(a.get("untagged"), "attribution.untagged", str, "human")
    if untagged not in ("human", "unknown"):
        raise r.fail("attribution.untagged", "use `human` or `unknown`")
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
        declare_paths=r.strings(p.get("declare_paths"), "policy.declare_paths"),
        require_formal_proof=formal,
    )


def _annotations(r: Reader, value: Any) -> tuple[Annotation, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise r.fail("annotations", "expected a list of {path: GLOB or label: LABEL, origin: ...} entries")
    out = []
    for i, item in enumerate(value):
        key = f"annotations[{i}]"
        a = r.mapping(item, key, ("path", "label") + ANNOTATION_KEYS)
        path = r.typed(a.get("path"), f"{key}.path", str)
        label = r.typed(a.get("label"), f"{key}.label", str)
        if (path is None) == (label is None):
            raise r.fail(key, "give exactly one of `path` (a glob) or `label`")
        fields: list[tuple[str, str]] = []
        for k in ANNOTATION_KEYS:
            if k in a:
                fields.extend((k, v) for v in r.strings(a[k], f"{key}.{k}"))
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
    return tuple((str(label), r.strings(ids, f"checks.{label}")) for label, ids in value.items())


def _signing(r: Reader, value: Any) -> Signing:
    s = r.mapping(value, "signing", ("key", "name", "threshold"))
    threshold = r.typed(s.get("threshold"), "signing.threshold", int, 1)
    if threshold < 1:
        raise r.fail("signing.threshold", "must be at least 1")
    name = r.typed(s.get("name"), "signing.name", str)
    if name is not None and not NAME_RE.match(name):
        raise r.fail("signing.name", "letters, digits, '.', '_' or '-' only (it names keys/<name>.pub)")
    return Signing(key=r.typed(s.get("key"), "signing.key", str), name=name, threshold=threshold)
