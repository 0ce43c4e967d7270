// `npm run bench:soak`: the server under a long steady load, to see whether memory or latency
// drift. One ovms-ts process (ONNX Runtime, the `add` model) and the bench load generator in its
// own process; the load runs in windows, rotating the transports, until SOAK_REQUESTS answers,
// and each window reports its throughput, p99 and the server's resident memory.
//   SOAK_REQUESTS=1000000   total requests    SOAK_WINDOW_SECONDS=10   SOAK_INFLIGHT=8
//   SOAK_PATHS=kserve-grpc,tfs-grpc,kserve-rest-binary,tfs-rest-row
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureModel } from '@ovms/testing';
import type { ClientPath, ClientRequest } from '../server/client.js';
import { forkBenchChild } from '../server/ipc.js';
import { startServerProcess } from '../server/server-process.js';
import type { CellResult } from '../server/workload.js';

const env = process.env;
const totalRequests = Number(env['SOAK_REQUESTS'] ?? 1_000_000);
const windowSeconds = Number(env['SOAK_WINDOW_SECONDS'] ?? 10);
const inflight = Number(env['SOAK_INFLIGHT'] ?? 8);
const paths = (env['SOAK_PATHS'] ?? 'kserve-grpc,tfs-grpc,kserve-rest-binary,tfs-rest-row').split(
  ',',
) as ClientPath[];

/** Resident set size of a process in MiB, from /proc. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

interface Window {
  readonly path: ClientPath;
  readonly requests: number;
  readonly perSecond: number;
  readonly p99Us: number;
  readonly rss: number;
}

const root = await mkdtemp(join(tmpdir(), 'ovms-soak-'));
await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
const configPath = join(root, 'config.json');
await writeFile(
  configPath,
  JSON.stringify({
    model_config_list: [
      { config: { name: 'add', base_path: join(root, 'add'), engine: 'onnxruntime' } },
    ],
  }),
);
const server = await startServerProcess({ configPath, modelNames: ['add'], env });
const client = forkBenchChild<ClientRequest, CellResult>(
  fileURLToPath(new URL('../server/client.ts', import.meta.url)),
  env,
);
const windows: Window[] = [];
try {
  const startRss = await rssMiB(server.pid);
  console.log(
    `soak: ${totalRequests} requests, ${inflight} in flight, ${windowSeconds} s windows over ${paths.join(', ')}; server RSS at start ${startRss.toFixed(1)} MiB`,
  );
  let done = 0;
  for (let i = 0; done < totalRequests; i++) {
    const path = paths[i % paths.length] ?? 'kserve-grpc';
    const cell = await client.ask({
      grpcPort: server.grpcPort,
      restPort: server.restPort,
      path,
      model: 'add',
      inflight,
      seconds: windowSeconds,
    });
    done += cell.requests;
    const window: Window = {
      path,
      requests: done,
      perSecond: cell.requests / cell.seconds,
      p99Us: cell.p99Us,
      rss: await rssMiB(server.pid),
    };
    windows.push(window);
    console.log(
      `  ${String(done).padStart(9)} requests  ${path.padEnd(20)} ${window.perSecond.toFixed(0).padStart(6)} req/s  p99 ${window.p99Us.toFixed(0).padStart(6)} µs  RSS ${window.rss.toFixed(1)} MiB`,
    );
  }
  const rss = windows.map((w) => w.rss);
  const p99 = windows.map((w) => w.p99Us);
  const first = windows[0];
  const last = windows.at(-1);
  console.log(
    `soak result: ${done} requests; server RSS ${startRss.toFixed(1)} MiB at start, ${first?.rss.toFixed(1)} after the first window, ${last?.rss.toFixed(1)} at the end (max ${Math.max(...rss).toFixed(1)}); p99 per window ${Math.min(...p99).toFixed(0)}–${Math.max(...p99).toFixed(0)} µs`,
  );
} finally {
  await client.stop();
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
