#!/usr/bin/env bash
# Installs grpcurl, pinned, into .cache/bin with `go install` from the Go module proxy. The e2e
# suite (apps/ovms/test/grpc-health-grpcurl.test.ts) lists and describes the server's services
# with it through gRPC server reflection. Idempotent: a no-op when the binary there reports the
# pinned module version (`go version -m` reads its build info back).
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE=github.com/fullstorydev/grpcurl
VERSION=v1.9.3
BIN_DIR="$PWD/.cache/bin"
BIN="$BIN_DIR/grpcurl"

if [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]*$MODULE[[:space:]]*$VERSION"; then
  echo "ensure-grpcurl: present in $BIN ($MODULE@$VERSION)"
  exit 0
fi
command -v go >/dev/null 2>&1 || {
  echo "ensure-grpcurl: go not found; install Go to build $MODULE@$VERSION" >&2
  exit 1
}
mkdir -p "$BIN_DIR"
started=$(date +%s)
GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "$MODULE/cmd/grpcurl@$VERSION"
echo "ensure-grpcurl: installed into $BIN ($MODULE@$VERSION) in $(($(date +%s) - started))s"
