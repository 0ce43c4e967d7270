#!/usr/bin/env bash
# clang and wasm-ld build packages/codecs/wasm (scripts/build-wasm.sh). Only CI's drift check
# and people changing the C need them: the module is committed, so installs do not.
# Idempotent: installs with apt-get only when either tool is missing.
set -euo pipefail
if command -v clang >/dev/null 2>&1 && command -v wasm-ld >/dev/null 2>&1; then
  exit 0
fi
echo "ensure-clang: installing clang and lld with apt-get" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq clang lld >/dev/null
command -v clang >/dev/null && command -v wasm-ld >/dev/null
