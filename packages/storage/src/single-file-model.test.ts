import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSingleFileModel } from './single-file-model.js';

describe('detectSingleFileModel', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovms-single-'));
    await mkdir(join(root, 'repo', '1'), { recursive: true });
    await writeFile(join(root, 'model.onnx'), 'onnx');
    await writeFile(join(root, 'net.XML'), '<net/>');
    await writeFile(join(root, 'notes.txt'), 'x');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves a model file as version 1 from its directory', async () => {
    expect(await detectSingleFileModel(join(root, 'model.onnx'))).toEqual({
      version: 1,
      file: join(root, 'model.onnx'),
      directory: root,
    });
    expect((await detectSingleFileModel(join(root, 'net.XML')))?.file).toBe(join(root, 'net.XML'));
  });

  it('returns undefined for a repository directory', async () => {
    expect(await detectSingleFileModel(join(root, 'repo'))).toBeUndefined();
  });

  it('names the path of a missing or non-model file', async () => {
    await expect(detectSingleFileModel(join(root, 'nope.onnx'))).rejects.toMatchObject({
      code: 'PATH_INVALID',
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${join(root, 'nope.onnx')}`,
    });
    await expect(detectSingleFileModel(join(root, 'notes.txt'))).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - not a model directory or model file (.onnx, .xml, .gguf): ${join(root, 'notes.txt')}`,
    });
  });
});
