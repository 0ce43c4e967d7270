import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { findCApiLibrary } from './c-api/bindings.js';

export interface LocateOpenvinoOptions {
  /** Environment to read OPENVINO_LIB_DIR and PYTHONPATH from (the app passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Project root whose `.cache/python` holds the wheel installed by scripts/ensure-openvino.sh. */
  readonly cwd: string;
  /** Where `/opt/intel/openvino*` installs are looked for; tests point it elsewhere. */
  readonly optIntelDir?: string;
  /** The Python interpreter asked where the `openvino` package lives. */
  readonly python?: string;
}

/** What locateOpenvinoLibDir found, or where it looked. */
export type OpenvinoLocation =
  | { readonly found: true; readonly libDir: string; readonly source: string }
  | { readonly found: false; readonly searched: readonly string[]; readonly message: string };

/**
 * Finds the folder holding `libopenvino_c.so`: `OPENVINO_LIB_DIR`, else the `openvino` Python
 * package's `libs/` (found by asking python3 without importing openvino, with the project's
 * `.cache/python` on its path), else `/opt/intel/openvino*\/runtime/lib/intel64`.
 */
export function locateOpenvinoLibDir(options: LocateOpenvinoOptions): OpenvinoLocation {
  const searched: string[] = [];
  const explicit = options.env['OPENVINO_LIB_DIR'];
  if (explicit !== undefined && explicit !== '') {
    const dir = resolve(options.cwd, explicit);
    if (findCApiLibrary(dir) !== undefined)
      return { found: true, libDir: dir, source: 'OPENVINO_LIB_DIR' };
    searched.push(`${dir} (OPENVINO_LIB_DIR)`);
  }

  const packageDir = pythonPackageDir(options);
  if (packageDir.dir !== undefined) {
    const dir = join(packageDir.dir, 'libs');
    if (findCApiLibrary(dir) !== undefined)
      return { found: true, libDir: dir, source: 'python openvino package' };
    searched.push(`${dir} (python openvino package)`);
  } else {
    searched.push(`python openvino package (${packageDir.why})`);
  }

  const optIntel = options.optIntelDir ?? '/opt/intel';
  const installs = existsSync(optIntel)
    ? readdirSync(optIntel)
        .filter((name) => name.startsWith('openvino'))
        .sort()
        .reverse()
    : [];
  for (const install of installs) {
    const dir = join(optIntel, install, 'runtime', 'lib', 'intel64');
    if (findCApiLibrary(dir) !== undefined) return { found: true, libDir: dir, source: optIntel };
    searched.push(dir);
  }
  if (installs.length === 0) searched.push(`${join(optIntel, 'openvino*')}/runtime/lib/intel64`);

  const message =
    'OpenVINO not found: no libopenvino_c.so in ' +
    searched.join('; ') +
    '. Run `bash scripts/ensure-openvino.sh` or set OPENVINO_LIB_DIR.';
  return { found: false, searched, message };
}

// Finds the package without importing it: importing openvino loads the whole runtime into
// Python, which is slow and fails where Python extension dependencies are missing.
const FIND_SPEC =
  'import importlib.util; s = importlib.util.find_spec("openvino"); ' +
  'print(list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else "")';

function pythonPackageDir(options: LocateOpenvinoOptions): { dir?: string; why: string } {
  const python = options.python ?? 'python3';
  const cache = join(options.cwd, '.cache', 'python');
  const current = options.env['PYTHONPATH'];
  const pythonPath = current ? `${cache}${delimiter}${current}` : cache;
  try {
    const printed = execFileSync(python, ['-c', FIND_SPEC], {
      env: { ...options.env, PYTHONPATH: pythonPath },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    return printed === ''
      ? { why: `${python} has no openvino package` }
      : { dir: printed, why: '' };
  } catch (error) {
    return { why: `${python} could not be run: ${(error as Error).message.split('\n')[0] ?? ''}` };
  }
}
