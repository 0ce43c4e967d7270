#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a cluster:
#   - Dockerfile: hadolint, then this project's own rules (non-root final stage, the server's
#     entry point, ports, health check, pinned base images, pins in sync with the repository)
#   - deploy/helm/ovms: helm lint (default values and every sample), helm template for the
#     default values and every values-samples/*.yaml, each output validated with kubeconform
#     -strict against the Kubernetes schemas of an older and the newest supported version
#   - deploy/kserve: kubeconform -strict against KServe's ServingRuntime/InferenceService schemas
#   - self-tests: a broken manifest and a contradictory values file must be rejected, so a
#     check that silently validates nothing fails here
# Tools come from scripts/ensure-deploy-tools.sh. Exits non-zero on any failure; the last line
# is the summary ("check-deploy: N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deploy-tools.sh || exit 1

BIN=.cache/bin
SCHEMAS=.cache/deploy-tools/schemas
K8S_VERSIONS="1.30.0 1.37.0"
KUBE_LOCATION="$SCHEMAS/kubernetes/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
CRD_LOCATION="$SCHEMAS/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
CHART=deploy/helm/ovms
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

passed=0
failed=0
# check NAME COMMAND...: runs the command, prints its output only when it fails.
check() {
  local name=$1
  shift
  local log
  if log=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
    printf '%s\n' "$log" | sed 's/^/      /'
  fi
}

kubeconform_strict() {
  local version=$1
  shift
  "$BIN/kubeconform" -strict -summary -kubernetes-version "$version" \
    -schema-location "$KUBE_LOCATION" -schema-location "$CRD_LOCATION" "$@"
}

# helm template into a file, then every resource valid for every Kubernetes version; an empty
# render fails (kubeconform alone would call zero resources valid).
render_and_validate() {
  local values=$1 target=$2
  "$BIN/helm" template ovms "$CHART" --namespace models --kube-version 1.37.0 \
    ${values:+--values "$values"} >"$target" || return 1
  local kinds
  kinds=$(grep -c '^kind: ' "$target")
  [ "$kinds" -ge 3 ] || {
    echo "rendered $kinds resources, expected a ServiceAccount, Service and Deployment at least"
    return 1
  }
  local version
  for version in $K8S_VERSIONS; do
    kubeconform_strict "$version" "$target" || return 1
  done
}

# ---- Dockerfile --------------------------------------------------------------------------------
dockerfile_rules() {
  local file=Dockerfile problems=()
  # The last FROM starts the final stage; its USER must be set and not root.
  local final
  final=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' "$file")
  local user
  user=$(printf '%s' "$final" | awk '/^USER /{u=$2} END{print u}')
  case "$user" in
    '' ) problems+=("the final stage sets no USER") ;;
    root | 0 | root:* | 0:*) problems+=("the final stage runs as root ($user)") ;;
  esac
  grep -q '^ENTRYPOINT \["node", "/ovms/apps/ovms/bin/ovms.js"\]$' "$file" ||
    problems+=('ENTRYPOINT must be ["node", "/ovms/apps/ovms/bin/ovms.js"]')
  grep -Eq '^EXPOSE 9000 8000$' "$file" || problems+=("EXPOSE 9000 8000 missing")
  # Continuation lines joined, so a HEALTHCHECK ... CMD over two lines reads as one.
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$file" | grep -q '^HEALTHCHECK .*CMD .*/v2/health/live' ||
    problems+=("HEALTHCHECK on /v2/health/live missing")
  grep -q 'OPENVINO_LIB_DIR=' "$file" || problems+=("OPENVINO_LIB_DIR is not set")
  # Base images: a tag on every FROM (after ARG substitution of the defaults), never latest.
  local line image
  while read -r line; do
    image=$(printf '%s' "$line" | awk '{print $2}')
    image=$(expand_args "$image")
    case "$image" in
      *:latest | *:latest-*) problems+=("base image uses latest: $image") ;;
      *@sha256:*) ;;
      *:*) ;;
      openvino | build | genai) ;; # a stage name
      *) problems+=("base image without a tag: $image") ;;
    esac
  done < <(grep -E '^FROM ' "$file")
  # Pins shared with the repository.
  local ov_repo ov_docker pnpm_repo pnpm_docker
  ov_repo=$(sed -n 's/^OPENVINO_VERSION=//p' scripts/ensure-openvino.sh)
  ov_docker=$(sed -n 's/^ARG OPENVINO_VERSION=//p' "$file")
  [ -n "$ov_repo" ] && [ "$ov_repo" = "$ov_docker" ] ||
    problems+=("OPENVINO_VERSION $ov_docker differs from scripts/ensure-openvino.sh ($ov_repo)")
  local genai_repo genai_docker
  genai_repo=$(sed -n 's/^GENAI_VERSION=//p' scripts/ensure-genai.sh)
  genai_docker=$(sed -n 's/^ARG GENAI_VERSION=//p' "$file")
  [ -n "$genai_repo" ] && [ "$genai_repo" = "$genai_docker" ] ||
    problems+=("GENAI_VERSION $genai_docker differs from scripts/ensure-genai.sh ($genai_repo)")
  pnpm_repo=$(node -p "require('./package.json').packageManager.split('@')[1]")
  pnpm_docker=$(sed -n 's/^ARG PNPM_VERSION=//p' "$file")
  [ "$pnpm_repo" = "$pnpm_docker" ] ||
    problems+=("PNPM_VERSION $pnpm_docker differs from package.json packageManager ($pnpm_repo)")
  # Every COPY from the build context names something that exists and is not dockerignored.
  local src
  while read -r src; do
    [ -e "$src" ] || problems+=("COPY source $src does not exist")
    grep -qx "$src" .dockerignore && problems+=("COPY source $src is excluded by .dockerignore")
  done < <(grep -E '^COPY ' "$file" | grep -v -- '--from=' | awk '{for (i=2; i<NF; i++) print $i}')
  grep -qx '\*\*/node_modules' .dockerignore || problems+=(".dockerignore must exclude **/node_modules")
  grep -qx '.git' .dockerignore || problems+=(".dockerignore must exclude .git")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '%s\n' "${problems[@]}"
    return 1
  fi
}

