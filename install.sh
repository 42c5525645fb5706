#!/usr/bin/env bash
# Install everything paperprov and its example need, on Debian/Ubuntu:
#   TeX Live (latexmk, pdflatex, the LaTeX packages the example uses; biber, xelatex and
#   lualatex for papers that use them), poppler-utils,
#   git, Coq (coqc, for formal proofs), chromium (browser tests of the reviewer's page),
#   bubblewrap (the sandbox of verify --rebuild), gnupg (tests),
#   and paperprov with its test extra in ./.venv; with CI=true or PAPERPROV_SLURM=1 also
#   a one-node Slurm cluster's packages (see the Slurm block below).
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

apt_packages=(latexmk texlive-latex-base texlive-latex-recommended texlive-latex-extra
              texlive-fonts-recommended texlive-pictures poppler-utils git openssh-client python3-venv)
need_apt=0
for tool in latexmk pdflatex pdftotext pdftoppm git ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || need_apt=1
done
# apt_install HINT PACKAGE...: Debian packages, or a line saying what to do elsewhere.
apt_install() {
  local hint="$1"
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install.sh: $hint" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
}
if [ "$need_apt" = 1 ]; then
  apt_install "TeX Live is missing and this is not Debian/Ubuntu; on macOS: brew install --cask mactex-no-gui && brew install poppler" \
    "${apt_packages[@]}"
fi

# Papers as they are: biblatex with biber, and the XeLaTeX and LuaLaTeX engines
# (`latex: {engine: ...}`, or a paper's latexmkrc) with fontspec; the appendix is tested
# under all three engines (tests/disclose/test_engines.py, tests/pipeline/test_latex.py).
# Debian: biber, texlive-bibtex-extra (biblatex), texlive-xetex, texlive-luatex.
need_engines=0
for tool in biber xelatex lualatex; do
  command -v "$tool" >/dev/null 2>&1 || need_engines=1
done
if [ "$need_engines" = 1 ]; then
  apt_install "biber, xelatex or lualatex is missing and this is not Debian/Ubuntu; install them with TeX Live (tlmgr install biber biblatex xetex luatex fontspec)" \
    biber texlive-bibtex-extra texlive-xetex texlive-luatex
fi

# Coq, for formal proofs linked from statements (`formal=coq:NAME`): the `checks` task
# compiles the development with coqc and asks `Print Assumptions` (the example's
# formal/Pythagorean.v; the tests compile developments of their own). Debian's package
# (Coq 8.16 on bookworm, ~30 s to install). Lean has no Debian package: its toolchain
# comes from its own installer, so Lean links stay "declared" unless lake is on PATH.
if ! command -v coqc >/dev/null 2>&1 || ! command -v coqdep >/dev/null 2>&1; then
  apt_install "Coq is missing and this is not Debian/Ubuntu; install it (e.g. brew install coq, or opam)" coq
fi

# Browser tests of the reviewer's web page (tests/disclose/test_report_browser.py) drive
# Debian's chromium through Playwright for Python (the test extra); `playwright install`
# cannot download browsers here, so the browser comes from apt. Without it those tests
# fail when CI=true.
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
  else
    echo "install.sh: chromium is missing and this is not Debian/Ubuntu; install Chromium and set PAPERPROV_CHROMIUM to its binary for the browser tests" >&2
  fi
fi

# bubblewrap, for `paperprov verify --rebuild`: the rebuild runs the authors' code inside
# bwrap (no network, the system read-only, only its own directory writable); without it
# verify refuses to rebuild unless --no-sandbox. bwrap needs unprivileged user namespaces
# (Debian 12 and Ubuntu 22.04 allow them; on Ubuntu 24.04 see the README's "Security").
# gnupg: the no-private-keys tests make a real PGP private key. util-linux (essential on
# Debian) brings `unshare`, with which the build-lock tests fill a small tmpfs build/.
if ! command -v bwrap >/dev/null 2>&1 || ! command -v gpg >/dev/null 2>&1; then
  apt_install "bubblewrap or gnupg is missing and this is not Debian/Ubuntu; install bubblewrap (dnf/pacman: bubblewrap) and gnupg" \
    bubblewrap gnupg
fi

# -- Slurm: the Slurm executor's tests, and trying it on one machine ----------------------
# slurm-wlm, munge, slurmdbd and mariadb-server make the one-node cluster with accounting
# that scripts/local-slurm.sh starts and stops. The rule: installed when CI=true (the Slurm
# tests must run there, and fail without it) or when asked with PAPERPROV_SLURM=1; a plain
# `bash install.sh` for the example leaves them out (daemons the example does not need).
if [ "${CI:-}" = true ] || [ "${PAPERPROV_SLURM:-}" = 1 ]; then
  for tool in slurmctld slurmd slurmdbd sbatch sacct munged mariadbd; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      apt_install "the local Slurm cluster needs Debian/Ubuntu packages (slurm-wlm munge slurmdbd mariadb-server)" \
        slurm-wlm munge slurmdbd mariadb-server
      break
    fi
  done
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
