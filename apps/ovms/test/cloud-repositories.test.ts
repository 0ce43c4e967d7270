import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModel } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBucket } from './support/buckets.js';
import type { BucketKind, TestBucket } from './support/buckets.js';
import { eventually, startServerProcess } from './support/server-process.js';
import type { ServerProcess } from './support/server-process.js';

// The real server, as a process, with its model repository in a bucket of a real emulator:
// MinIO (s3://), fake-gcs-server (gs://) and Azurite (az://).
const POLL = ['--file_system_poll_wait_seconds', '1'];

let fixtures: string;
beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), 'ovms-cloud-'));
  await writeFixtureModel('add_f32', 'onnx', join(fixtures, 'add'));
});
afterAll(() => rm(fixtures, { recursive: true, force: true }));

/** KServe infer of `add` (a + b, FP32 (-1,4)) through `version`; the status and the sum. */
async function infer(server: ServerProcess, version: number) {
  const response = await fetch(`${server.restUrl}/v2/models/add/versions/${version}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [
        { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
        { name: 'b', shape: [1, 4], datatype: 'FP32', data: [10, 20, 30, 40] },
      ],
    }),
  });
  const body = (await response.json()) as { outputs?: { data: number[] }[] };
  return { status: response.status, sum: body.outputs?.[0]?.data };
}

const ready = (server: ServerProcess, version: number) => async () =>
  (await fetch(`${server.restUrl}/v2/models/add/versions/${version}/ready`)).status === 200;

describe.each<BucketKind>(['s3', 'gs', 'az'])('%s:// model repository', (kind) => {
  let bucket: TestBucket;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    bucket = await startTestBucket(kind);
    await bucket.putDir(join(fixtures, 'add'), 'add/1');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await bucket.stop();
  });

  it('serves a model, picks up a new version, and keeps serving when the store goes away', async () => {
    server = await startServerProcess(
      ['--model_name', 'add', '--model_path', `${bucket.root}/add`, ...POLL],
      bucket.env,
    );
    const log = () => server?.output() ?? '';
    await eventually(ready(server, 1), 30_000, log);
    expect(await infer(server, 1)).toEqual({ status: 200, sum: [11, 22, 33, 44] });

    await bucket.putDir(join(fixtures, 'add'), 'add/2');
    await eventually(ready(server, 2), 10_000, log);
    expect(await infer(server, 2)).toEqual({ status: 200, sum: [11, 22, 33, 44] });

    await bucket.stop();
    const listingFailed = () => Promise.resolve(log().includes('Listing model versions failed'));
    await eventually(listingFailed, 30_000, log);
    expect(await infer(server, 2)).toEqual({ status: 200, sum: [11, 22, 33, 44] });
  }, 90_000);
});

describe('config.json in a bucket', () => {
  let bucket: TestBucket;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    bucket = await startTestBucket('s3');
    await bucket.putDir(join(fixtures, 'add'), 'repo/models/add/1');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await bucket.stop();
  });

  it('serves the models it lists, relative base_paths under the config prefix, and reloads it', async () => {
    const config = (basePath: string) =>
      JSON.stringify({ model_config_list: [{ config: { name: 'add', base_path: basePath } }] });
    await bucket.put('repo/config.json', config('models/add'));
    server = await startServerProcess(
      ['--config_path', `${bucket.root}/repo/config.json`, ...POLL],
      bucket.env,
    );
    const log = () => server?.output() ?? '';
    await eventually(ready(server, 1), 30_000, log);
    expect(await infer(server, 1)).toEqual({ status: 200, sum: [11, 22, 33, 44] });

    await bucket.putDir(join(fixtures, 'add'), 'repo/other/3');
    await bucket.put('repo/config.json', config('other'));
    await eventually(ready(server, 3), 15_000, log);
  }, 90_000);
});
