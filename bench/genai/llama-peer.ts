// The text-generation bench's peer: llama.cpp's OpenAI-compatible server from
// `llama-cpp-python[server]` (scripts/ensure-llama-cpp.sh), on the same GGUF as ovms-ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../server/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGET = join(ROOT, '.cache/python-llama');
const READY_TIMEOUT_MS = 120_000;

/** The pin the peer was installed with, for the report. */
export const LLAMA_CPP_PINS = existsSync(join(TARGET, '.installed'))
  ? readFileSync(join(TARGET, '.installed'), 'utf8').trim()
  : 'not installed';

/** Runs scripts/ensure-llama-cpp.sh (a no-op once built); whether the peer can run. */
export function ensureLlamaCpp(): boolean {
  const result = spawnSync('bash', [join(ROOT, 'scripts/ensure-llama-cpp.sh')], {
    stdio: 'inherit',
  });
  return result.status === 0;
}

export interface LlamaServer {
  /** The OpenAI base URL, `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export async function startLlamaServer(options: {
  readonly model: string;
  readonly env: NodeJS.ProcessEnv;
}): Promise<LlamaServer> {
  const port = await freePort();
  const child = spawn(
    'python3',
    [
      ...['-m', 'llama_cpp.server', '--model', options.model, '--model_alias', 'smollm2'],
      ...['--host', '127.0.0.1', '--port', String(port), '--n_threads', '2', '--n_ctx', '2048'],
    ],
    { env: { ...options.env, PYTHONPATH: TARGET }, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama_cpp.server exited ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('llama_cpp.server not ready in time');
    }
    if (
      await fetch(`${baseUrl}/models`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(300);
  }
  return {
    baseUrl,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
