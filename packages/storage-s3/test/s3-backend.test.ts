import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DownloadProgress } from '@ovms/core';
import { StorageRegistry, createLocalBackend, listVersions, removeLocalCopy } from '@ovms/storage';
import { createRecordingLogger } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Backend } from '../src/index.js';
import type { S3StorageBackend } from '../src/s3-backend.js';
import {
  BIG_SIZE,
  BUCKET,
  put,
  expectServingError,
  sha256,
  uploadFixture,
} from './support/fixtures.js';
import type { Fixture } from './support/fixtures.js';
import { ACCESS_KEY, SECRET_KEY, startMinio } from './support/minio-server.js';
import type { MinioServer } from './support/minio-server.js';

let server: MinioServer;
let fixture: Fixture;
let backend: S3StorageBackend;
let work: string;
const logger = createRecordingLogger();

beforeAll(async () => {
  server = await startMinio();
  fixture = await uploadFixture(server.admin);
  backend = createS3Backend({
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    logger,
  });
  work = await mkdtemp(join(tmpdir(), 'ovms-s3-test-'));
}, 40_000);

afterAll(async () => {
  backend?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const uri = (key: string) => `s3://${BUCKET}/${key}`;

describe('S3StorageBackend listing', () => {
  it('lists directories and objects directly under a prefix', async () => {
    expect(await backend.list(uri('add'))).toEqual(['1', '2', '3', 'notaversion']);
    expect(await backend.list(uri('add/2/'))).toEqual(['big', 'model.onnx']);
    expect(await backend.list(`s3://${BUCKET}`)).toEqual(['add', 'config.json']);
  });

  it('lists version directories through @ovms/storage, ignoring a file named like one', async () => {
    const registry = new StorageRegistry();
    registry.register(createLocalBackend());
    registry.register(backend);
    const versions = await listVersions(registry.resolve(uri('add')), uri('add'));
    expect(versions).toEqual([
      { version: 1, name: '1', uri: uri('add/1') },
      { version: 2, name: '2', uri: uri('add/2') },
    ]);
  });

  it('pages through listings longer than one response', async () => {
    await Promise.all(
      Array.from({ length: 1005 }, (_, i) => put(server.admin, `many/${i}/f`, 'x')),
    );
    const names = await backend.list(uri('many'));
    expect(names).toHaveLength(1005);
    expect(names).toContain('1004');
  }, 60_000);

  it('tells objects, directories and missing paths apart', async () => {
    expect(await backend.exists(uri('add/1/model.onnx'))).toBe(true);
    expect(await backend.exists(uri('add/1'))).toBe(true);
    expect(await backend.exists(uri('add/1/'))).toBe(true);
    expect(await backend.exists(uri('add/3/'))).toBe(false);
    expect(await backend.exists(uri('add/9'))).toBe(false);
    expect(await backend.exists(`s3://${BUCKET}`)).toBe(true);
    expect(await backend.exists('s3://no-such-bucket/add')).toBe(false);
  });

  it('reads a config file from the bucket', async () => {
    expect(JSON.parse(await backend.readText(uri('config.json')))).toEqual({
      model_config_list: [],
    });
  });

  it('fails a missing prefix, object or bucket with PATH_INVALID naming it', async () => {
    await expectServingError(
      backend.list(uri('nothing/here')),
      'PATH_INVALID',
      `The provided base path is invalid or doesn't exists - path does not exist: ${uri('nothing/here')}`,
    );
    await expectServingError(
      backend.readText(uri('missing.json')),
      'PATH_INVALID',
      `path does not exist: ${uri('missing.json')}: NoSuchKey`,
    );
    await expectServingError(
      backend.list('s3://no-such-bucket/add'),
      'PATH_INVALID',
      'bucket s3://no-such-bucket does not exist (for s3://no-such-bucket/add): NoSuchBucket',
    );
  });
});

describe('S3StorageBackend download', () => {
  it('streams a version to a local directory, checked, with progress for the large file', async () => {
    const progress: DownloadProgress[] = [];
    const target = join(work, 'add', '2');
    const dir = await backend.download(uri('add/2'), target, {
      onProgress: (event) => progress.push(event),
    });
    expect(dir).toBe(target);
    for (const key of ['add/2/model.onnx', 'add/2/big/weights.bin']) {
      const local = await readFile(join(dir, key.slice('add/2/'.length)));
      expect(sha256(local)).toBe(sha256(fixture.files.get(key) ?? Buffer.alloc(0)));
    }
    // every tenth of the 9 MiB file once, ending at 100 %
    expect(progress).toHaveLength(10);
    expect(progress.at(-1)).toEqual({
      file: uri('add/2/big/weights.bin'),
      bytesDone: BIG_SIZE,
      bytesTotal: BIG_SIZE,
    });
    expect(progress.map((event) => Math.floor((event.bytesDone * 10) / BIG_SIZE))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(logger.messages('info')).toContain(
      `downloading ${uri('add/2/big/weights.bin')}: 50% of ${BIG_SIZE} bytes`,
    );
    // no partial directory is left beside the copy
    expect(await readdir(join(work, 'add'))).toEqual(['2']);
  });

  it('replaces an older local copy of the version in one rename', async () => {
    const target = join(work, 'replace');
    await mkdir(join(target, 'stale'), { recursive: true });
    await writeFile(join(target, 'stale', 'old.bin'), 'old');
    await backend.download(uri('add/1'), target);
    expect((await readdir(target)).sort()).toEqual(['model.onnx', 'sub']);
    expect(await readFile(join(target, 'sub', 'labels.txt'), 'utf8')).toBe('zero\none\n');
    expect(await readdir(work)).not.toContainEqual(expect.stringContaining('.partial-'));
  });

  it('removes a local copy when its version unloads', async () => {
    const target = await backend.download(uri('add/1'), join(work, 'unload'));
    await removeLocalCopy(target);
    expect(await readdir(work)).not.toContain('unload');
    await removeLocalCopy(target); // already gone: fine
  });

  it('fails a version prefix without objects with PATH_INVALID', async () => {
    await expectServingError(
      backend.download(uri('add/7'), join(work, 'seven')),
      'PATH_INVALID',
      `path does not exist: ${uri('add/7')} has no objects`,
    );
    expect(await readdir(work)).not.toContain('seven');
  });
});

describe('fingerprint', () => {
  it('is stable, and changes when an object of the version is rewritten or added', async () => {
    const first = await backend.fingerprint(uri('add/1'));
    expect(await backend.fingerprint(uri('add/1/'))).toBe(first);
    expect(await backend.fingerprint(uri('add/2'))).not.toBe(first);

    // the same bytes again: same ETag, nothing to reload
    await put(server.admin, 'add/1/sub/labels.txt', 'zero\none\n');
    expect(await backend.fingerprint(uri('add/1'))).toBe(first);

    await put(server.admin, 'add/1/sub/labels.txt', 'zero\none\ntwo\n');
    const changed = await backend.fingerprint(uri('add/1'));
    expect(changed).not.toBe(first);

    await put(server.admin, 'add/1/extra.txt', 'x');
    expect(await backend.fingerprint(uri('add/1'))).not.toBe(changed);
  });

  it('fails a missing version with PATH_INVALID', async () => {
    await expectServingError(
      backend.fingerprint(uri('add/8')),
      'PATH_INVALID',
      `path does not exist: ${uri('add/8')} has no objects`,
    );
  });
});
