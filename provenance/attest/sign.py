"""Build and sign the in-toto statements: build/attestation.intoto.jsonl.

Which key signs (first that applies):
  1. $PAPERPROV_SIGNING_KEY — a path to a private key;
  2. `signing.key` in provenance.yaml (e.g. ~/.ssh/id_ed25519; ~ is expanded);
  3. paperprov's own key NAME in $XDG_CONFIG_HOME/paperprov/keys/ (default
     ~/.config/paperprov/keys/), generated on first use.
NAME is `signing.name`, else the git user name slugified. The signer's public line must
be in keys/*.pub so a reviewer can check it; if none holds it, keys/NAME.pub is written
and the build says, once, that it must be committed.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.attest.archive import make_archive
from provenance.attest.runs import runs_statement
from provenance.attest.signers import NAME_ENV, disclosed_signers, signer_name
from provenance.attest.testresult import test_result_statement
from provenance.config import CONFIG_NAME, Config
from provenance.errors import BuildError, SigningError, ToolMissing
from provenance.evidence.epochs import experiment_epochs
from provenance.evidence.gitrun import git, source_date_epoch
from provenance.evidence.gitstate import head_commit
from provenance.evidence.pubkeys import read_public_keys
from provenance.fsutil import write_text_atomic
from provenance.hashing import digest_files, sha256_file
from provenance.paths import (
    PDF,
    RECORD,
)
from provenance.scan.sources import check_sources, input_files, output_files

KEY_ENV = "PAPERPROV_SIGNING_KEY"
PACKAGES = ("paperprov", "doit", "PyYAML", "Jinja2", "cryptography", "bcrypt", "numpy", "matplotlib")


def _git(root: Path, *args: str) -> str | None:
    """git's answer, or None where git has none (not a repository, no such config)."""
    try:
        proc = git(root, *args, check=False)
    except ToolMissing:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def ensure_public_key(cfg: Config, signer: signing.Signer, name: str,
                      announce: Callable[[str], None] = _stderr, generated: bool = False) -> None:
    """Make sure keys/*.pub holds the signer's public key, writing keys/NAME.pub if not."""
    if any(k.fingerprint == signer.keyid for k in read_public_keys(cfg.root)):
        return
    pub = cfg.root / "keys" / f"{name}.pub"
    if pub.exists():
        raise SigningError(f"keys/{name}.pub holds another key than the signing key {signer.keyid} "
                           f"({signer.path}); set {NAME_ENV} (or pass --name) to a name of your own")
    base = signer.public_line.split()[:2]
    write_text_atomic(pub, " ".join(base + [name]) + "\n", mode=0o644)
    how = "generated signing key" if generated else "signing with"
    announce(f"paperprov: {how} {signer.path} ({signer.keyid}); wrote keys/{name}.pub — commit it: "
             f"git add keys/{name}.pub && git commit -m 'Add signing key {name}'")


def select_signer(cfg: Config, announce: Callable[[str], None] = _stderr, interactive: bool = False,
                  name: str | None = None) -> signing.Signer:
    name = name or signer_name(cfg)
    generated = False
    explicit = os.environ.get(KEY_ENV) or cfg.signing.key
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_absolute():
            path = cfg.root / path
        signer = signing.load_signer(path, comment=name, interactive=interactive)
    else:
        path = signing.default_key_dir() / name
        if path.exists():
            signer = signing.load_signer(path, comment=name, interactive=interactive)
        else:
            passphrase = os.environ.get(signing.PASSPHRASE_ENV)
            signer = signing.generate(path, name, passphrase.encode() if passphrase else None, repo_root=cfg.root)
            generated = True
    ensure_public_key(cfg, signer, name, announce, generated)
    return signer


def environment(engine: str = "pdflatex") -> dict[str, Any]:
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = "not installed"
    try:
        out = subprocess.run([engine, "--version"], capture_output=True, text=True, check=False).stdout
        tex = out.splitlines()[0].strip() if out.strip() else "unknown"
    except FileNotFoundError:
        tex = "not installed"
    return {"python": f"{platform.python_implementation()} {platform.python_version()}",
            "packages": packages, "tex": tex}


