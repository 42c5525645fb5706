"""What the appendix says about people and keys, named or anonymous.

A named build names its disclosed signers (attest/signers.py) and counts a reviewer as an
author when provenance.yaml lists that name or email. An anonymous build (submission.anonymous
or $PAPERPROV_ANONYMOUS) names only the key made for this submission (build/anonymous/key.pub,
by fingerprint, as signer "anonymous"), and its record's reviewers are pseudonyms, so "Author 1" .. "Author N"
(N = the authors in provenance.yaml, whose pseudonymized copy in the source archive has
the same N) are the authors. The commit in the record is then a salted digest, not an id.
"""

from __future__ import annotations

from provenance.config import Config
from provenance.errors import BuildError
from provenance.evidence.pubkeys import fingerprint
from provenance.paths import ANON_PUB, submission_zip

ANONYMOUS_SIGNER = "anonymous"  # the name the attestation records for the key (internalParameters.signers)


def anonymous_signers(cfg: Config) -> tuple[tuple[str, str], ...]:
    """(name, fingerprint) of the one key an anonymous appendix names: build/anonymous/key.pub."""
    try:
        line = (cfg.root / ANON_PUB).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise BuildError(f"{ANON_PUB}: missing; run `doit record` (an anonymous build makes the key)") from None
    return ((ANONYMOUS_SIGNER, fingerprint(line, ANON_PUB)),)


def author_names(cfg: Config) -> set[str]:
    """Names and emails (casefolded) a reviewer may go by and be an author."""
    if cfg.submission.anonymous:
        return {f"author {i}" for i in range(1, len(cfg.authors) + 1)}
    return {x.lower() for au in cfg.authors for x in (au.name, au.email) if x}


def verify_command(cfg: Config) -> str:
    bundle = submission_zip(cfg.paper.name)
    if cfg.submission.anonymous:
        return f"paperprov verify {bundle}"  # the bundle's anonymous key; there is nobody to trust yet
    return f"paperprov verify {bundle} --trusted-keys keys/"
