import { RECORDED_STATISTICS, RecordingModelControl } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';

describe("Triton's repository and statistics routes", () => {
  const control = new RecordingModelControl();
  let server: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ modelControl: control });
    bare = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
  });

  const post = (base: TestServer, path: string, body?: string) =>
    fetch(`${base.url}${path}`, { method: 'POST', ...(body !== undefined && { body }) });

  it('hands each route to the ModelControl with the decoded name, version and body', async () => {
    const index = await post(server, '/v2/repository/index', '{"ready": true}');
    expect([index.status, await index.json()]).toEqual([
      200,
      [{ name: 'add', version: '2', state: 'READY', reason: '' }],
    ]);
    const load = await post(
      server,
      '/v2/repository/models/my%20model/load',
      '{"parameters": {"config": "{}"}}',
    );
    expect([load.status, await load.text()]).toEqual([200, '']);
    expect((await post(server, '/v2/repository/models/add/unload')).status).toBe(200);
    const stats = await fetch(`${server.url}/v2/models/add/versions/2/stats`);
    expect(await stats.json()).toEqual({
      model_stats: [
        {
          name: 'add',
          version: '2',
          last_inference: RECORDED_STATISTICS.lastInference,
          inference_count: 3,
          execution_count: 2,
          inference_stats: {
            success: { count: 3, ns: 3000 },
            fail: { count: 1, ns: 100 },
            queue: { count: 2, ns: 20 },
            compute_input: { count: 0, ns: 0 },
            compute_infer: { count: 2, ns: 2000 },
            compute_output: { count: 0, ns: 0 },
            cache_hit: { count: 0, ns: 0 },
            cache_miss: { count: 0, ns: 0 },
          },
          batch_stats: [],
        },
      ],
    });
    await fetch(`${server.url}/v2/models/stats`);
    await fetch(`${server.url}/v2/models/add/stats`);
    expect(control.calls).toEqual([
      ['index', { ready: true }],
      ['load', 'my model', { config: '{}' }],
      ['unload', 'add'],
      ['statistics', 'add', 2],
      ['statistics', undefined, undefined],
      ['statistics', 'add', undefined],
    ]);
    // None of these serves a model: nothing reaches the OVMS request metrics.
    expect(server.records).toEqual([]);
  });

  it('answers a failed load with the status of its code', async () => {
    expect(await errorOf(await post(server, '/v2/repository/models/bad/load'))).toEqual([
      500,
      'Model failed to load',
    ]);
  });

  it('answers 501 where no ModelControl is served', async () => {
    for (const answer of [
      await post(bare, '/v2/repository/index'),
      await post(bare, '/v2/repository/models/add/load'),
      await fetch(`${bare.url}/v2/models/stats`),
      await fetch(`${bare.url}/v2/models/add/stats`),
    ])
      expect(await errorOf(answer)).toEqual([
        501,
        'Not implemented - model control is not served here',
      ]);
  });

  it('leaves the metadata of other models where it was', async () => {
    expect((await fetch(`${server.url}/v2/models/two`)).status).toBe(200);
    expect((await post(server, '/v2/repository/models/add/load/extra')).status).toBe(404);
  });
});
