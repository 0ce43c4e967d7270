#!/usr/bin/env bash
# Regenerates packages/proto/src/generated from protos/ with buf and ts-proto, both from npm
# (no system protoc). CI runs it and fails when the committed output differs.
set -euo pipefail
cd "$(dirname "$0")/../packages/proto"
rm -rf src/generated
node_modules/.bin/buf generate
../../node_modules/.bin/prettier --log-level warn --write src/generated
