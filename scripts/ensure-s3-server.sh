#!/usr/bin/env bash
# Builds the S3-compatible server the @ovms/storage-s3 tests start (MinIO, pinned) from the Go
# module proxy into .cache/bin. Idempotent: a fast no-op when the pinned build is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The last MinIO commit published to the module proxy (MinIO has no semver tags); builds with go1.26.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
BIN_DIR=.cache/bin
STAMP="$BIN_DIR/.minio-$MINIO_VERSION"

if [ -x "$BIN_DIR/minio" ] && [ -f "$STAMP" ]; then
  echo "ensure-s3-server: minio $MINIO_VERSION present in $BIN_DIR"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-s3-server: go not found; cannot build MinIO for the S3 tests" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
# A stale binary must not pass the check below when this build fails.
rm -f "$BIN_DIR/minio" "$BIN_DIR"/.minio-*
GOBIN="$PWD/$BIN_DIR" go install "github.com/minio/minio@$MINIO_VERSION" 2>&1 |
  grep -v '^go: downloading' >&2 || true
[ -x "$BIN_DIR/minio" ] || { echo "ensure-s3-server: building minio failed" >&2; exit 1; }
touch "$STAMP"
echo "ensure-s3-server: built minio $MINIO_VERSION into $BIN_DIR"
