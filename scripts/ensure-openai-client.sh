#!/usr/bin/env bash
# The `openai` Python client (PyPI, pinned) the text-generation end-to-end tests drive the
# server with, into .cache/python-openai. Idempotent: a marker records the pin.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENAI_VERSION=3.51.0
TARGET=.cache/python-openai
PINS="openai==$OPENAI_VERSION"

if [ -f "$TARGET/.installed" ] && [ "$(cat "$TARGET/.installed")" = "$PINS" ]; then
  echo "ensure-openai-client: present in $TARGET ($PINS)"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "ensure-openai-client: python3 with pip not found" >&2
  exit 1
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  --target "$TARGET" "$PINS"
echo "$PINS" >"$TARGET/.installed"
echo "ensure-openai-client: installed $PINS into $TARGET"
