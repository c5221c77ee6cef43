#!/usr/bin/env bash
# Install what the tests need beyond pip: the Allure 3 command line (npm) and a
# headless Chromium (Debian) to render the report. Safe to run on every `make test`:
# when both are in place it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

# Root in CI containers; sudo on a developer machine or a hosted runner.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian package lists may be missing or stale on a fresh machine: refresh only on failure.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    as_root apt-get update -qq >/dev/null
    as_root apt-get install -y -qq "$@" >/dev/null
  }
}

if ! command -v npm >/dev/null; then
  echo "ci-deps: installing Node.js and npm (Debian)"
  apt_install nodejs npm
fi

# npm records what it installed in node_modules/.package-lock.json; a newer lock file means a bump.
if [ ! -e node_modules/.bin/allure ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ci-deps: installing the Allure 3 report generator (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
  echo "ci-deps: installing Chromium (Debian)"
  apt_install chromium
fi
