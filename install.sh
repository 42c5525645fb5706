#!/usr/bin/env bash
# Install everything paperprov and its example need, on Debian/Ubuntu:
#   TeX Live (latexmk, pdflatex, the LaTeX packages the example uses), poppler-utils,
#   git, chromium (browser tests of the reviewer's page), and paperprov with its test
#   extra in ./.venv.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

apt_packages=(latexmk texlive-latex-base texlive-latex-recommended texlive-latex-extra
              texlive-fonts-recommended texlive-pictures poppler-utils git openssh-client python3-venv)
need_apt=0
for tool in latexmk pdflatex pdftotext pdftoppm git ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install.sh: TeX Live is missing and this is not Debian/Ubuntu; on macOS: brew install --cask mactex-no-gui && brew install poppler" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${apt_packages[@]}"
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

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
echo "install.sh: ready; run .venv/bin/doit build (or activate: . .venv/bin/activate)"
