# syntax=docker/dockerfile:1
# The ovms-ts image: the server with its production dependencies and the OpenVINO runtime.
#   docker build -t ovms-ts .
#   docker run -p 9000:9000 -p 8000:8000 -v /models:/models:ro ovms-ts \
#     --model_name resnet --model_path /models/resnet --port 9000 --rest_port 8000
# Build args and flags: docs/deployment.md. scripts/check-deploy.sh checks this file statically.

# Node 24 LTS as in CI (scripts/ensure-node.sh); OPENVINO_VERSION must match scripts/ensure-openvino.sh (check-deploy.sh
# fails when they differ).
ARG NODE_VERSION=24.19.0
ARG DEBIAN_RELEASE=bookworm
ARG OPENVINO_VERSION=2026.4.1
ARG PYTHON_VERSION=3.12
# Text generation (docs/genai.md): GENAI_VERSION must match scripts/ensure-genai.sh. The worker
# runs on this Python, copied into the runtime image with the wheel set.
ARG GENAI_VERSION=2026.4.1.0
ARG GENAI_PYTHON_VERSION=3.11

# ---- OpenVINO runtime: the pinned wheel's shared libraries (C API included) -----------------
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS openvino
ARG OPENVINO_VERSION
# --no-deps: only the native libraries in openvino/libs are used (through the C API), not Python.
RUN python -m pip install --no-cache-dir --disable-pip-version-check --no-deps \
      --target /opt/openvino-wheel "openvino==${OPENVINO_VERSION}" \
 && ls /opt/openvino-wheel/openvino/libs/libopenvino_c.so* \
 && mkdir -p /opt/openvino \
 && cp -a /opt/openvino-wheel/openvino/libs /opt/openvino/libs

# ---- OpenVINO GenAI for the text-generation worker: a Python and the pinned wheel set ----------
FROM python:${GENAI_PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS genai
ARG GENAI_VERSION
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
      --target /opt/python-genai "openvino-genai==${GENAI_VERSION}" \
 && PYTHONPATH=/opt/python-genai python -c "import openvino_genai"

# ---- build: the workspace from the lockfile, compiled, then the server deployed with prod deps --
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE} AS build
ARG PNPM_VERSION=12.4.2
# 1 = run openvino-node's install script (it downloads OpenVINO's Node runtime from the
# internet). Without its runtime the server uses the OpenVINO C API from the wheel above.
ARG OPENVINO_NODE=0
ENV DO_NOT_TRACK=1
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /src
# The workspace as CI sees it (.dockerignore leaves out node_modules, dist, caches, docs).
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages ./packages
COPY apps ./apps
COPY demos ./demos
COPY protos ./protos
COPY tsconfig.base.json tsconfig.json ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm config set store-dir /pnpm/store \
 && pnpm install --frozen-lockfile --reporter=append-only \
 && pnpm --filter "@ovms/server..." run build \
 && pnpm --filter @ovms/server deploy --prod /ovms/apps/ovms
# onnxruntime-node ships binaries for every platform; keep this one's only.
RUN set -eu; \
    arch="$(node -p process.arch)"; \
    for bin in /ovms/apps/ovms/node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do \
      find "$bin" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +; \
      find "$bin/linux" -mindepth 1 -maxdepth 1 ! -name "$arch" -exec rm -rf {} +; \
    done
RUN set -eu; \
    if [ "$OPENVINO_NODE" = 1 ]; then \
      dir="$(find /ovms/apps/ovms/node_modules/.pnpm -maxdepth 3 -type d -path '*/node_modules/openvino-node' -print -quit)"; \
      if [ -z "$dir" ]; then echo "OPENVINO_NODE=1: openvino-node is not installed (it needs Node >= 21)" >&2; exit 1; fi; \
      npm --prefix "$dir" run download_runtime -- --ignore-if-exists; \
    fi

# ---- runtime ---------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS runtime
ARG OPENVINO_VERSION
LABEL org.opencontainers.image.title="ovms-ts" \
      org.opencontainers.image.description="OpenVINO Model Server in TypeScript: TF Serving and KServe v2 APIs over gRPC and REST" \
      ai.openvino.runtime.version="${OPENVINO_VERSION}"
# A fixed non-root uid/gid (as OVMS's image uses 5000) so Kubernetes can check runAsNonRoot.
RUN groupadd --system --gid 5000 ovms \
 && useradd --system --uid 5000 --gid ovms --home-dir /home/ovms --create-home --shell /usr/sbin/nologin ovms \
 && mkdir -p /models /opt/ovms-cache \
 && chown ovms:ovms /models /opt/ovms-cache
COPY --from=openvino /opt/openvino/libs /opt/openvino/libs
COPY --from=build /ovms /ovms
# The worker's interpreter (the official image builds it into /usr/local) and the GenAI wheels.
COPY --from=genai /usr/local/bin/python3.11 /usr/local/bin/python3.11
COPY --from=genai /usr/local/lib/python3.11 /usr/local/lib/python3.11
COPY --from=genai /usr/local/lib/libpython3.11.so.1.0 /usr/local/lib/libpython3.11.so.1.0
COPY --from=genai /opt/python-genai /opt/python-genai
ENV NODE_ENV=production \
    OPENVINO_LIB_DIR=/opt/openvino/libs \
    OVMS_GENAI_PYTHON=/usr/local/bin/python3.11 \
    OVMS_GENAI_PYTHONPATH=/opt/python-genai
WORKDIR /ovms
USER 5000:5000
EXPOSE 9000 8000
# Liveness on the REST port. HEALTH_PORT follows --rest_port when it is not 8000.
ENV HEALTH_PORT=8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8000)+'/v2/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/ovms/apps/ovms/bin/ovms.js"]
CMD ["--help"]
