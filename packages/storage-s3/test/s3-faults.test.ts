import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createRecordingLogger } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Backend } from '../src/index.js';
import type { S3BackendOptions } from '../src/index.js';
import { flipFirstByte, tapGetObject } from './support/body-tap.js';
import { startFaultProxy } from './support/fault-proxy.js';
import type { FaultProxy } from './support/fault-proxy.js';
import {
  BIG_SIZE,
  BUCKET,
  put,
  putMultipart,
  expectServingError,
  uploadFixture,
} from './support/fixtures.js';
import { ACCESS_KEY, SECRET_KEY, freePort, startMinio } from './support/minio-server.js';
import type { MinioServer } from './support/minio-server.js';

let server: MinioServer;
let proxy: FaultProxy;
let work: string;
const fast = { attempts: 3, baseDelayMs: 10 };

beforeAll(async () => {
  server = await startMinio();
  await uploadFixture(server.admin);
  proxy = await startFaultProxy(server.port);
  work = await mkdtemp(join(tmpdir(), 'ovms-s3-faults-'));
}, 40_000);

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const uri = (key: string) => `s3://${BUCKET}/${key}`;

function backendWith(options: Partial<S3BackendOptions> = {}) {
  const logger = createRecordingLogger();
  const backend = createS3Backend({
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    retry: fast,
    logger,
    ...options,
  });
  return { backend, logger };
}

/** The download left nothing behind: no partial directory, no target. */
async function expectNothingIn(dir: string): Promise<void> {
  expect(await readdir(dir).catch(() => [])).toEqual([]);
}

