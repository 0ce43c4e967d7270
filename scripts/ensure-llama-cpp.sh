#!/usr/bin/env bash
# The text-generation bench's peer (bench/genai): llama.cpp's OpenAI-compatible server from
# `llama-cpp-python[server]` (pinned), built from source by pip into .cache/python-llama. Bench
# only, not part of setup: the build compiles llama.cpp (many minutes on two cores).
# Idempotent: a marker records the pin. Prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_VERSION=0.3.36
TARGET=.cache/python-llama
PINS="llama-cpp-python[server]==$LLAMA_CPP_VERSION"

if [ -f "$TARGET/.installed" ] && [ "$(cat "$TARGET/.installed")" = "$PINS" ]; then
  echo "ensure-llama-cpp: present in $TARGET ($PINS)"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1 || ! command -v cmake >/dev/null 2>&1; then
  echo "ensure-llama-cpp: python3 and cmake are needed to build llama-cpp-python" >&2
  exit 1
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} python3 -m pip install --quiet \
  --disable-pip-version-check --root-user-action=ignore --target "$TARGET" "$PINS"
echo "$PINS" >"$TARGET/.installed"
echo "ensure-llama-cpp: installed $PINS into $TARGET"
