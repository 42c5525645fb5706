"""provenance.yaml: what the authors declare (schema.py), read and checked (load.py,
reader.py). Everything a caller needs is importable from here."""

from provenance.config.load import load, parse
from provenance.config.schema import (
    ANNOTATION_KEYS,
    CONFIG_NAME,
    EXECUTOR_KINDS,
    LABELLED_ENVS,
    NAME_RE,
    VENUES,
    Annotation,
    AttributionRules,
    Author,
    Config,
    ExecutorSpec,
    Experiment,
    Latex,
    Lint,
    Paper,
    Policy,
    Signing,
    Submission,
)

__all__ = ["ANNOTATION_KEYS", "CONFIG_NAME", "EXECUTOR_KINDS", "LABELLED_ENVS", "NAME_RE", "VENUES", "Annotation",
           "AttributionRules", "Author", "Config", "ExecutorSpec", "Experiment", "Latex", "Lint", "Paper", "Policy",
           "Signing", "Submission", "load", "parse"]
