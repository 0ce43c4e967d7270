import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { writeConfig } from './support/repository.js';
import { expectServing, useServedRepository } from './support/robustness.js';

// The server under many clients at once, stalled clients and a config reload storm, on the real
// `ovms` process. Every loop is bounded in count and time; every case ends with a correct infer.
const served = useServedRepository();

const PREDICT = JSON.stringify({ instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] });

/** One request on a connection of its own (no keep-alive agent), resolving to its status. */
function onOwnConnection(path: string, body?: string): Promise<number> {
  const url = new URL(path, served().server.restUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent: new Agent({ keepAlive: false }),
        timeout: 60_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer to ${path}`)));
    request.on('error', reject);
    request.end(body);
  });
}

async function predictOk(): Promise<boolean> {
  const response = await fetch(`${served().server.restUrl}/v1/models/add:predict`, {
    method: 'POST',
    body: PREDICT,
    signal: AbortSignal.timeout(30_000),
  });
  return response.status === 200 && (await response.text()).includes('[11,22,33,44]');
}

describe('the server under load and abuse', () => {
  it('answers 1,000 simultaneous connections', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 4 === 0
          ? onOwnConnection('/v1/models/add:predict', PREDICT)
          : onOwnConnection('/v2/health/ready'),
      ),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await expectServing(served().client, served().server.restUrl);
  }, 120_000);

  it('serves normal requests while 200 clients stall mid-request', async () => {
    const { port, hostname } = new URL(served().server.restUrl);
    const stalled: Socket[] = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(Number(port), hostname, () => {
              // Half of them stall inside the headers, half inside a promised body.
              socket.write(
                i % 2 === 0
                  ? 'POST /v1/models/add:predict HTTP/1.1\r\nHost: x\r\nContent-Le'
                  : 'POST /v1/models/add:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"inst',
              );
              resolve(socket);
            });
            socket.on('error', () => undefined);
            socket.once('error', reject);
          }),
      ),
    );
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => predictOk()));
      expect(answers.every(Boolean)).toBe(true);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
    await expectServing(served().client, served().server.restUrl);
  }, 120_000);

  it('fails no infer on a model that stays while the config reloads 20 times under load', async () => {
    const models = (withTwo: boolean) => [
      { name: 'add', base_path: 'add', model_version_policy: { all: {} } },
      { name: 'fixed', base_path: 'fixed' },
      ...(withTwo ? [{ name: 'two', base_path: 'two' }] : []),
    ];
    let reloading = true;
    const load = (async () => {
      let served = 0;
      while (reloading) {
        const answers = await Promise.all(Array.from({ length: 8 }, () => predictOk()));
        expect(answers.every(Boolean)).toBe(true);
        served += answers.length;
      }
      return served;
    })();
    try {
      for (let i = 0; i < 20; i++) {
        await writeConfig(served().configPath, models(i % 2 === 1));
        const response = await fetch(`${served().server.restUrl}/v1/config/reload`, {
          method: 'POST',
          signal: AbortSignal.timeout(60_000),
        });
        expect([200, 201]).toContain(response.status);
      }
    } finally {
      reloading = false;
    }
    expect(await load).toBeGreaterThan(0);
    const config = (await (await fetch(`${served().server.restUrl}/v1/config`)).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(config)).toEqual(expect.arrayContaining(['add', 'fixed', 'two']));
    await expectServing(served().client, served().server.restUrl);
  }, 180_000);
});
