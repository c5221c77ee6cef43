#!/usr/bin/env bash
# What `make run` and `make report` need beyond pip: the Allure 3 command line in
# node_modules (npm ci). Node itself is the user's to install. Without it this does
# nothing, and `ocgate run` ends with its one-line "Node.js is not installed" error
# (the results are still written). Never apt-get or sudo here: the main job runs as
# any user. When node_modules is current it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  exit 0
fi

# npm records what it installed in node_modules/.package-lock.json; a newer lock file means a bump.
if [ ! -e node_modules/.bin/allure ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: installing the Allure 3 report generator (npm ci)"
  npm ci --no-audit --no-fund --no-update-notifier --loglevel=error >/dev/null
fi
