"""Where the build puts things, relative to the repository root. Users, the attestation
and `paperprov verify` rely on these names (DESIGN.md, "Files and names")."""

CONFIG_NAME = "provenance.yaml"  # at the repository root
RECORD = "build/record.json"
CHECKS = "build/checks.json"
DISCLOSURE_TEX = "build/disclosure.tex"
DISCLOSURE_MD = "build/disclosure.md"
USAGE_CARD_JSON = "build/ai-usage-card.json"  # AI Usage Card (Wahle et al.), from the record
USAGE_CARD_MD = "build/ai-usage-card.md"
GAIDET_MD = "build/gaidet.md"  # GAIDeT delegation statement
PDF = "build/paper.pdf"
ATTESTATION = "build/attestation.intoto.jsonl"
REPORT_HTML = "build/report/index.html"  # the reviewer's web page (self-contained)
# What the disclosure task writes, all of it attested.
DISCLOSURE_OUTPUTS = (DISCLOSURE_TEX, DISCLOSURE_MD, USAGE_CARD_JSON, USAGE_CARD_MD, GAIDET_MD)
LATEX_OUTDIR = "build/latex"
RUNS_DIR = "build/runs"  # how each experiment ran (attest/runs.py): <name>.json, <name>/ logs, packages/
SOURCE_TAR = "source.tar"  # `git archive` of the commit, inside the submission bundle
ZIP_EPOCH = 315532800  # 1980-01-01: the earliest time ZIP can say; the epoch when there is no commit


def submission_zip(name: str) -> str:
    """dist/<paper name>-submission.zip, what `doit submission` writes."""
    return f"dist/{name}-submission.zip"


def run_facts(name: str) -> str:
    """build/runs/<experiment>.json: how the experiment's last run went (attest/runs.py)."""
    return f"{RUNS_DIR}/{name}.json"


# Anonymous submissions (attest/anonymous.py): this build's one-off key and salt, kept in
# build/ (never in a bundle; the salt is revealed at camera-ready in the reveal file).
ANON_DIR = "build/anonymous"
ANON_KEY = f"{ANON_DIR}/key"  # Ed25519 private key made for this submission (mode 0600)
ANON_PUB = f"{ANON_DIR}/key.pub"  # its public line, which the appendix names
ANON_SALT = f"{ANON_DIR}/salt"  # 32 random bytes, hex: commit ids appear salted and hashed
ANON_BUNDLE_KEY = "keys/anonymous.pub"  # the anonymous public key inside the bundle
COMMITMENT = "anonymous.json"  # inside the bundle: the signed digest of the sealed identity binding


def reveal_file(name: str) -> str:
    """dist/<paper name>-reveal.json: the sealed identity binding of an anonymous submission."""
    return f"dist/{name}-reveal.json"


# provenance.yaml as parsed, by the digest of its text (config/parsed.py).
CONFIG_PARSED = "build/.paperprov/config.json"
# The values the commit hooks read of it, kept with its text after a full check (config/hookview.py).
HOOK_SETTINGS = "build/.paperprov/hooks.json"

# The SOURCE_DATE_EPOCH each output was last built with (pipeline writes, attest checks).
BUILT_EPOCHS = "build/.paperprov/epoch"
PAPER_EPOCH = f"{BUILT_EPOCHS}/paper"


def experiment_epoch(name: str) -> str:
    """build/.paperprov/epoch/experiments/<name>: the epoch its outputs were built with."""
    return f"{BUILT_EPOCHS}/experiments/{name}"


def experiment_log(name: str, task: int | None = None) -> str:
    """build/logs/<name>.log (task i of a sweep: build/logs/<name>.<i>.log): an experiment's
    stdout and stderr, interleaved, from its last run."""
    return f"build/logs/{name}.log" if task is None else f"build/logs/{name}.{task}.log"
