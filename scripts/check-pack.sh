#!/usr/bin/env bash
# Checks that every public package installs and imports the way an outside user gets it:
#   1. `pnpm pack` each workspace package that is not private (workspace:* becomes the version);
#   2. each tarball holds package.json, README.md, LICENSE and every file its `exports` and `bin`
#      name, and no sources, tests or workspace: specifiers;
#   3. `npm install` of all the tarballs into a clean temporary folder: the @ovms packages from
#      the tarballs (npm overrides pin the ones they depend on to the tarballs too), third-party
#      packages from the registry through the npm cache in .cache/npm, so a second run needs no
#      network (CHECK_PACK_OFFLINE=1 forbids it);
#   4. every package imported by plain node (the `default` condition: dist/, never src/), its
#      types resolved by tsc (the `types` condition) and the `ovms` bin run.
# Needs the packages built (scripts/setup.sh builds them). Exits non-zero on any failure; each
# network-bound step is bounded by a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

[ -x .cache/pnpm/node_modules/.bin/pnpm ] && export PATH="$ROOT/.cache/pnpm/node_modules/.bin:$PATH"
INSTALL_TIMEOUT=${CHECK_PACK_INSTALL_TIMEOUT:-900}
STEP_TIMEOUT=120
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ovms-check-pack-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/packs" "$WORK/app" .cache/npm

fail() {
  echo "check-pack: $*" >&2
  exit 1
}

# "<name> <dir>" for every workspace package that is not private.
mapfile -t PACKAGES < <(node -e '
  const { readdirSync, readFileSync, existsSync } = require("node:fs");
  for (const group of ["packages", "apps", "demos"]) {
    if (!existsSync(group)) continue;
    for (const name of readdirSync(group).sort()) {
      const file = `${group}/${name}/package.json`;
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8"));
      if (!pkg.private) console.log(`${pkg.name} ${group}/${name}`);
    }
  }')
[ "${#PACKAGES[@]}" -gt 0 ] || fail "no public packages found"

echo "== pack (${#PACKAGES[@]} packages)"
for entry in "${PACKAGES[@]}"; do
  dir=${entry#* }
  [ -f "$dir/dist/index.js" ] || fail "$dir/dist is missing: run scripts/setup.sh (it builds) first"
  (cd "$dir" && timeout "$STEP_TIMEOUT" pnpm pack --pack-destination "$WORK/packs" >/dev/null) ||
    fail "pnpm pack failed in $dir"
done

echo "== tarball contents"
node - "$WORK/packs" "${PACKAGES[@]}" <<'EOF'
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const [packs, ...entries] = process.argv.slice(2);
const tarballs = readdirSync(packs);
const problems = [];
/** Every file path a package.json `exports`/`bin` value names (conditions other than the source one). */
function targets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) if (key !== '@ovms/source') targets(inner, out);
  return out;
}
for (const entry of entries) {
  const name = entry.split(' ')[0];
  const prefix = `${name.replace('@', '').replace('/', '-')}-`;
  const tarball = tarballs.find((file) => file.startsWith(prefix) && /^\d/.test(file.slice(prefix.length)));
  if (tarball === undefined) { problems.push(`${name}: no tarball`); continue; }
  const path = `${packs}/${tarball}`;
  const files = new Set(execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).trim().split('\n'));
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8' }));
  const wanted = ['package.json', 'README.md', 'LICENSE', ...targets(manifest.exports), ...targets(manifest.bin)];
  for (const file of wanted)
    if (!files.has(`package/${file.replace(/^\.\//, '')}`)) problems.push(`${name}: ${file} is not in ${tarball}`);
  for (const file of files)
    if (/^package\/(src|test)\/|\.test\.(js|ts)$/.test(file)) problems.push(`${name}: ${file} should not be packed`);
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
    for (const [dep, spec] of Object.entries(manifest[field] ?? {}))
      if (String(spec).startsWith('workspace:')) problems.push(`${name}: ${field}.${dep} is still ${spec}`);
  if (manifest.private) problems.push(`${name}: packed as private`);
  console.log(`ok    ${tarball} (${files.size} files)`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
EOF

echo "== npm install into a clean folder"
node - "$WORK/packs" "$WORK/app" "${PACKAGES[@]}" <<'EOF'
const { readdirSync, writeFileSync } = require('node:fs');
const [packs, app, ...entries] = process.argv.slice(2);
const tarballs = readdirSync(packs);
const dependencies = {};
const overrides = {};
for (const entry of entries) {
  const name = entry.split(' ')[0];
  const prefix = `${name.replace('@', '').replace('/', '-')}-`;
  const tarball = tarballs.find((file) => file.startsWith(prefix) && /^\d/.test(file.slice(prefix.length)));
  dependencies[name] = `file:${packs}/${tarball}`;
  // Packages depending on this one ask for its version; the override makes npm take the tarball.
  overrides[name] = `$${name}`;
}
writeFileSync(
  `${app}/package.json`,
  JSON.stringify({ name: 'check-pack-app', private: true, type: 'module', dependencies, overrides }, null, 2),
);
EOF
NPM_FLAGS=(--ignore-scripts --no-audit --no-fund --cache "$ROOT/.cache/npm")
if [ "${CHECK_PACK_OFFLINE:-0}" = 1 ]; then NPM_FLAGS+=(--offline); else NPM_FLAGS+=(--prefer-offline); fi
(cd "$WORK/app" && timeout "$INSTALL_TIMEOUT" npm install "${NPM_FLAGS[@]}" --loglevel=error) ||
  fail "npm install of the tarballs failed (or took over ${INSTALL_TIMEOUT}s)"

echo "== import every package (node, default condition)"
NAMES=()
for entry in "${PACKAGES[@]}"; do NAMES+=("${entry%% *}"); done
(cd "$WORK/app" && env -u NODE_OPTIONS timeout "$STEP_TIMEOUT" node --input-type=module - "${NAMES[@]}" <<'EOF'
const names = process.argv.slice(2);
let failed = 0;
for (const name of names) {
  const url = import.meta.resolve(name);
  const expected = `/node_modules/${name}/dist/`;
  try {
    if (!url.includes(expected)) throw new Error(`resolves to ${url}, not ${expected}`);
    const exports = Object.keys(await import(name));
    if (exports.length === 0) throw new Error('exports nothing');
    console.log(`ok    ${name} (${exports.length} exports)`);
  } catch (error) {
    failed += 1;
    console.error(`FAIL  ${name}: ${error instanceof Error ? error.message : error}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
EOF
) || fail "a package does not import"

echo "== types of every package (tsc, types condition)"
{
  for name in "${NAMES[@]}"; do
    echo "export type * as pkg_$(echo "${name#@ovms/}" | tr -c 'a-z0-9\n' '_') from '$name';"
  done
  echo "import { createModelServer } from '@ovms/server';"
  echo "export const embedded: ReturnType<typeof createModelServer> = createModelServer({ model_config_list: [] });"
} >"$WORK/app/index.ts"
cat >"$WORK/app/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "skipLibCheck": true,
    "types": []
  },
  "files": ["index.ts"]
}
EOF
(cd "$WORK/app" && timeout "$STEP_TIMEOUT" "$ROOT/node_modules/.bin/tsc" -p tsconfig.json) ||
  fail "the packages' types do not resolve for a TypeScript user"
echo "ok    ${#NAMES[@]} packages typecheck as a dependency"

echo "== the ovms command"
(cd "$WORK/app" && timeout "$STEP_TIMEOUT" npx --no-install ovms --version) || fail "ovms --version failed"

echo "check-pack: ${#PACKAGES[@]} packages pack, install, import and typecheck"
