import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend } from './local-backend.js';

describe('LocalStorageBackend', () => {
  const backend = createLocalBackend();
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovms-local-'));
    await mkdir(join(root, 'm', '1'), { recursive: true });
    await mkdir(join(root, 'm', '2'));
    await writeFile(join(root, 'm', '1', 'model.onnx'), 'onnx');
    await writeFile(join(root, 'm', 'README'), 'hello');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists entries directly under a path, sorted', async () => {
    expect(await backend.list(join(root, 'm'))).toEqual(['1', '2', 'README']);
  });

  it('tells whether a path exists', async () => {
    expect(await backend.exists(join(root, 'm', '1'))).toBe(true);
    expect(await backend.exists(join(root, 'm', 'README'))).toBe(true);
    expect(await backend.exists(join(root, 'm', 'README', 'x'))).toBe(false);
    expect(await backend.exists(join(root, 'm', 'README') + '/')).toBe(false);
    expect(await backend.exists(join(root, 'nope'))).toBe(false);
  });

  it('reads text and "downloads" in place (absolute path, no copy)', async () => {
    expect(await backend.readText(join(root, 'm', 'README'))).toBe('hello');
    expect(await backend.download(join(root, 'm', '1'), '/unused')).toBe(join(root, 'm', '1'));
  });

  it('names the path in every error', async () => {
    const missing = join(root, 'missing');
    const readme = join(root, 'm', 'README');
    await expect(backend.list(missing)).rejects.toMatchObject({
      code: 'PATH_INVALID',
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${missing}`,
    });
    await expect(backend.list(readme)).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - not a directory: ${readme}`,
    });
    await expect(backend.readText(missing)).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${missing}`,
    });
    await expect(backend.readText(join(root, 'm'))).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - is a directory, not a file: ${join(root, 'm')}`,
    });
    await expect(backend.download(missing, '/unused')).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${missing}`,
    });
  });

  it('honours an aborted signal', async () => {
    const signal = AbortSignal.abort();
    await expect(backend.list(root, signal)).rejects.toThrow();
    await expect(backend.exists(root, signal)).rejects.toThrow();
    await expect(backend.readText(join(root, 'm', 'README'), signal)).rejects.toThrow();
    await expect(backend.download(root, '/unused', { signal })).rejects.toThrow();
  });
});