describe('integrity', () => {
  it('detects bytes that do not match the ETag, retries, and never shows the version', async () => {
    const { backend, logger } = backendWith();
    tapGetObject(backend.client, {
      tap: (chunk, _call, key) => (key.endsWith('model.onnx') ? flipFirstByte(chunk) : chunk),
    });
    const dir = join(work, 'corrupt');
    await expectServingError(
      backend.download(uri('add/1'), join(dir, '1')),
      'INTERNAL_ERROR',
      new RegExp(
        `^Internal server error - integrity check failed for ${uri('add/1/model.onnx')} after 3 attempts: MD5 of the received bytes [0-9a-f]{32} does not match ETag [0-9a-f]{32}$`,
      ),
    );
    expect(logger.messages('warn')).toHaveLength(2);
    await expectNothingIn(dir);
    backend.close();
  });

  it('recovers from a transfer corrupted once', async () => {
    const { backend, logger } = backendWith();
    tapGetObject(backend.client, {
      tap: (chunk, call) => (call === 0 ? flipFirstByte(chunk) : chunk),
    });
    const dir = await backend.download(uri('add/1'), join(work, 'once', '1'));
    expect((await readdir(dir)).sort()).toEqual(['model.onnx', 'sub']);
    expect(logger.messages('warn')).toEqual([
      expect.stringContaining('failed (IntegrityCheckFailed); retrying in'),
    ]);
    backend.close();
  });

  it('downloads a file again from the start when its stream is cut', async () => {
    const { backend, logger } = backendWith();
    let cut = false;
    tapGetObject(backend.client, {
      tap: (chunk, _call, key) => {
        if (cut || !key.endsWith('model.onnx')) return chunk;
        cut = true;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
    });
    const dir = await backend.download(uri('add/1'), join(work, 'cut', '1'));
    expect((await readFile(join(dir, 'model.onnx'))).length).toBe(1500);
    expect(logger.messages('warn')).toEqual([
      expect.stringContaining(
        `S3 request for ${uri('add/1/model.onnx')} failed (ECONNRESET); retrying in`,
      ),
    ]);
    backend.close();
  });

  it('fails a version whose object is replaced between the listing and the GET', async () => {
    await put(server.admin, 'swap/1/model.onnx', 'first upload');
    const { backend } = backendWith();
    tapGetObject(backend.client, {
      before: (key) => put(server.admin, key, 'second upload, other bytes'),
    });
    const dir = join(work, 'swap');
    await expectServingError(
      backend.download(uri('swap/1'), join(dir, '1')),
      'INTERNAL_ERROR',
      `object changed during download: ${uri('swap/1/model.onnx')}: PreconditionFailed`,
    );
    await expectNothingIn(dir);
    backend.close();
  });

  it('fails a version whose large object is deleted while it streams', async () => {
    await put(server.admin, 'gone/1/model.onnx', 'small');
    await putMultipart(server.admin, 'gone/1/weights.bin', randomBytes(BIG_SIZE));
    const { backend } = backendWith();
    let deleted: Promise<unknown> | undefined;
    tapGetObject(backend.client, {
      // from the big file's first chunk on, another client deletes it
      tap: (chunk, _call, key) => {
        if (key.endsWith('weights.bin'))
          deleted ??= server.admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
        return chunk;
      },
      // …and the check after the last byte sees the bucket as it is after the delete
      beforeList: () => deleted,
    });
    const dir = join(work, 'deleted');
    await expectServingError(
      backend.download(uri('gone/1'), join(dir, '1')),
      'PATH_INVALID',
      `object was deleted during download: ${uri('gone/1/weights.bin')}`,
    );
    expect(deleted).toBeDefined();
    await expectNothingIn(dir);
    backend.close();
  });
});

describe('unreachable and refused', () => {
  it('fails wrong credentials with PATH_INVALID naming the location and the cause', async () => {
    const { backend, logger } = backendWith({ secretAccessKey: 'wrong', accessKeyId: 'nobody' });
    await expectServingError(
      backend.list(uri('add')),
      'PATH_INVALID',
      `access denied to ${uri('add')}: InvalidAccessKeyId`,
    );
    // a definite refusal is not retried
    expect(logger.messages('warn')).toHaveLength(0);
    backend.close();
  });

  it('retries an unreachable endpoint a bounded number of times, then says so', async () => {
    const port = await freePort();
    const { backend, logger } = backendWith({ endpoint: `http://127.0.0.1:${port}` });
    const started = performance.now();
    await expectServingError(
      backend.download(uri('add/1'), join(work, 'unreachable')),
      'INTERNAL_ERROR',
      `Internal server error - cannot reach the S3 endpoint http://127.0.0.1:${port} for ${uri('add/1')} after 3 attempts: ECONNREFUSED`,
    );
    expect(logger.messages('warn')).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(5_000);
    backend.close();
  });

  it('backs off while throttled and succeeds when the store recovers', async () => {
    const { backend, logger } = backendWith({ endpoint: proxy.endpoint });
    proxy.failNext(2, 503, 'SlowDown');
    expect(await backend.list(uri('add'))).toEqual(['1', '2', '3', 'notaversion']);
    expect(logger.messages('warn')).toEqual([
      expect.stringMatching(
        /^S3 request for s3:\/\/models\/add failed \(SlowDown\); retrying in \d+ ms$/,
      ),
      expect.stringMatching(/SlowDown/),
    ]);
    backend.close();
  });

  it('gives up on a store that keeps throttling, with the cause', async () => {
    const { backend } = backendWith({ endpoint: proxy.endpoint });
    proxy.failNext(3, 503, 'SlowDown');
    await expectServingError(
      backend.readText(uri('config.json')),
      'INTERNAL_ERROR',
      `Internal server error - S3 is throttling requests for ${uri('config.json')} after 3 attempts: SlowDown (Please reduce your request rate.)`,
    );
    backend.close();
  });
});

describe('abort', () => {
  it('stops a download in flight, removes the partial copy and throws the reason', async () => {
    const { backend } = backendWith();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const dir = join(work, 'aborted');
    await expect(
      backend.download(uri('add/2'), join(dir, '2'), {
        signal: controller.signal,
        onProgress: () => controller.abort(reason),
      }),
    ).rejects.toBe(reason);
    await expectNothingIn(dir);
    backend.close();
  });

  it('does not start when already aborted', async () => {
    const { backend } = backendWith();
    const reason = new Error('already');
    await expect(backend.list(uri('add'), AbortSignal.abort(reason))).rejects.toBe(reason);
    backend.close();
  });
});
