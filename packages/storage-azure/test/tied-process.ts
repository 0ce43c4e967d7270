import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

// Runs the command in the background and waits while both it and the test process live; on
// TERM (stop) or when the test process is gone (a worker killed by a timeout never reaches
// afterAll), it takes the command down with it, so no emulator outlives its suite.
const WATCHDOG = `
"$@" & child=$!
trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$OWNER_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
kill $child 2>/dev/null; wait $child
`;

/** Spawns `command` tied to this process's lifetime; stderr is piped for error messages. */
export function spawnTied(command: string, args: readonly string[]): ChildProcess {
  return spawn('sh', ['-c', WATCHDOG, 'watchdog', command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OWNER_PID: String(process.pid) },
  });
}
