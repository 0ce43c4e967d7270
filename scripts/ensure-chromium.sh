#!/usr/bin/env bash
# Installs Chromium from Debian's packages for the dashboard's browser tests
# (apps/ovms/test/dashboard.test.ts) and scripts/dashboard-screenshots.ts, which drive it with
# playwright-core (an npm package that downloads no browser). Idempotent: a no-op when a
# chromium binary answers `--version`. Installing needs root (or sudo) and apt; without them it
# says what to run and fails, and scripts/setup-test-tools.sh turns that into a failed run under
# CI=true. The tests find the binary on PATH, or at $CHROMIUM_PATH.
set -euo pipefail

found() {
  local bin
  for bin in "${CHROMIUM_PATH:-}" chromium chromium-browser; do
    [ -n "$bin" ] || continue
    if command -v "$bin" >/dev/null 2>&1 && "$bin" --version >/dev/null 2>&1; then
      echo "ensure-chromium: present: $("$bin" --version 2>/dev/null) ($(command -v "$bin"))"
      return 0
    fi
  done
  return 1
}

found && exit 0

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ensure-chromium: chromium not found and no root to install it; run: apt-get install -y chromium" >&2
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || {
  echo "ensure-chromium: chromium not found and no apt-get; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
}
started=$(date +%s)
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
found || { echo "ensure-chromium: chromium installed but does not run" >&2; exit 1; }
echo "ensure-chromium: installed in $(($(date +%s) - started))s"
