import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PROJECT_ROOT, PYTHON_DIR } from './paths.js';
import { run } from './process.js';

const CLIENTS_DIR = join(PROJECT_ROOT, '.cache', 'python-clients');

/**
 * Makes the pinned Python clients available (scripts/ensure-python-clients.sh: a fast no-op
 * once installed, a pip install from PyPI otherwise). Returns why they are unavailable, or
 * undefined when they are ready.
 */
export function ensurePythonClients(): string | undefined {
  const script = join(PROJECT_ROOT, 'scripts', 'ensure-python-clients.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000 });
  if (result.error !== undefined) return `ensure-python-clients.sh: ${result.error.message}`;
  if (result.status !== 0) return (result.stderr || result.stdout).trim().split('\n').pop();
  if (!existsSync(join(CLIENTS_DIR, '.installed'))) return `no clients in ${CLIENTS_DIR}`;
  return undefined;
}

export type CheckResult =
  | { readonly ok: unknown }
  | {
      readonly error: {
        readonly type: string;
        readonly message: string;
        readonly status: string | null;
      };
    };

/** Runs one of test/python/*.py (with `input` on its stdin) and returns its checks by name. */
export async function runPythonChecks(
  script: string,
  args: readonly string[],
  input?: string,
): Promise<Record<string, CheckResult>> {
  const result = await run('python3', [join(PYTHON_DIR, script), ...args], {
    env: {
      ...process.env,
      PYTHONPATH: [CLIENTS_DIR, PYTHON_DIR].join(delimiter),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    timeoutMs: 90_000,
    ...(input !== undefined && { input }),
  });
  if (result.code !== 0) throw new Error(`${script} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, CheckResult>;
}
