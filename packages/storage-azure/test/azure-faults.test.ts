import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { ServingError, StatusCode } from '@ovms/core';
import { createRecordingLogger } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBackend } from '../src/index.js';
import type { AzureBackendOptions } from '../src/index.js';
import { connectionStringFor, freePort, startAzurite } from './azurite.js';
import type { Azurite } from './azurite.js';
import { startFaultProxy } from '@ovms/storage/test-support';
import type { FaultProxy } from '@ovms/storage/test-support';

let azurite: Azurite;
let proxy: FaultProxy;
let models: ContainerClient;
let work: string;

const options = (extra: AzureBackendOptions = {}): AzureBackendOptions => ({
  connectionString: azurite.connectionString(),
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

async function put(name: string, body: Buffer | string): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  await models.getBlockBlobClient(name).upload(bytes, bytes.length, {
    blobHTTPHeaders: { blobContentMD5: createHash('md5').update(bytes).digest() },
  });
}

beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.blobEndpoint.replace(/\/[^/]+$/, ''));
  models = BlobServiceClient.fromConnectionString(azurite.connectionString()).getContainerClient(
    'models',
  );
  await models.create();
  await put('m/1/model.onnx', 'onnx');
  work = await mkdtemp(join(tmpdir(), 'ovms-azure-faults-'));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('AzureStorageBackend (az://) faults', () => {
  it('names a missing container and a missing path', async () => {
    const backend = createAzureBackend(options());
    const container = await failure(backend.list('az://no-such-container/m'));
    expect(container.code).toBe(StatusCode.PATH_INVALID);
    expect(container.message).toContain(
      'container az://no-such-container does not exist (for az://no-such-container/m): HTTP 404 ContainerNotFound',
    );
    const path = await failure(backend.list('az://models/none'));
    expect(path.code).toBe(StatusCode.PATH_INVALID);
    expect(path.message).toContain('path does not exist: az://models/none');
    const blob = await failure(backend.readText('az://models/none.json'));
    expect(blob.code).toBe(StatusCode.PATH_INVALID);
    expect(blob.message).toContain('path does not exist: az://models/none.json: HTTP 404');
  });

  it('reports a wrong account key as access denied (Azurite checks the shared key)', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const backend = createAzureBackend(
      options({ connectionString: azurite.connectionString(wrongKey) }),
    );
    const error = await failure(backend.list('az://models/m'));
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(error.message).toContain(
      'access denied to az://models/m: HTTP 403 AuthorizationFailure',
    );
    expect(error.message).toContain('AZURE_STORAGE_CONNECTION_STRING');
  });

  it('reports a missing connection string when an az:// location is used', async () => {
    const error = await failure(createAzureBackend({}).list('az://models/m'));
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(error.message).toContain('AZURE_STORAGE_CONNECTION_STRING is not set');
  });

  it('gives up on a closed port after the bounded retries', async () => {
    const port = await freePort();
    const logger = createRecordingLogger();
    const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
    const backend = createAzureBackend(
      options({
        connectionString: connectionStringFor(endpoint),
        logger,
      }),
    );
    const started = Date.now();
    const error = await failure(backend.list('az://models/m'));
    expect(error.code).toBe(StatusCode.INTERNAL_ERROR);
    expect(error.message).toContain(
      `cannot reach ${endpoint} for az://models/m after 3 attempts: ECONNREFUSED`,
    );
    expect(logger.messages('warn')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each([429, 503])('retries HTTP %i with backoff, then succeeds', async (status) => {
    const logger = createRecordingLogger();
    const backend = createAzureBackend(
      options({
        connectionString: connectionStringFor(`${proxy.endpoint}/devstoreaccount1`),
        logger,
      }),
    );
    proxy.fail(2, status);
    expect(await backend.list('az://models/m')).toEqual(['1']);
    expect(logger.messages('warn')).toHaveLength(2);
    expect(logger.messages('warn')[0]).toContain(`HTTP ${status}`);
  });

  it('reports throttling that outlasts the retries', async () => {
    const backend = createAzureBackend(
      options({ connectionString: connectionStringFor(`${proxy.endpoint}/devstoreaccount1`) }),
    );
    proxy.fail(3, 503);
    const error = await failure(backend.readText('az://models/m/1/model.onnx'));
    expect(error.code).toBe(StatusCode.INTERNAL_ERROR);
    expect(error.message).toContain(
      'storage is throttling requests for az://models/m/1/model.onnx after 3 attempts: HTTP 503',
    );
  });

  it('rejects bytes that do not match the stored Content-MD5, after retries', async () => {
    await put('bad/1/model.onnx', 'real bytes');
    // Put Blob checks a Content-MD5 sent with it; Set Blob Properties stores any.
    await models.getBlobClient('bad/1/model.onnx').setHTTPHeaders({
      blobContentMD5: createHash('md5').update('other bytes').digest(),
    });
    const error = await failure(
      createAzureBackend(options()).download('az://models/bad/1', join(work, 'bad')),
    );
    expect(error.code).toBe(StatusCode.INTERNAL_ERROR);
    expect(error.message).toContain(
      'integrity check failed for az://models/bad/1/model.onnx after 3 attempts',
    );
    expect(error.message).toContain('Content-MD5 of the received bytes');
    expect(await readdir(work)).toEqual([]);
  });

  it('fails a download whose blob is deleted mid-way, leaving nothing behind', async () => {
    await put('d/1/a.bin', randomBytes(9 * 1024 * 1024));
    await put('d/1/b.onnx', 'b');
    const backend = createAzureBackend(options({ concurrency: 1 }));
    let deleting: Promise<unknown> | undefined;
    const error = await failure(
      backend.download('az://models/d/1', join(work, 'deleted'), {
        onProgress: () => {
          deleting ??= models.getBlobClient('d/1/b.onnx').delete();
        },
      }),
    );
    await deleting;
    expect(error.message).toContain('object was deleted during download: az://models/d/1/b.onnx');
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(await readdir(work)).toEqual([]);
  });

  it('honours an abort mid-download and before it', async () => {
    await put('a/1/a.bin', randomBytes(9 * 1024 * 1024));
    const backend = createAzureBackend(options());
    const controller = new AbortController();
    await expect(
      backend.download('az://models/a/1', join(work, 'aborted'), {
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('stop now')),
      }),
    ).rejects.toThrow('stop now');
    expect(await readdir(work)).toEqual([]);
    await expect(backend.list('az://models/a', AbortSignal.abort())).rejects.toThrow();
  });
});
