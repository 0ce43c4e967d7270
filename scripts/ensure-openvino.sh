#!/usr/bin/env bash
# Makes the OpenVINO runtime (with its C API, libopenvino_c.so) available to @ovms/engine-openvino
# on machines that cannot reach openvino-node's download site: the pinned `openvino` wheel from
# PyPI, unpacked into .cache/python. Idempotent: a fast no-op once the library is there.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENVINO_VERSION=2026.4.1
TARGET=.cache/python

if [ -d "$TARGET/openvino-$OPENVINO_VERSION.dist-info" ] && compgen -G "$TARGET/openvino/libs/libopenvino_c.so*" >/dev/null; then
  echo "ensure-openvino: present in $TARGET/openvino/libs"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "ensure-openvino: python3 not found; OpenVINO tests will be skipped (set OPENVINO_LIB_DIR to use an installed runtime)" >&2
  exit 1
fi

# --target does not replace an older version's files cleanly: start from an empty folder
rm -rf "$TARGET/openvino" "$TARGET"/openvino-*.dist-info
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --upgrade --target "$TARGET" \
  "openvino==$OPENVINO_VERSION"
echo "ensure-openvino: installed openvino==$OPENVINO_VERSION into $TARGET"
