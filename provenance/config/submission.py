"""`submission:` in provenance.yaml: what goes into dist/<name>-submission.zip, and whether
it is anonymous (double-blind review).

    submission:
      anonymous: true            # the appendix, record, page, attestation and bundle name no one
      anonymize: [paper/acknowledgements.tex, paper/authors.tex]   # left out, listed in the reveal file
      exclude: [data/]           # left out of source.tar in every mode

Anonymous mode for one build, whatever provenance.yaml says: PAPERPROV_ANONYMOUS=1 (or 0 for
a named build), e.g. `PAPERPROV_ANONYMOUS=1 doit submission`. An environment variable rather
than a doit parameter because every task that renders something (record, disclosure, paper,
report, attestation, bundle) must agree, and doit passes a task's parameters to that task only.

Globs are matched against repository-relative paths as `annotations` globs are (`*` also
matches `/`); a glob that matches a folder matches everything in it.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import PurePosixPath
from typing import Any

from provenance.config.reader import Reader
from provenance.config.schema import CONFIG_NAME, Submission
from provenance.errors import ConfigError

ANONYMOUS_ENV = "PAPERPROV_ANONYMOUS"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def anonymous_override(environ: Any = None) -> bool | None:
    """$PAPERPROV_ANONYMOUS as a yes/no, None when unset or empty."""
    value = (os.environ if environ is None else environ).get(ANONYMOUS_ENV, "").strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"${ANONYMOUS_ENV}={value!r}: use 1 (anonymous build) or 0 (named build)")


def _globs(r: Reader, value: Any, key: str) -> tuple[str, ...]:
    globs = r.strings(value, key)
    for g in globs:
        p = PurePosixPath(g.rstrip("/"))
        if not g.strip() or p.is_absolute() or ".." in p.parts or "\\" in g:
            raise r.fail(key, f"{g!r}: give globs relative to the repository root, e.g. paper/acknowledgements.tex")
        if str(p) in (".", "*") or fnmatch.fnmatchcase(CONFIG_NAME, g.rstrip("/")):
            verb = "exclude" if key.endswith("exclude") else "leave out"
            raise r.fail(key, f"{g!r} would {verb} {CONFIG_NAME}, which every build (and a rebuild) needs")
    return globs


def parse_submission(r: Reader, value: Any) -> Submission:
    m = r.mapping(value, "submission", ("anonymous", "anonymize", "exclude"))
    anonymous = r.typed(m.get("anonymous"), "submission.anonymous", bool, False)
    override = anonymous_override()
    return Submission(anonymous=anonymous if override is None else override,
                      anonymize=_globs(r, m.get("anonymize"), "submission.anonymize"),
                      exclude=_globs(r, m.get("exclude"), "submission.exclude"))
