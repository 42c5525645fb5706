"""The actions behind the doit tasks that hand off to the record, disclosure, attestation
and submission stages. Each raises ProvenanceError for anything a user can cause;
tasks.action turns that into one line. (Experiments: experiments.py; LaTeX: latex.py.)"""

from __future__ import annotations

from provenance.config import Config
from provenance.paths import (
    ATTESTATION,
    CHECKS,
    DISCLOSURE_MD,
    DISCLOSURE_TEX,
    GAIDET_MD,
    RECORD,
    REPORT_HTML,
    USAGE_CARD_JSON,
    USAGE_CARD_MD,
)


def run_checks(cfg: Config) -> None:
    from provenance.record.checks import update_for_units, write_empty
    from provenance.record.formal import update_formal
    from provenance.scan.sources import scan_units

    units, _ = scan_units(cfg)
    out = cfg.root / CHECKS
    update_for_units(cfg.root, units, out, cfg.checks, cfg.annotations)
    if not out.exists():
        write_empty(out)  # doit needs its target even when no check is linked
    update_formal(cfg, units, out)  # formal proofs: Coq/Lean statuses under `formal`


def run_record(cfg: Config) -> None:
    from provenance.record.cache import write_record
    from provenance.record.policy import enforce

    record = write_record(cfg, cfg.root / RECORD)
    if cfg.policy.enforce_on_build:
        enforce(cfg, record)


def run_disclosure(cfg: Config, signers: tuple[tuple[str, str], ...] | None = None) -> None:
    """The appendix; it names `signers` (name, fingerprint), by default the disclosed
    signers of provenance.yaml (a rebuild passes the ones the attestation records)."""
    from provenance.attest.signers import disclosed_signers
    from provenance.disclose.view import write_disclosure

    named = disclosed_signers(cfg) if signers is None else signers
    write_disclosure(cfg, cfg.root / RECORD, cfg.root / DISCLOSURE_TEX, cfg.root / DISCLOSURE_MD, named)
    from provenance.disclose.usagecard import write_cards  # the other disclosure formats, same record

    write_cards(cfg, cfg.root / RECORD, cfg.root / USAGE_CARD_JSON, cfg.root / USAGE_CARD_MD, cfg.root / GAIDET_MD)


def run_report(cfg: Config) -> None:
    from provenance.disclose.html import write_report

    write_report(cfg.root, cfg.root / RECORD, cfg.root / REPORT_HTML, cfg.paper.name)


def run_attest(cfg: Config) -> None:
    from provenance.attest.sign import write_attestation

    write_attestation(cfg, cfg.root / ATTESTATION)


def run_submission(cfg: Config, allow_dirty: bool = False) -> None:
    import json

    from provenance.attest.submission import write_submission
    from provenance.record.policy import enforce
    from provenance.recordjson import record_from_dict

    record = record_from_dict(json.loads((cfg.root / RECORD).read_text(encoding="utf-8")))
    enforce(cfg, record)
    path = write_submission(cfg, allow_dirty=allow_dirty)
    print(f"wrote {path.relative_to(cfg.root)}")
