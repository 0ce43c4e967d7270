import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModelFiles, formatName } from './model-files.js';
import { ServingError } from './status.js';

describe('findModelFiles', () => {
  let root = '';
  let count = 0;
  /** A fresh version directory holding `files` (a name ending in / is a directory). */
  const versionDir = async (...files: string[]): Promise<string> => {
    const dir = join(root, String(count++));
    await mkdir(dir);
    for (const file of files) {
      if (file.endsWith('/')) await mkdir(join(dir, file));
      else await writeFile(join(dir, file), '');
    }
    return dir;
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'model-files-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('detects each format by its rule', async () => {
    let dir = await versionDir('m.xml', 'm.bin', 'notes.txt');
    expect(await findModelFiles(dir)).toEqual({
      format: 'ir',
      model: join(dir, 'm.xml'),
      weights: join(dir, 'm.bin'),
    });
    dir = await versionDir('m.onnx');
    expect(await findModelFiles(dir)).toEqual({ format: 'onnx', model: join(dir, 'm.onnx') });
    dir = await versionDir('saved_model.pb', 'fingerprint.pb', 'variables/');
    expect(await findModelFiles(dir)).toEqual({ format: 'saved-model', model: dir });
    dir = await versionDir('graph.pb');
    expect(await findModelFiles(dir)).toEqual({
      format: 'frozen-graph',
      model: join(dir, 'graph.pb'),
    });
    dir = await versionDir('m.tflite');
    expect(await findModelFiles(dir)).toEqual({ format: 'tflite', model: join(dir, 'm.tflite') });
    dir = await versionDir('m.pdmodel', 'm.pdiparams', 'm.pdiparams.info');
    expect(await findModelFiles(dir)).toEqual({ format: 'paddle', model: join(dir, 'm.pdmodel') });
  });

  it('finds nothing in halves of pairs, other files or a missing directory', async () => {
    expect(await findModelFiles(await versionDir('m.xml', 'm.pdmodel', 'x.bin'))).toBeUndefined();
    expect(await findModelFiles(await versionDir('variables/', 'README'))).toBeUndefined();
    expect(await findModelFiles(join(root, 'absent'))).toBeUndefined();
  });

  it('refuses several models in one version directory, naming them', async () => {
    const cases: [string[], string][] = [
      [['a.xml', 'a.bin', 'b.xml', 'b.bin'], 'a.xml, b.xml'],
      [['m.onnx', 'm.tflite'], 'm.onnx, m.tflite'],
      [
        ['saved_model.pb', 'variables/', 'm.pdmodel', 'm.pdiparams'],
        'saved_model.pb + variables/, m.pdmodel + m.pdiparams',
      ],
      [['a.pb', 'b.pb'], 'a.pb, b.pb'],
    ];
    for (const [files, named] of cases) {
      const dir = await versionDir(...files);
      const error = await findModelFiles(dir).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ServingError);
      expect((error as ServingError).code).toBe('MODEL_FILE_INVALID');
      expect((error as ServingError).message).toBe(
        `Model file could not be loaded - version directory ${dir} holds several models (${named}); keep one`,
      );
    }
  });

  it('names formats for messages', () => {
    expect(formatName('saved-model')).toBe('TensorFlow SavedModel');
    expect(formatName('tflite')).toBe('TensorFlow Lite');
  });
});
