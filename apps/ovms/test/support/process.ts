import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion, killing it after `timeoutMs` (it then fails the test). */
export function run(
  program: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface CurlResult {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTP request with curl. The status is written after a marker line on stdout, so the body
 * may hold anything. `args` are extra curl arguments (method, headers, body).
 */
export async function curl(url: string, args: readonly string[] = []): Promise<CurlResult> {
  const marker = '\n--curl-status--';
  const result = await run(
    'curl',
    ['-sS', '--max-time', '20', '-w', `${marker}%{http_code}`, ...args, url],
    { timeoutMs: 30_000 },
  );
  if (result.code !== 0) throw new Error(`curl failed (${result.code}): ${result.stderr}`);
  const at = result.stdout.lastIndexOf(marker);
  return {
    status: Number(result.stdout.slice(at + marker.length)),
    body: result.stdout.slice(0, at),
  };
}

/** curl's JSON body, parsed. */
export async function curlJson(
  url: string,
  args: readonly string[] = [],
): Promise<{ status: number; json: unknown }> {
  const { status, body } = await curl(url, args);
  return { status, json: JSON.parse(body) as unknown };
}

/** curl arguments that POST `body` (an object as JSON, or a string as it is). */
export function postJson(body: unknown): string[] {
  return [
    ...['-X', 'POST', '-H', 'Content-Type: application/json'],
    ...['--data-binary', typeof body === 'string' ? body : JSON.stringify(body)],
  ];
}

/** The message of a REST error body `{"error": "…"}`. */
export function errorOf(json: unknown): string {
  return (json as { error: string }).error;
}
