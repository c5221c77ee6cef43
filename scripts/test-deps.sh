#!/usr/bin/env bash
# What `make test` needs beyond `make run`: Node (report tests) and a headless Chromium
# (the report render check), then the same npm install as `make run`.
# System packages are installed (Debian apt) only as root or with passwordless sudo.
# Otherwise one line says what is missing and the tests that need it skip, except
# under CI=true: there the render check must run, so a missing browser stops here.
set -euo pipefail
cd "$(dirname "$0")/.."

can_install() {
  [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Debian package lists may be missing or stale on a fresh machine: refresh only on failure.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    as_root apt-get update -qq >/dev/null
    as_root apt-get install -y -qq "$@" >/dev/null
  }
}

in_ci() {
  case "${CI:-}" in "" | 0 | false | False | FALSE) return 1 ;; *) return 0 ;; esac
}

# The names tests/browser_check.py looks for.
have_chromium() {
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null
}

missing=()     # Debian packages to install
described=()   # what they are for, for the one line when they cannot be
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
  described+=("Node.js 20+ (the HTML report tests)")
fi
if ! have_chromium; then
  missing+=(chromium)
  described+=("Chromium (the report render test)")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  printf -v what '%s and ' "${described[@]}"
  what=${what% and }
  if can_install; then
    echo "test-deps: installing ${missing[*]} (Debian)"
    apt_install "${missing[@]}"
  elif in_ci; then
    echo "test-deps: CI needs $what, and without root or passwordless sudo they cannot be installed here: add ${missing[*]} to the image" >&2
    exit 1
  else
    echo "test-deps: no root or passwordless sudo, so no $what: those tests will be skipped (to run them: sudo apt-get install -y ${missing[*]})"
  fi
fi

bash scripts/deps.sh
