"""Who signs (the signer name) and whom the appendix names as signers, decided before
the PDF exists (it is inside it).

The disclosed signers are `signing.signers` in provenance.yaml (names of committed
keys/<name>.pub), or else the key this build signs with (keys/<signer name>.pub, when
it is committed). They are fingerprinted from the keys committed at HEAD, so every
co-author who builds the commit renders the same appendix; the attestation records them
(internalParameters.signers) so a reviewer's rebuild renders it too; and `verify` fails
when one of them has not signed. A key that signs without being disclosed (a co-signer
outside signing.signers) counts towards the threshold but is not named in the PDF.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from provenance.config import CONFIG_NAME, NAME_RE, Config
from provenance.errors import ConfigError, SigningError, ToolMissing
from provenance.evidence.gitrun import git
from provenance.evidence.pubkeys import committed_public_keys

NAME_ENV = "PAPERPROV_SIGNING_NAME"


def _git_user(root: Path) -> str | None:
    try:
        proc = git(root, "config", "user.name", check=False)
    except ToolMissing:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None




def default_name(root: Path, configured: str | None = None) -> str:
    """The signer's NAME: $PAPERPROV_SIGNING_NAME (per person; provenance.yaml is shared
    by all co-authors), else `signing.name`, else the git user name slugified."""
    if os.environ.get(NAME_ENV):
        return os.environ[NAME_ENV]
    if configured:
        return configured
    user = _git_user(root) or os.environ.get("GIT_AUTHOR_NAME") or ""
    slug = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")
    return slug or "author"


def signer_name(cfg: Config) -> str:
    name = default_name(cfg.root, cfg.signing.name)
    if not NAME_RE.match(name):
        raise SigningError(f"signer name {name!r} ({NAME_ENV}?): use letters, digits, '.', '_' or '-'")
    return name


def disclosed_names(cfg: Config) -> tuple[str, ...]:
    return cfg.signing.signers or (signer_name(cfg),)


def disclosed_signers(cfg: Config) -> tuple[tuple[str, str], ...]:
    """(name, fingerprint) of each disclosed signer, in the declared order."""
    committed = {k.name: k.fingerprint for k in committed_public_keys(cfg.root)}
    out = []
    for name in disclosed_names(cfg):
        if name in committed:
            out.append((name, committed[name]))
        elif cfg.signing.signers:
            raise ConfigError(f"{CONFIG_NAME}: signing.signers: keys/{name}.pub is not committed; commit it "
                              f"(git add keys/{name}.pub && git commit) or remove {name} from the list")
        # else: the builder's own key, not committed yet (a first build): the appendix names
        # no signer, and the build says what to commit.
    return tuple(out)
