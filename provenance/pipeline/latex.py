"""latexmk on the paper: the paper's own latexmkrc with paperprov's reproducibility
settings over it, the output copied to build/paper.pdf, a failure in one line (texfail.py).

latexmk is run with -norc (no system or personal latexmkrc: a build must not depend on
the builder's machine) and reads, in this order:
  1. paperprov's defaults: pdfLaTeX ($pdf_mode = 1);
  2. the paper's `latexmkrc` or `.latexmkrc` beside the main file, if there is one: its
     commands, custom dependencies, $pdf_mode, $bibtex_use... win over the defaults;
  3. `latex:` extra_args from provenance.yaml, then paperprov's own options, then its
     enforced settings, which win over both: the output directory (build/latex), the
     engine when `latex.engine` is set, shell escape off unless `latex.shell_escape`,
     nonstop mode, halt on the first error, file:line errors, BibTeX run in the main
     file's directory, no previewer, no -f, and a PDF trailer /ID that does not name the
     checkout (pdfTeX drops it, LuaTeX gets zeros, xdvipdfmx is given relative names).
SOURCE_DATE_EPOCH (HEAD's commit time) and FORCE_SOURCE_DATE come from pipeline/env.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from provenance.config import Config
from provenance.errors import BuildError, ToolMissing
from provenance.fsutil import write_bytes_atomic, write_text_atomic
from provenance.paths import LATEX_OUTDIR, PAPER_EPOCH, PDF
from provenance.pipeline.env import reproducible_env
from provenance.pipeline.texfail import explain
from provenance.scan.sources import latexmkrc, paper_deps

INSTALL_TEX = {
    "latexmk": "Debian/Ubuntu: sudo apt-get install latexmk; macOS: brew install --cask mactex-no-gui (or tlmgr install latexmk)",
    "pdflatex": "Debian/Ubuntu: sudo apt-get install texlive-latex-extra texlive-fonts-recommended; macOS: brew install --cask mactex-no-gui",
    "xelatex": "Debian/Ubuntu: sudo apt-get install texlive-xetex; macOS: brew install --cask mactex-no-gui",
    "lualatex": "Debian/Ubuntu: sudo apt-get install texlive-luatex; macOS: brew install --cask mactex-no-gui",
}
ENGINE_FLAG = {"pdflatex": "-pdf", "xelatex": "-pdfxe", "lualatex": "-pdflua"}
RC_DIR = "build/.paperprov/latexmk"
_ZERO_ID = "<" + "0" * 32 + ">"
# pdfTeX: no /ID at all; LuaTeX: a fixed one (its default hashes the output path).
PRETEX = (r"\ifdefined\pdftrailerid\pdftrailerid{}\else\ifdefined\pdfvariable"
          rf"\pdfvariable trailerid{{[{_ZERO_ID} {_ZERO_ID}]}}\fi\fi")
ANONYMOUS_PRETEX = r"\def\paperprovanonymous{1}"
_COMMANDS = r"(\$latex, \$pdflatex, \$xelatex, \$lualatex, \$dvilualatex)"


def require_tex(cfg: Config) -> None:
    for tool in ("latexmk", cfg.latex.engine or "pdflatex"):
        if shutil.which(tool) is None:
            raise ToolMissing(f"{tool} not found on PATH; install TeX Live ({INSTALL_TEX[tool]})")


def _perl(text: str) -> str:
    """A Perl single-quoted string."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _sh(text: str) -> str:
    """A POSIX shell single-quoted word (latexmk runs its commands through a shell)."""
    return "'" + text.replace("'", "'\\''") + "'"


def _enforced(cfg: Config, outdir: Path) -> str:
    lines = [
        "# Written by paperprov (pipeline/latex.py): read after the paper's latexmkrc; these win.",
        f"$out_dir = $aux_dir = {_perl(str(outdir))};",
        "$bibtex_fudge = 0;  # BibTeX in the main file's directory, where \\bibliography{../refs} means what it says",
        "$preview_mode = $preview_continuous_mode = $force_mode = 0;",
        # An anonymous build defines \\paperprovanonymous, for \\ifdefined\\paperprovanonymous in the paper.
        f"$pre_tex_code = {_perl(PRETEX + (ANONYMOUS_PRETEX if cfg.submission.anonymous else ''))};",
        f"foreach my $cmd {_COMMANDS} {{ $$cmd =~ s/%S/%P/ unless $$cmd =~ /%P/; }}",
    ]
    # xdvipdfmx hashes the file names it is given into the trailer /ID: give it names
    # relative to the output directory, the same in every checkout.
    lines.append(f"$xdvipdfmx = {_perl('cd ' + _sh(str(outdir)) + ' && xdvipdfmx -E -o %R.pdf %O %R.xdv')};")
    if not cfg.latex.shell_escape:
        lines.append(f"foreach my $cmd {_COMMANDS} {{ $$cmd =~ s/(^|\\s)--?(shell-escape|enable-write18)(?=\\s|$)/$1/g; }}")
    return "\n".join(lines) + "\n"


