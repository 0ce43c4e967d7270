#!/usr/bin/env bash
# Installs the Python clients the end-to-end tests drive the server with (clients this project
# did not write): ovmsclient (TF Serving API, gRPC and REST) and tritonclient (KServe v2, HTTP
# and gRPC), pinned, from PyPI into .cache/python-clients. Idempotent: a marker file records the
# pins, so a second run is a fast no-op. Prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."

OVMSCLIENT_VERSION=2023.1
TRITONCLIENT_VERSION=2.73.0
TARGET=.cache/python-clients
MARKER="$TARGET/.installed"
PINS="ovmsclient==$OVMSCLIENT_VERSION tritonclient[http,grpc]==$TRITONCLIENT_VERSION"

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$PINS" ]; then
  echo "ensure-python-clients: present in $TARGET ($PINS)"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "ensure-python-clients: python3 with pip not found; the Python client tests will be skipped" >&2
  exit 1
fi

# --target does not replace older versions' files cleanly: start from an empty folder.
rm -rf "$TARGET"
mkdir -p "$TARGET"
# shellcheck disable=SC2086 # PINS is a list of requirement specifiers
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  --target "$TARGET" $PINS
echo "$PINS" >"$MARKER"
echo "ensure-python-clients: installed $PINS into $TARGET"