# Replaces ${NAME} with the Dockerfile's ARG NAME=default.
expand_args() {
  local text=$1 name value
  while [[ $text =~ \$\{([A-Za-z_]+)\} ]]; do
    name=${BASH_REMATCH[1]}
    value=$(sed -n "s/^ARG $name=//p" Dockerfile | head -1)
    text=${text//\$\{$name\}/$value}
  done
  printf '%s' "$text"
}

check "Dockerfile: hadolint" "$BIN/hadolint" --no-color Dockerfile
check "Dockerfile: non-root, entry point, ports, health check, pinned images and versions" dockerfile_rules

# ---- Helm --------------------------------------------------------------------------------------
check "helm lint (default values)" "$BIN/helm" lint --strict --kube-version 1.37.0 "$CHART"
for sample in "$CHART"/values-samples/*.yaml; do
  check "helm lint ($(basename "$sample"))" "$BIN/helm" lint --strict --kube-version 1.37.0 "$CHART" --values "$sample"
done
check "helm template + kubeconform (default values; Kubernetes $K8S_VERSIONS)" render_and_validate "" "$OUT/default.yaml"
for sample in "$CHART"/values-samples/*.yaml; do
  check "helm template + kubeconform ($(basename "$sample"); Kubernetes $K8S_VERSIONS)" \
    render_and_validate "$sample" "$OUT/$(basename "$sample")"
done
prettier_options_in_sync() {
  node -e '
    const fs = require("node:fs");
    const root = JSON.parse(fs.readFileSync(".prettierrc.json", "utf8"));
    const text = fs.readFileSync("deploy/helm/.prettierrc.yaml", "utf8");
    const bad = Object.entries(root).filter(([k, v]) => !text.includes(`\n${k}: ${typeof v === "string" ? v : JSON.stringify(v)}\n`));
    if (bad.length) { console.log("deploy/helm/.prettierrc.yaml lacks root options: " + bad.map(([k]) => k).join(", ")); process.exit(1); }'
}
check "deploy/helm/.prettierrc.yaml repeats the root Prettier options" prettier_options_in_sync

# ---- KServe ------------------------------------------------------------------------------------
kserve_manifests() {
  local version
  for version in $K8S_VERSIONS; do
    kubeconform_strict "$version" deploy/kserve/ || return 1
  done
  grep -q -- '--model_name={{.Name}}' deploy/kserve/servingruntime.yaml &&
    grep -q -- '--model_path=/mnt/models' deploy/kserve/servingruntime.yaml || {
    echo "the ServingRuntime must pass --model_name={{.Name}} and --model_path=/mnt/models"
    return 1
  }
}
check "kubeconform deploy/kserve (ServingRuntime v1alpha1, InferenceService v1beta1)" kserve_manifests

# ---- self-tests: the checks above can fail -----------------------------------------------------
rejects_bad_manifest() {
  cat >"$OUT/bad.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: 'i:1', livenesProbe: {}}]
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: bad}
spec: {predictor: {model: {modelFormat: {name: onnx}, storageUrl: 's3://x'}}}
EOF
  local log
  if log=$(kubeconform_strict 1.37.0 "$OUT/bad.yaml" 2>&1); then
    echo "kubeconform accepted a Deployment and an InferenceService with misspelt fields:"
    echo "$log"
    return 1
  fi
  [ "$(grep -c 'is invalid' <<<"$log")" = 2 ] || {
    echo "expected both resources to be reported invalid:"
    echo "$log"
    return 1
  }
}
check "self-test: kubeconform rejects misspelt fields (Kubernetes and KServe schemas in use)" rejects_bad_manifest

rejects_two_model_sources() {
  local log
  if log=$("$BIN/helm" template ovms "$CHART" --kube-version 1.37.0 --set models.single.name=x --set models.single.path=/models/x 2>&1); then
    echo "helm template accepted both a config.json and single-model flags"
    return 1
  fi
  grep -q 'set exactly one of' <<<"$log" || {
    echo "$log"
    return 1
  }
}
check "self-test: the chart refuses two model sources" rejects_two_model_sources

rejects_mtls_without_probe_client() {
  local log
  if log=$("$BIN/helm" template ovms "$CHART" --kube-version 1.37.0 --set tls.existingSecret=t --set tls.clientCa.existingSecret=ca 2>&1); then
    echo "helm template accepted mutual TLS with probes that present no client certificate"
    return 1
  fi
  grep -q 'tls.clientCa needs tls.probeClientSecret' <<<"$log" || {
    echo "$log"
    return 1
  }
}
check "self-test: the chart refuses mutual TLS without a probe client certificate" rejects_mtls_without_probe_client

echo "check-deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