def latexmk_command(cfg: Config, outdir: Path) -> list[str]:
    """The latexmk command line, writing its two rc files under build/.paperprov/."""
    rc_dir = cfg.root / RC_DIR
    defaults, enforced = rc_dir / "defaults.rc", rc_dir / "enforced.rc"
    write_text_atomic(defaults, "# Written by paperprov: defaults the paper's latexmkrc may change.\n"
                                "$pdf_mode = 1; $postscript_mode = $dvi_mode = 0;\n")
    write_text_atomic(enforced, _enforced(cfg, outdir))
    cmd = ["latexmk", "-norc", "-r", str(defaults)]
    rc = latexmkrc(cfg)
    if rc is not None:
        cmd += ["-r", str(cfg.root / rc)]
    cmd += list(cfg.latex.extra_args)
    if cfg.latex.engine:
        cmd.append(ENGINE_FLAG[cfg.latex.engine])
    cmd += ["-shell-escape" if cfg.latex.shell_escape else "-no-shell-escape",
            "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
            f"-outdir={outdir}", "-r", str(enforced), Path(cfg.paper.main).name]
    return cmd


def _forget_on_new_settings(cfg: Config, cmd: list[str], outdir: Path, stem: str) -> None:
    """latexmk reruns when a source changes, not when its settings do (shell escape, the
    engine's options, the paper's latexmkrc, the checkout's path): start it from a clean
    output folder then (its .fdb/.fls/.log name the old paths)."""
    rc = latexmkrc(cfg)
    rc_text = (cfg.root / rc).read_text(encoding="utf-8", errors="replace") if rc else ""
    enforced = (cfg.root / RC_DIR / "enforced.rc").read_text(encoding="utf-8")
    settings = "\0".join(cmd + [rc_text, enforced])
    stamp = cfg.root / RC_DIR / "settings"
    try:
        same = stamp.read_text(encoding="utf-8") == settings
    except OSError:
        same = False
    if not same:
        shutil.rmtree(outdir, ignore_errors=True)
        write_text_atomic(stamp, settings)


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
    require_tex(cfg)
    main = cfg.root / cfg.paper.main
    cwd, outdir = main.parent, (cfg.root / LATEX_OUTDIR).resolve()
    stem = main.stem
    cmd = latexmk_command(cfg, outdir)
    _forget_on_new_settings(cfg, cmd, outdir, stem)
    _mirror_dirs(cfg, cwd, outdir)
    env = reproducible_env(cfg.root)
    # BibTeX writes into -outdir by absolute path, which TeX's paranoid openout_any
    # allows only under TEXMFOUTPUT.
    env["TEXMFOUTPUT"] = str(outdir)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    log = outdir / f"{stem}.log"
    if proc.returncode != 0:
        raise BuildError(explain(proc.stdout + proc.stderr, proc.returncode, log, cwd, cfg.root, cfg.paper.main))
    pdf = outdir / f"{stem}.pdf"
    if not pdf.is_file():
        raise BuildError(f"latexmk wrote no {LATEX_OUTDIR}/{stem}.pdf for {cfg.paper.main} (does the paper's "
                         "latexmkrc set $jobname or a DVI mode?); see its log")
    write_bytes_atomic(cfg.root / PDF, pdf.read_bytes())
    write_text_atomic(cfg.root / PAPER_EPOCH, env["SOURCE_DATE_EPOCH"] + "\n")


def clean_latex(cfg: Config) -> None:
    shutil.rmtree(cfg.root / LATEX_OUTDIR, ignore_errors=True)
    (cfg.root / PDF).unlink(missing_ok=True)