def statements(cfg: Config) -> list[bytes]:
    """The unsigned payloads. The SLSA and record statements are a function of the commit
    and the built files only; the runs statement (attest/runs.py), when there is one, is not."""
    root = cfg.root
    outs = digest_files(root, output_files(cfg))
    record_digest = digest_files(root, [RECORD])[RECORD]
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BuildError(f"{RECORD}: not valid JSON ({exc}); run `doit record`") from None
    inputs = digest_files(root, _inside(root, input_files(cfg)))
    external = {
        "paper": cfg.paper.name,
        "main": cfg.paper.main,
        "experiments": [{"name": e.name, "script": e.script, "seed": e.seed, "args": list(e.args),
                         "command": list(e.words), "cwd": e.cwd, "outputs": list(e.targets)} for e in cfg.experiments],
        "latex": {"engine": cfg.latex.engine, "shellEscape": cfg.latex.shell_escape,
                  "extraArgs": list(cfg.latex.extra_args)},
    }
    # Uncached: HEAD may have moved since the cache was filled in this process. The PDF,
    # record and disclosure carry HEAD's time; each experiment its own (evidence/epochs.py).
    internal = {"sourceDateEpoch": source_date_epoch(root), "experimentEpochs": experiment_epochs(cfg),
                "environment": environment(cfg.latex.engine or "pdflatex"),
                "signers": [{"name": n, "keyid": k} for n, k in disclosed_signers(cfg)]}
    commit = head_commit(root)
    # The tree of what source.tar will hold (attest/archive.py), and what it leaves out.
    archive = make_archive(root, commit, cfg.submission.exclude) if commit else None
    slsa = manifest.provenance_statement(outputs=outs, inputs=inputs, commit=commit,
                                         tree=archive.tree if archive else None, external=external,
                                         internal=internal, record_digest=record_digest, version=__version__,
                                         excluded=archive.excluded if archive else ())
    rec = manifest.record_statement(outputs=outs, record_digest=record_digest, record=record)
    # One statement per predicate type; which ones, in this order: SLSA, record, test results, runs.
    out = [slsa, rec]
    checks_config = {k: v for k, v in inputs.items() if k in set(check_sources(cfg)) | {CONFIG_NAME}}
    tested = test_result_statement(record=record, subjects={PDF: outs[PDF], RECORD: record_digest},
                                   configuration=checks_config)
    if tested is not None:
        out.append(tested)
    runs = runs_statement(cfg, outs)  # how the experiments ran: the one statement that differs between builds
    if runs is not None:
        out.append(runs)
    return [manifest.to_bytes(s) for s in out]


def _inside(root: Path, rels: list[str]) -> list[str]:
    """The inputs, none of which may be a symlink out of the repository: a signed
    attestation must not carry the digest of a file such as /etc/shadow."""
    real_root = root.resolve()
    for rel in rels:
        real = (root / rel).resolve()
        if not real.is_relative_to(real_root):
            raise BuildError(f"{rel}: resolves to {real}, outside the repository; refusing to hash it into the "
                             "attestation (replace the symlink with the file)")
    return rels


def _previous_signatures(out: Path) -> dict[bytes, tuple[tuple[str, bytes], ...]]:
    """Co-authors' signatures over payloads that did not change stay valid: keep them."""
    try:
        text = out.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}  # a broken old file is simply replaced
    return {e.envelope.payload: e.envelope.signatures for e in manifest.read_entries(text) if e.envelope is not None}


def write_attestation(cfg: Config, out: Path) -> None:
    payloads = statements(cfg)
    signer = select_signer(cfg, interactive=True)  # a protected key asks on the terminal, if there is one
    previous = _previous_signatures(out)
    known = {k.fingerprint: k.line for k in read_public_keys(cfg.root)}
    lines = []
    for payload in payloads:
        # Keep only old signatures that still verify with a key in keys/: a stale one
        # would fail a reviewer's check.
        pae = signing.pae(signing.PAYLOAD_TYPE, payload)
        sigs = tuple((kid, s) for kid, s in previous.get(payload, ())
                     if kid in known and signing.verify_signature(known[kid], s, pae))
        lines.append(signing.Envelope(payload, signing.PAYLOAD_TYPE, sigs).signed_by(signer).to_line())
    write_text_atomic(out, "\n".join(lines) + "\n", mode=0o644)


def check_subjects(cfg: Config, path: Path) -> list[str]:
    """Subjects of an attestation whose file differs from (or is missing in) the work
    tree: empty when the attestation describes what is on disk."""
    bad = []
    for _, st in manifest.read_attestation(path):
        for name, digest in st.subjects.items():
            f = cfg.root / name
            if not manifest.is_safe_name(name) or not f.is_file() or sha256_file(f) != digest:
                bad.append(name)
    return sorted(set(bad))
