"""The actions behind the doit tasks: run experiments, run latexmk, and hand off to the
record, disclosure and attestation stages. Each raises ProvenanceError for anything a
user can cause; tasks.action turns that into one line."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from provenance.config import Config, Experiment
from provenance.errors import BuildError, ToolMissing
from provenance.paths import ATTESTATION, CHECKS, DISCLOSURE_MD, DISCLOSURE_TEX, LATEX_OUTDIR, PDF, RECORD

INSTALL_TEX = {
    "latexmk": "Debian/Ubuntu: sudo apt-get install latexmk; macOS: brew install --cask mactex-no-gui (or tlmgr install latexmk)",
    "pdflatex": "Debian/Ubuntu: sudo apt-get install texlive-latex-extra texlive-fonts-recommended; macOS: brew install --cask mactex-no-gui",
}
FALLBACK_EPOCH = 315532800  # 1980-01-01, ZIP's epoch, when there is no commit yet


@functools.lru_cache(maxsize=None)
def source_date_epoch(root: Path) -> int:
    """HEAD's commit time, so a build of one commit is the same wherever it runs.
    An explicit SOURCE_DATE_EPOCH in the environment wins."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    from provenance.evidence.gitrun import git

    try:
        out = git(root, "log", "-1", "--format=%ct", "HEAD", check=False)
    except ToolMissing:
        return FALLBACK_EPOCH
    stamp = out.stdout.decode().strip()
    return int(stamp) if out.returncode == 0 and stamp.isdigit() else FALLBACK_EPOCH


def reproducible_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOURCE_DATE_EPOCH=str(source_date_epoch(root)),
        FORCE_SOURCE_DATE="1",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
    )
    return env


def _tail(text: str, lines: int = 8) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output on stderr)"


def run_experiment(cfg: Config, exp: Experiment) -> None:
    outdir = cfg.root / exp.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
    cmd = [sys.executable, exp.script, "--out", exp.outdir, "--seed", str(exp.seed), *exp.args]
    proc = subprocess.run(cmd, cwd=cfg.root, env=reproducible_env(cfg.root), capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"experiment {exp.name} ({exp.script}) failed with exit code {proc.returncode}: {_tail(proc.stderr)}")
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        raise BuildError(
            f"experiment {exp.name} ({exp.script}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml ({_tail(proc.stderr, 3)})"
        )


def require_tex() -> None:
    for tool in ("latexmk", "pdflatex"):
        if shutil.which(tool) is None:
            raise ToolMissing(f"{tool} not found on PATH; install TeX Live ({INSTALL_TEX[tool]})")


def _latex_paths(cfg: Config) -> tuple[Path, str, Path]:
    main = cfg.root / cfg.paper.main
    outdir = cfg.root / LATEX_OUTDIR
    return main.parent, main.name, outdir


_TEX_ERROR = re.compile(r"^(?:[^:\s]+\.(?:tex|sty|cls):\d+: .+|! .+)$")


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log was written"
    for line in lines:
        if _TEX_ERROR.match(line):
            return line.strip()
    return "no error line found in the log"


def _latexmk_reason(log: Path, output: str) -> str:
    """Why latexmk failed when LaTeX itself did not: a BibTeX error (in the .blg) or
    latexmk's own summary (a missing .bib, too many passes), else the log's first error."""
    try:
        blg = log.with_suffix(".blg").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        blg = []
    for line in blg:
        if line.startswith(("I couldn't open", "I found no")):
            return f"BibTeX: {line.strip()}"
    lines = output.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("Bib file(s) not found in search path:"):
            return f"bibliography file not found: {lines[i + 1].strip()} (paths are relative to the main file's directory)"
        if line.startswith("Latexmk: Failure in processing file"):
            return f"latexmk: {lines[i + 1].strip()}"
    return "no error line found in the log"


def _mirror_dirs(cfg: Config, cwd: Path, outdir: Path) -> None:
    """\\include{sections/x} writes sections/x.aux under -outdir, and TeX does not create
    directories: make the ones the paper's files live in."""
    from provenance.pipeline.tasks import paper_deps

    tex, _ = paper_deps(cfg)
    for rel in tex:
        sub = os.path.relpath(os.path.dirname(cfg.root / rel), cwd)
        if sub != "." and not sub.startswith(".."):
            (outdir / sub).mkdir(parents=True, exist_ok=True)
    outdir.mkdir(parents=True, exist_ok=True)


def run_latex(cfg: Config) -> None:
    from provenance.fsutil import write_bytes_atomic

    require_tex()
    cwd, main, outdir = _latex_paths(cfg)
    _mirror_dirs(cfg, cwd, outdir)
    # BibTeX must run in the paper's directory, so that \bibliography{../refs} means
    # what it means to LaTeX (latexmk's default runs it inside -outdir, where it does
    # not). BibTeX then writes into -outdir by absolute path, which TeX's paranoid
    # openout_any allows only under TEXMFOUTPUT.
    abs_out = outdir.resolve()
    cmd = ["latexmk", "-pdf", "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode",
           "-file-line-error", f"-outdir={abs_out}", "-nobibtexfudge",
           # pdfTeX derives the trailer /ID from the absolute output path: drop it, so two
           # checkouts (and verify --rebuild) give the same PDF bytes.
           "-usepretex=\\pdftrailerid{}", main]
    env = reproducible_env(cfg.root)
    env["TEXMFOUTPUT"] = str(abs_out)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    stem = Path(main).stem
    log = outdir / f"{stem}.log"
    if proc.returncode != 0:
        reason = _first_error(log)
        if reason.startswith("no error line"):
            reason = _latexmk_reason(log, proc.stdout + proc.stderr)
        raise BuildError(f"LaTeX failed on {cfg.paper.main}: {reason} (full log: {log.relative_to(cfg.root)})")
    pdf = outdir / f"{stem}.pdf"
    write_bytes_atomic(cfg.root / PDF, pdf.read_bytes())


def clean_latex(cfg: Config) -> None:
    shutil.rmtree(cfg.root / LATEX_OUTDIR, ignore_errors=True)
    (cfg.root / PDF).unlink(missing_ok=True)


def run_checks(cfg: Config) -> None:
    from provenance.record.checks import update_for_units, write_empty
    from provenance.record.assemble import scan_units

    units, _ = scan_units(cfg)
    out = cfg.root / CHECKS
    update_for_units(cfg.root, units, out, cfg.checks, cfg.annotations)
    if not out.exists():
        write_empty(out)  # doit needs its target even when no check is linked


def run_record(cfg: Config) -> None:
    from provenance.record.policy import enforce
    from provenance.record.assemble import write_record

    record = write_record(cfg, cfg.root / RECORD)
    if cfg.policy.enforce_on_build:
        enforce(cfg, record)


def run_disclosure(cfg: Config) -> None:
    from provenance.disclose.view import write_disclosure

    write_disclosure(cfg, cfg.root / RECORD, cfg.root / DISCLOSURE_TEX, cfg.root / DISCLOSURE_MD)


def run_attest(cfg: Config) -> None:
    from provenance.attest.sign import write_attestation

    write_attestation(cfg, cfg.root / ATTESTATION)


def run_submission(cfg: Config, allow_dirty: bool = False) -> None:
    import json

    from provenance.model import record_from_dict
    from provenance.record.policy import enforce
    from provenance.attest.submission import write_submission

    record = record_from_dict(json.loads((cfg.root / RECORD).read_text(encoding="utf-8")))
    enforce(cfg, record)
    path = write_submission(cfg, allow_dirty=allow_dirty)
    print(f"wrote {path.relative_to(cfg.root)}")
