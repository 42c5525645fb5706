#!/usr/bin/env bash
# Install everything paperprov and its example need, on Debian/Ubuntu, then paperprov with
# its test extra in ./.venv. Each block below names what a missing command brings in and
# why; everything missing is installed in one apt transaction. Safe to run again: what is
# already there is skipped.
set -euo pipefail
cd "$(dirname "$0")"

want=()     # Debian packages to install
missing=()  # what is missing, for the message on a machine without apt-get

# need "WHAT" COMMAND... -- PACKAGE...: when any COMMAND is not on PATH, want the PACKAGEs.
need() {
  local what="$1" tool
  shift
  local tools=()
  while [ "$1" != "--" ]; do tools+=("$1"); shift; done
  shift
  for tool in "${tools[@]}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      want+=("$@")
      missing+=("$what")
      return
    fi
  done
}

# The build: TeX Live (latexmk, pdflatex and the LaTeX packages the example uses),
# poppler (pdftotext, pdfinfo: the appendix and leak checks read the PDF), git, ssh-keygen.
need "TeX Live and poppler (macOS: brew install --cask mactex-no-gui && brew install poppler)" \
  latexmk pdflatex pdftotext pdftoppm git ssh-keygen -- \
  latexmk texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
  texlive-pictures poppler-utils git openssh-client python3-venv

# Papers as they are: biblatex with biber, and the XeLaTeX and LuaLaTeX engines
# (`latex: {engine: ...}`, or a paper's latexmkrc) with fontspec; the appendix is tested
# under all three engines.
need "biber, xelatex and lualatex (tlmgr install biber biblatex xetex luatex fontspec)" \
  biber xelatex lualatex -- biber texlive-bibtex-extra texlive-xetex texlive-luatex

# Coq, for formal proofs linked from statements (`formal=coq:NAME`): the `checks` task
# compiles the development with coqc and asks `Print Assumptions`. Lean has no Debian
# package: its links stay "declared" unless lake is on PATH.
need "Coq (brew install coq, or opam)" coqc coqdep -- coq

# The reviewer's web page is tested in Debian's chromium driven by Playwright for Python
# (`playwright install` cannot download browsers here).
need "Chromium (set PAPERPROV_CHROMIUM to its binary for the browser tests)" chromium -- chromium

# bubblewrap: `paperprov verify --rebuild` runs the authors' code inside bwrap (no
# network, the system read-only, only its own directory writable). gnupg: the
# no-private-keys tests make a real PGP private key.
need "bubblewrap and gnupg" bwrap gpg -- bubblewrap gnupg

# Slurm: the executor's tests and trying it on one machine (scripts/local-slurm.sh starts a
# one-node cluster with accounting). Installed when CI=true, where the Slurm tests must run,
# or when asked with PAPERPROV_SLURM=1; a plain `bash install.sh` leaves the daemons out.
if [ "${CI:-}" = true ] || [ "${PAPERPROV_SLURM:-}" = 1 ]; then
  need "a Slurm cluster (slurm-wlm munge slurmdbd mariadb-server)" \
    slurmctld slurmd slurmdbd sbatch sacct munged mariadbd -- slurm-wlm munge slurmdbd mariadb-server
fi

if [ "${#want[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    printf 'install.sh: missing, and this is not Debian/Ubuntu: %s\n' "${missing[@]}" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${want[@]}"
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# An editable install as a path entry (.pth), not an import hook: every `paperprov hook`
# process would otherwise pay ~10 ms for setuptools' finder before importing anything.
.venv/bin/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat
echo "install.sh: ready; run .venv/bin/doit build (or activate: . .venv/bin/activate)"
