#!/usr/bin/env bash
# One command on a fresh Debian machine: install what the demo needs, then run it
# (nbshield loaded in Chromium on a local fake GitHub serving bundled notebooks).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/lib/chromium/chromium ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
exec npm run demo -- "$@"
