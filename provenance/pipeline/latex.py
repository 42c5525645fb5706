"""latexmk on the paper: reproducible settings, the output copied to build/paper.pdf, and a
failure reported as the first error of the log."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from provenance.config import Config
from provenance.errors import BuildError, ToolMissing
from provenance.fsutil import write_bytes_atomic
from provenance.paths import LATEX_OUTDIR, PDF
from provenance.pipeline.env import reproducible_env
from provenance.scan.sources import paper_deps

INSTALL_TEX = {
    "latexmk": "Debian/Ubuntu: sudo apt-get install latexmk; macOS: brew install --cask mactex-no-gui (or tlmgr install latexmk)",
    "pdflatex": "Debian/Ubuntu: sudo apt-get install texlive-latex-extra texlive-fonts-recommended; macOS: brew install --cask mactex-no-gui",
}


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
    tex, _ = paper_deps(cfg)
    for rel in tex:
        sub = os.path.relpath(os.path.dirname(cfg.root / rel), cwd)
        if sub != "." and not sub.startswith(".."):
            (outdir / sub).mkdir(parents=True, exist_ok=True)
    outdir.mkdir(parents=True, exist_ok=True)


def run_latex(cfg: Config) -> None:
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
           # An anonymous build defines \paperprovanonymous, for \ifdefined\paperprovanonymous in the paper.
           "-usepretex=\\pdftrailerid{}" + ("\\def\\paperprovanonymous{1}" if cfg.submission.anonymous else ""), main]
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
