#!/usr/bin/env bash
# Installs the benchmark's peer server: Seldon MLServer (pinned) with onnxruntime (pinned to the
# same release as the onnxruntime-node the server uses, so both run the same engine), from PyPI
# into a virtualenv at .cache/python-mlserver. A venv rather than `pip install --target`: MLServer
# starts through its `mlserver` console script and spawns worker processes that must import the
# same site-packages, which a venv's interpreter gives them without PYTHONPATH plumbing.
# Idempotent: a marker file records the pins, so a second run is a fast no-op. Prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."

MLSERVER_VERSION=1.7.1
ONNXRUNTIME_VERSION=1.30.0
# uvloop 0.22+ makes MLServer 1.7.1's inference workers die at start-up ("no current event
# loop", SeldonIO/MLServer#2286, unfixed in a release): the last release before that change.
UVLOOP_VERSION=0.21.0
VENV=.cache/python-mlserver
MARKER="$VENV/.installed"
PINS="mlserver==$MLSERVER_VERSION onnxruntime==$ONNXRUNTIME_VERSION uvloop==$UVLOOP_VERSION"

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$PINS" ] && [ -x "$VENV/bin/mlserver" ]; then
  echo "ensure-mlserver: present in $VENV ($PINS)"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
  echo "ensure-mlserver: python3 with venv not found; the MLServer rows will be skipped" >&2
  exit 1
fi

# A venv from an older pin set may hold files the new pins no longer want: start afresh.
rm -rf "$VENV"
python3 -m venv "$VENV"
# shellcheck disable=SC2086 # PINS is a list of requirement specifiers
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  $PINS
echo "$PINS" >"$MARKER"
echo "ensure-mlserver: installed $PINS into $VENV"
