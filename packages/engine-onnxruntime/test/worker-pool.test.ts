import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, StatusCode, bytesOf, createNumericTensor, type TensorMap } from '@ovms/core';
import { fixtureSpec, linkPpOcrDetModel, writeFixtureModel } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';
import { fromWire, toWire } from '../src/ort-tensors.js';
import { OrtWorkerPool } from '../src/ort-worker-pool.js';
import { sessionOptionsFromPluginConfig } from '../src/session-options.js';

let root = '';
let addDir = '';
const spec = fixtureSpec('add_f32');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-pool-'));
  addDir = join(root, 'add', '1');
  await writeFixtureModel('add_f32', 'onnx', addDir);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function startPool(size: number, file = join(addDir, 'model.onnx')): Promise<OrtWorkerPool> {
  const sessionOptions = sessionOptionsFromPluginConfig({ INFERENCE_NUM_THREADS: 1 });
  return OrtWorkerPool.start({ file, sessionOptions, size });
}

async function runAdd(pool: OrtWorkerPool, inputs: TensorMap): Promise<TensorMap> {
  const { tensors, transfer } = toWire(inputs);
  return fromWire((await pool.run(tensors, transfer)).outputs, spec.outputs);
}

function detImage(size: number): TensorMap {
  const pixels = new Float32Array(3 * size * size);
  return new Map([['x', createNumericTensor('FP32', [1, 3, size, size], bytesOf(pixels))]]);
}

describe('onnxruntime worker pool', () => {
  it('starts one thread per infer request and reports the session metadata', async () => {
    const pool = await startPool(3);
    expect(pool.threads).toHaveLength(3);
    expect(pool.metadata.inputs.map((value) => value.name)).toEqual(['a', 'b']);
    const inputs = spec.sampleInputs({ seed: 2 });
    expect(await runAdd(pool, inputs)).toEqual(spec.reference(inputs));
    await pool.close();
    expect(pool.threads.every((thread) => thread.dead)).toBe(true);
  });

  it('runs jobs on two threads at the same time', async () => {
    const versionDir = join(root, 'det', '1');
    const pool = await startPool(2, await linkPpOcrDetModel(versionDir));
    const run = () => {
      const { tensors, transfer } = toWire(detImage(640));
      return pool.run(tensors, transfer);
    };
    await Promise.all([run(), run()]);
    const [first, second] = await Promise.all([run(), run()]);
    await pool.close();
    if (first === undefined || second === undefined) throw new Error('two results expected');
    // Each `session.run` started before the other one ended: both were in flight at once.
    expect(first.startedAt).toBeLessThan(second.finishedAt);
    expect(second.startedAt).toBeLessThan(first.finishedAt);
  }, 60_000);

  it('fails the job of a crashed thread with INTERNAL_INFERENCE_ERROR and replaces it', async () => {
    const pool = await startPool(1);
    const [crashing] = pool.threads;
    // The thread reads the exit request before the job, so the job is in flight when it dies.
    crashing?.exitForTest(7);
    const error = await runAdd(pool, spec.sampleInputs()).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
    expect((error as ServingError).message).toBe(
      `Internal inference error - onnxruntime worker thread for ${join(addDir, 'model.onnx')} stopped (exit code 7)`,
    );
    expect(crashing?.dead).toBe(true);
    const [replacement] = pool.threads;
    expect(replacement).not.toBe(crashing);
    const inputs = spec.sampleInputs({ seed: 5 });
    expect(await runAdd(pool, inputs)).toEqual(spec.reference(inputs));
    await pool.close();
  });

  it('loads bytes on every thread and produces them again for a crashed thread', async () => {
    const file = join(addDir, 'model.onnx');
    let produced = 0;
    const bytes = async () => {
      produced++;
      return readFile(file);
    };
    const sessionOptions = sessionOptionsFromPluginConfig({});
    const pool = await OrtWorkerPool.start({ file, bytes, sessionOptions, size: 2 });
    expect(produced).toBe(1);
    const inputs = spec.sampleInputs({ seed: 3 });
    expect(await Promise.all([runAdd(pool, inputs), runAdd(pool, inputs)])).toEqual([
      spec.reference(inputs),
      spec.reference(inputs),
    ]);
    const [crashing] = pool.threads;
    crashing?.exitForTest(3);
    await expect(runAdd(pool, inputs)).rejects.toThrow('stopped (exit code 3)');
    expect(await runAdd(pool, inputs)).toEqual(spec.reference(inputs));
    expect(produced).toBe(2);
    await pool.close();
  });

  it('fails to start when the bytes cannot be produced, with the reason', async () => {
    const file = join(addDir, 'model.onnx');
    const bytes = () => Promise.reject(new Error('rewrite failed'));
    const sessionOptions = sessionOptionsFromPluginConfig({});
    const error = await OrtWorkerPool.start({ file, bytes, sessionOptions, size: 1 }).catch(
      (reason: unknown) => reason,
    );
    expect((error as ServingError).code).toBe(StatusCode.MODEL_FILE_INVALID);
    expect((error as ServingError).message).toBe(
      `Model file could not be loaded - cannot load ${file}: rewrite failed`,
    );
  });

  it("fails to start with the first thread's load error: ORT's reason, naming the file", async () => {
    const file = join(root, 'corrupt', '1', 'model.onnx');
    await writeFixtureModel('corrupt', 'onnx', join(root, 'corrupt', '1'));
    const error = await startPool(2, file).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.MODEL_FILE_INVALID);
    expect((error as ServingError).message).toBe(
      `Model file could not be loaded - cannot load ${file}: Load model from ${file} failed:Protobuf parsing failed.`,
    );
  });

  it('refuses jobs once closed', async () => {
    const pool = await startPool(1);
    await pool.close();
    await expect(runAdd(pool, spec.sampleInputs())).rejects.toThrow(
      'Internal inference error - worker pool is closed',
    );
  });
});

describe('onnxruntime model: close while jobs are in flight', () => {
  it('finishes running and queued infers, then refuses new ones', async () => {
    const versionDir = join(root, 'det', '1');
    await linkPpOcrDetModel(versionDir);
    const model = await createOnnxRuntimeEngine().load(versionDir, { nireq: 2 });
    const image = detImage(320);
    const settled: string[] = [];
    const infers = Array.from({ length: 3 }, (_, i) =>
      model.infer(image).then((outputs) => {
        settled.push(`infer ${i}`);
        return outputs.get('sigmoid_0.tmp_0')?.shape;
      }),
    );
    const closing = model.close().then(() => settled.push('closed'));
    const late = await model.infer(image).catch((reason: unknown) => reason);
    expect((late as ServingError).code).toBe(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE);
    expect(await Promise.all(infers)).toEqual([
      [1, 1, 320, 320],
      [1, 1, 320, 320],
      [1, 1, 320, 320],
    ]);
    await closing;
    expect(settled.at(-1)).toBe('closed');
    expect(settled).toHaveLength(4);
  }, 60_000);
});
