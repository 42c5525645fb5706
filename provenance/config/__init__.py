"""provenance.yaml: what the authors declare (schema.py), read and checked (validate.py,
reader.py). Everything a caller needs is importable from here.

The names are imported when first used, not with the package: the commit hooks and the
LaTeX scanner import small modules of it (reader, parsed, formal) on every commit, and
importing the package must not build the schema's frozen dataclasses for them (~20 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.config.reader import NAME_RE
    from provenance.config.schema import (
        ANNOTATION_KEYS,
        CONFIG_NAME,
        EXECUTOR_KINDS,
        LABELLED_ENVS,
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
    from provenance.config.validate import load, parse

__all__ = ["ANNOTATION_KEYS", "CONFIG_NAME", "EXECUTOR_KINDS", "LABELLED_ENVS", "NAME_RE", "VENUES", "Annotation",
           "AttributionRules", "Author", "Config", "ExecutorSpec", "Experiment", "Latex", "Lint", "Paper", "Policy",
           "Signing", "Submission", "load", "parse"]
_HOME = {name: "schema" for name in __all__} | {"NAME_RE": "reader", "load": "validate", "parse": "validate"}

if not TYPE_CHECKING:  # mypy sees the imports above, so a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        if name not in _HOME:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"provenance.config.{_HOME[name]}"), name)
        globals()[name] = value
        return value
