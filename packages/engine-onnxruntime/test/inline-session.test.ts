import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from '@ovms/core';
import type { TensorMap } from '@ovms/core';
import { fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { InlineSession } from '../src/inline-session.js';
import { toWire } from '../src/ort-tensors.js';

// The event loop's session runs on onnxruntime-node's native session, or through its public API
// where a version lacks that binding: both must answer alike, failures included.

const add = fixtureSpec('add_f32');
let root = '';
let file = '';
const open: InlineSession[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-inline-session-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, '1'));
  file = join(root, '1', 'model.onnx');
});
afterAll(async () => {
  await Promise.all(open.map((session) => session.close()));
  await rm(root, { recursive: true, force: true });
});

async function session(
  api: 'native' | 'public',
  model: string | Uint8Array = file,
): Promise<InlineSession> {
  const opened = await InlineSession.open(model, { executionProviders: ['cpu'] }, api);
  open.push(opened);
  return opened;
}

async function answer(inline: InlineSession, inputs: TensorMap) {
  const { tensors } = toWire(inputs, undefined, false);
  const result = await inline.run(tensors);
  expect(result.finishedAt).toBeGreaterThanOrEqual(result.startedAt);
  expect(result.startedAt).toBeGreaterThan(0);
  return result.outputs.map(({ name, type, dims, data }) => ({
    name,
    type,
    dims: [...dims],
    data: Array.from(data as Float32Array),
  }));
}

describe('InlineSession', () => {
  it('runs on the native session of onnxruntime-node 1.30, from a path or from bytes', async () => {
    const fromPath = await session('native');
    const fromBytes = await session('native', new Uint8Array(await readFile(file)));
    expect([fromPath.api, fromBytes.api]).toEqual(['native', 'native']);
    const inputs = add.sampleInputs({ seed: 3 });
    const [expected] = add.reference(inputs).values();
    for (const inline of [fromPath, fromBytes]) {
      const [output] = await answer(inline, inputs);
      expect(output?.dims).toEqual(expected?.shape);
      const bytes = expected?.data as Uint8Array;
      const values = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      expect(output?.data).toEqual(Array.from(values));
    }
  });

  it('answers exactly as the public API does, for every sample', async () => {
    const native = await session('native');
    const publicApi = await session('public');
    expect(publicApi.api).toBe('public');
    for (let seed = 0; seed < 8; seed += 1) {
      const inputs = add.sampleInputs({ seed });
      expect(await answer(native, inputs)).toEqual(await answer(publicApi, inputs));
    }
  });

  it('fails a run ORT refuses with its reason on both APIs, and serves the next', async () => {
    const bad = add.sampleInputs({ shapes: { a: [2, 4], b: [3, 4] } });
    for (const api of ['native', 'public'] as const) {
      const inline = await session(api);
      const error = await answer(inline, bad).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServingError);
      expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
      expect((error as ServingError).detail).toMatch(/broadcast/i);
      const next = add.sampleInputs({ seed: 1 });
      const [output] = await answer(inline, next);
      expect(output?.name).toBe([...add.reference(next).keys()][0]);
    }
  });

  it('refuses a file that is not a model on the native session, as the public API does', async () => {
    const notModel = new TextEncoder().encode('not an onnx model');
    await expect(InlineSession.open(notModel, {}, 'native')).rejects.toThrow(
      /protobuf|parse|model/i,
    );
    await expect(InlineSession.open(notModel, {}, 'public')).rejects.toThrow(
      /protobuf|parse|model/i,
    );
  });
});
