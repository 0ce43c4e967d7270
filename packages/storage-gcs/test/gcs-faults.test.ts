import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { ServingError, StatusCode } from '@ovms/core';
import { createRecordingLogger } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcsBackend } from '../src/index.js';
import type { GcsBackendOptions } from '../src/index.js';
import { freePort, startGcsEmulator } from './gcs-emulator.js';
import type { GcsEmulator } from './gcs-emulator.js';
import { startFaultProxy } from '@ovms/storage/test-support';
import type { FaultProxy } from '@ovms/storage/test-support';

let emulator: GcsEmulator;
let proxy: FaultProxy;
let admin: Storage;
let work: string;

const options = (extra: GcsBackendOptions = {}): GcsBackendOptions => ({
  apiEndpoint: emulator.endpoint,
  anonymous: true,
  projectId: 'test',
  retry: { attempts: 3, baseDelayMs: 10 },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

beforeAll(async () => {
  emulator = await startGcsEmulator();
  proxy = await startFaultProxy(emulator.endpoint);
  admin = new Storage({
    apiEndpoint: emulator.endpoint,
    projectId: 'test',
    useAuthWithCustomEndpoint: false,
  });
  await admin.createBucket('models');
  await admin.bucket('models').file('m/1/model.onnx').save('onnx', { resumable: false });
  work = await mkdtemp(join(tmpdir(), 'ovms-gcs-faults-'));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('GcsStorageBackend faults', () => {
  it('names a missing bucket and a missing path', async () => {
    const backend = createGcsBackend(options());
    const bucket = await failure(backend.list('gs://no-such-bucket/m'));
    expect(bucket.code).toBe(StatusCode.PATH_INVALID);
    expect(bucket.message).toContain(
      'bucket gs://no-such-bucket does not exist (for gs://no-such-bucket/m): HTTP 404',
    );
    const path = await failure(backend.list('gs://models/none'));
    expect(path.code).toBe(StatusCode.PATH_INVALID);
    expect(path.message).toContain('path does not exist: gs://models/none');
    const object = await failure(backend.readText('gs://models/none.json'));
    expect(object.code).toBe(StatusCode.PATH_INVALID);
    expect(object.message).toContain('path does not exist: gs://models/none.json');
  });

  it('gives up on a closed port after the bounded retries', async () => {
    const port = await freePort();
    const logger = createRecordingLogger();
    const backend = createGcsBackend(options({ apiEndpoint: `http://127.0.0.1:${port}`, logger }));
    const started = Date.now();
    const error = await failure(backend.list('gs://models/m'));
    expect(error.code).toBe(StatusCode.INTERNAL_ERROR);
    expect(error.message).toContain(
      `cannot reach http://127.0.0.1:${port} for gs://models/m after 3 attempts: ECONNREFUSED`,
    );
    expect(logger.messages('warn')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses credentials that cannot be used, before any request', async () => {
    // fake-gcs-server accepts any token, so this is the client-side half: a key file that is
    // not a service account key. The emulator never sees a request.
    const key = join(work, 'key.json');
    await writeFile(
      key,
      JSON.stringify({ type: 'service_account', client_email: 'x@y', private_key: 'nope' }),
    );
    const backend = createGcsBackend(options({ anonymous: false, keyFilename: key }));
    const error = await failure(backend.list('gs://models/m'));
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(error.message).toContain('access denied to gs://models/m');
    expect(error.message).toContain('GOOGLE_APPLICATION_CREDENTIALS');
  });

  it.each([429, 503])('retries HTTP %i with backoff, then succeeds', async (status) => {
    const logger = createRecordingLogger();
    const backend = createGcsBackend(options({ apiEndpoint: proxy.endpoint, logger }));
    proxy.fail(2, status);
    expect(await backend.list('gs://models/m')).toEqual(['1']);
    expect(logger.messages('warn')).toHaveLength(2);
    expect(logger.messages('warn')[0]).toContain(`HTTP ${status}`);
  });

  it('reports throttling that outlasts the retries', async () => {
    const backend = createGcsBackend(options({ apiEndpoint: proxy.endpoint }));
    proxy.fail(3, 503);
    const error = await failure(backend.readText('gs://models/m/1/model.onnx'));
    expect(error.code).toBe(StatusCode.INTERNAL_ERROR);
    expect(error.message).toContain(
      'storage is throttling requests for gs://models/m/1/model.onnx after 3 attempts: HTTP 503',
    );
  });

  it('fails a download whose object is deleted mid-way, leaving nothing behind', async () => {
    await admin
      .bucket('models')
      .file('d/1/a.bin')
      .save(randomBytes(9 * 1024 * 1024), { resumable: false });
    await admin.bucket('models').file('d/1/b.onnx').save('b', { resumable: false });
    const backend = createGcsBackend(options({ concurrency: 1 }));
    let deleting: Promise<unknown> | undefined;
    const target = join(work, 'deleted');
    const error = await failure(
      backend.download('gs://models/d/1', target, {
        onProgress: () => {
          deleting ??= admin.bucket('models').file('d/1/b.onnx').delete();
        },
      }),
    );
    await deleting;
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(error.message).toContain('object was deleted during download: gs://models/d/1/b.onnx');
    expect(await readdir(work)).toEqual(['key.json']);
  });

  it('honours an abort mid-download and before it', async () => {
    await admin
      .bucket('models')
      .file('a/1/a.bin')
      .save(randomBytes(9 * 1024 * 1024), { resumable: false });
    const backend = createGcsBackend(options());
    const controller = new AbortController();
    const target = join(work, 'aborted');
    await expect(
      backend.download('gs://models/a/1', target, {
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('stop now')),
      }),
    ).rejects.toThrow('stop now');
    expect(await readdir(work)).toEqual(['key.json']);
    await expect(backend.list('gs://models/a', AbortSignal.abort())).rejects.toThrow();
  });
});
