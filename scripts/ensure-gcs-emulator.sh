#!/usr/bin/env bash
# Installs fake-gcs-server, the GCS emulator the storage-gcs tests start, pinned, from the Go
# module proxy into .cache/bin. Idempotent: when the binary there was built from the pinned
# version (read back with `go version -m`), it is a fast no-op. Prints one line.
# A cold build takes ~5 minutes (module downloads included); a warm module cache ~1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=v1.56.1
MODULE=github.com/fsouza/fake-gcs-server
BIN_DIR="$PWD/.cache/bin"
BIN="$BIN_DIR/fake-gcs-server"

if ! command -v go >/dev/null 2>&1; then
  echo "ensure-gcs-emulator: go not found; install Go to build $MODULE@$VERSION" >&2
  exit 1
fi

if [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]*$MODULE[[:space:]]*$VERSION"; then
  echo "ensure-gcs-emulator: present in $BIN ($MODULE@$VERSION)"
  exit 0
fi

mkdir -p "$BIN_DIR"
started=$(date +%s)
# go prints a line per downloaded module: keep it for a failure, print one line otherwise.
if ! log=$(GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "$MODULE@$VERSION" 2>&1); then
  echo "$log" >&2
  echo "ensure-gcs-emulator: go install $MODULE@$VERSION failed" >&2
  exit 1
fi
echo "ensure-gcs-emulator: installed $MODULE@$VERSION into $BIN in $(($(date +%s) - started))s"
