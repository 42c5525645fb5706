"""What `doit submission` can tell, before bundling, about whether `verify --rebuild`
will reproduce the attested outputs.

A rebuild runs each experiment with the SOURCE_DATE_EPOCH the attestation records for it
(internalParameters.experimentEpochs) and the PDF with sourceDateEpoch. So every output
must have been built with exactly that epoch (pipeline writes the one it used under
build/.paperprov/epoch/), the attested epochs must be the ones HEAD gives, and no input
the build read may be left out of the source archive.
"""

from __future__ import annotations

from typing import Any

from provenance.attest import statements as manifest
from provenance.config import Config
from provenance.evidence.epochs import experiment_epochs
from provenance.evidence.gitrun import source_date_epoch
from provenance.paths import PAPER_EPOCH, experiment_epoch


def _built(cfg: Config, rel: str) -> int | None:
    try:
        text = (cfg.root / rel).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _epoch_problem(what: str, built: int | None, attested: Any, now: int) -> str | None:
    if built is None:
        return f"{what}: no record of the SOURCE_DATE_EPOCH it was built with"
    if attested != built:
        return f"{what}: built with SOURCE_DATE_EPOCH {built}, attested {attested}"
    if built != now:
        return f"{what}: built with SOURCE_DATE_EPOCH {built}, but HEAD gives {now}"
    return None


def epoch_problems(cfg: Config, slsa: manifest.Statement) -> list[str]:
    """Outputs a rebuild would stamp with another time than they carry."""
    internal = manifest.dig(slsa.predicate, "buildDefinition", "internalParameters")
    internal = internal if isinstance(internal, dict) else {}
    attested = internal.get("experimentEpochs")
    attested = attested if isinstance(attested, dict) else {}
    problems = []
    now = experiment_epochs(cfg)
    for exp in cfg.experiments:
        p = _epoch_problem(f"experiment {exp.name}", _built(cfg, experiment_epoch(exp.name)),
                           attested.get(exp.name), now[exp.name])
        if p:
            problems.append(p)
    p = _epoch_problem("the paper", _built(cfg, PAPER_EPOCH), internal.get("sourceDateEpoch"),
                       source_date_epoch(cfg.root))
    if p:
        problems.append(p)
    return problems


def excluded_inputs(slsa: manifest.Statement, excluded: list[str]) -> list[str]:
    """Attested input files that the source archive leaves out (a rebuild cannot read them)."""
    inputs = {k for k in slsa.inputs() if k != "source"}
    dirs = tuple(e for e in excluded if e.endswith("/"))
    return sorted(n for n in inputs if n in excluded or n.startswith(dirs))
