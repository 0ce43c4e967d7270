// Request/answer over a forked child's IPC channel: run.ts drives the raw-engine and client
// processes one cell at a time, so their CPU never overlaps the cell being measured.
import { fork, type ChildProcess } from 'node:child_process';

interface Envelope<T> {
  readonly id: number;
  readonly body: T;
}

type Answer<R> =
  | { readonly id: number; readonly ok: true; readonly body: R }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: string;
    };

/** Node flags that let a child run TypeScript sources as the bench itself runs. */
const SOURCE_FLAGS = ['--conditions=@ovms/source', '--import', 'tsx'];

export interface BenchChild<Q, R> {
  readonly pid: number;
  ask(body: Q): Promise<R>;
  /** Closes the channel; the child exits normally (so --cpu-prof writes its profile). */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 30_000;

/** Forks `script` (a .ts file) and sends it requests one at a time. */
export function forkBenchChild<Q, R>(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
  nodeFlags: readonly string[] = [],
): BenchChild<Q, R> {
  const child: ChildProcess = fork(script, [], {
    execArgv: [...nodeFlags, ...SOURCE_FLAGS],
    env,
    stdio: 'inherit',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  child.on('message', (message: Answer<R>) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.body);
    else waiter?.reject(new Error(message.error));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited (${code})`));
    pending.clear();
  });
  return {
    pid: child.pid ?? -1,
    ask: (body) =>
      new Promise<R>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, body } satisfies Envelope<Q>);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child side: answers each request with `handle`, one at a time, in arrival order. */
export function serveBenchRequests<Q, R>(handle: (body: Q) => Promise<R>): void {
  let queue: Promise<void> = Promise.resolve();
  // Engines and sockets would keep the process up; the parent closing the channel means done.
  process.once('disconnect', () => void queue.then(() => process.exit(0)));
  process.on('message', (message: Envelope<Q>) => {
    queue = queue.then(async () => {
      let answer: Answer<R>;
      try {
        answer = { id: message.id, ok: true, body: await handle(message.body) };
      } catch (error) {
        answer = {
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
      }
      process.send?.(answer);
    });
  });
}
