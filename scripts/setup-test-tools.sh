#!/usr/bin/env bash
# Test-only tools, after scripts/setup.sh: the real servers and clients the suites start or run
# (MinIO, the GCS emulator, the Python clients ovmsclient and tritonclient), each pinned and
# installed into .cache/ by its own idempotent script, and Chromium from apt for the dashboard.
# Under CI a tool that cannot be installed fails the run here; elsewhere its suite fails (or, for
# the Python clients, skips loudly) with the script to run.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
for script in ensure-s3-server.sh ensure-gcs-emulator.sh ensure-python-clients.sh ensure-grpcurl.sh ensure-chromium.sh ensure-openai-client.sh; do
  [ -f "scripts/$script" ] || continue
  bash "scripts/$script" || { echo "setup-test-tools: $script failed" >&2; status=1; }
done
[ "${CI:-}" = true ] && exit $status
exit 0
