# Sourced by the setup and CI scripts: puts the Node 24 that scripts/ensure-node.sh installed
# first on PATH, when the machine's own node is older, so pnpm, turbo, vitest and every child
# process run on it.
__ovms_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$__ovms_root/.cache/node/bin/node" ] &&
  [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  export PATH="$__ovms_root/.cache/node/bin:$PATH"
fi
unset __ovms_root
