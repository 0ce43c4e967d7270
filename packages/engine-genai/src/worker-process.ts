import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '@ovms/core';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, encodeFrame } from './frame-codec.js';

/** The first message: what the worker loads (docs/genai.md, "Worker protocol"). */
export interface WorkerLoad {
  readonly path: string;
  readonly device: string;
  readonly plugin_config: Readonly<Record<string, string | number | boolean>>;
  readonly max_num_seqs?: number;
  readonly max_num_batched_tokens?: number;
  readonly cache_size?: number;
  readonly enable_prefix_caching?: boolean;
}

export interface WorkerProcessOptions {
  /** The Python interpreter. */
  readonly python: string;
  /** genai_worker.py. */
  readonly script: string;
  /** The worker's whole environment (PYTHONPATH naming the GenAI wheel's folder). */
  readonly env: Readonly<Record<string, string>>;
  readonly load: WorkerLoad;
  readonly maxFrameBytes?: number;
  readonly logger: Logger;
  /** Every message after `ready`. */
  readonly onMessage: (message: Record<string, unknown>) => void;
  /** The worker is gone after `ready` (crash, kill, protocol error); not called after `stop`. */
  readonly onExit: (reason: string) => void;
}

/** What the worker said when its model was loaded. */
export interface WorkerReady {
  /** Tokens of the model's context, when the model files tell. */
  readonly contextLength: number | undefined;
  readonly loadSeconds: number;
}

/** A started worker with its model loaded. */
export interface WorkerProcess {
  readonly pid: number;
  readonly ready: WorkerReady;
  send(message: Record<string, unknown>): void;
  /** Asks the worker to leave, kills it if it does not within `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts genai_worker.py and loads the model. Resolves once the worker says `ready`; rejects
 * with the worker's own message when the load fails, or with what happened when the worker
 * exits or breaks the protocol first. stderr lines go to the logger.
 */
export function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  // A process group of its own, so that ending the worker ends whatever it may have forked
  // (native libraries do; such a child keeps no thread to notice its parent is gone).
  const child = spawn(options.python, [options.script], {
    env: { ...options.env, OVMS_GENAI_MAX_MESSAGE_BYTES: String(maxFrameBytes) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  const decoder = new FrameDecoder(maxFrameBytes);
  let stopping = false;
  let gone = false;
  let exited: Promise<void> | undefined;

  return new Promise<WorkerProcess>((resolve, reject) => {
    let ready: WorkerProcess | undefined;
    const fail = (reason: string) => {
      if (gone) return;
      gone = true;
      killGroup();
      if (ready === undefined) reject(new Error(reason));
      else if (!stopping) options.onExit(reason);
    };
    exited = new Promise((done) =>
      child.once('exit', () => {
        killGroup(); // descendants of a worker that exited on its own
        done();
      }),
    );
    child.once('error', (error) => fail(`the worker could not start: ${error.message}`));
    child.once('exit', (code, signal) =>
      fail(
        `the text generation worker exited (${signal === null ? `code ${code}` : signal})` +
          (ready === undefined ? ' before its model was loaded' : ''),
      ),
    );
    child.stdin.on('error', () => undefined); // a dead worker's pipe: the exit reports it
    forwardLog(child, options.logger);
    child.stdout.on('data', (chunk: Buffer) => {
      let messages: Record<string, unknown>[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        fail(`the text generation worker broke the protocol: ${(error as Error).message}`);
        return;
      }
      for (const message of messages) {
        if (gone) return;
        if (ready !== undefined) {
          options.onMessage(message);
          continue;
        }
        if (message.type === 'ready') {
          ready = handleOf(child, message, maxFrameBytes, killGroup, () => {
            stopping = true;
            return exited ?? Promise.resolve();
          });
          resolve(ready);
        } else if (message.type === 'load_error' || message.type === 'fatal') {
          fail(String(message.message));
        } else {
          fail(`the text generation worker sent ${String(message.type)} before ready`);
        }
      }
    });
    child.stdin.write(encodeFrame({ op: 'load', ...options.load }, maxFrameBytes));
  });
}

function handleOf(
  child: ChildProcess,
  message: Record<string, unknown>,
  maxFrameBytes: number,
  killGroup: () => void,
  beginStop: () => Promise<void>,
): WorkerProcess {
  const context = message.context_length;
  return {
    pid: child.pid ?? -1,
    ready: {
      contextLength: typeof context === 'number' ? context : undefined,
      loadSeconds: typeof message.load_seconds === 'number' ? message.load_seconds : 0,
    },
    send(outgoing) {
      child.stdin?.write(encodeFrame(outgoing, maxFrameBytes));
    },
    async stop(graceMs = 5000) {
      const exited = beginStop();
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.stdin?.write(encodeFrame({ op: 'shutdown' }, maxFrameBytes));
      child.stdin?.end();
      const timer = setTimeout(killGroup, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function forwardLog(child: ChildProcess, logger: Logger): void {
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines)
      if (line.trim() !== '') logger.warn({ pid: child.pid, line }, 'text generation worker');
  });
}
