import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from '@ovms/testing';
import type { OvBinding } from '../src/binding.js';
import { createCApiBinding } from '../src/c-api/binding.js';
import { OpenvinoError } from '../src/openvino-error.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

describe('C API binding (libopenvino_c through koffi)', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — OpenVINO C API tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  let ov: OvBinding;
  const ir = (name: string) => join(root, name, 'model.xml');
  const bin = (name: string) => join(root, name, 'model.bin');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-binding-'));
    for (const name of ['add_f32', 'nchw', 'fixed_shape'] as const) {
      await writeFixtureModel(name, 'ir', join(root, name));
    }
    ov = createCApiBinding(openvinoLibDir ?? '');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /**
   * add_f32 compiled with `config`, its request set up to fail while it runs: both (-1,4)
   * inputs are accepted, but batches 2 and 3 do not broadcast.
   */
  async function failingAddRequest(config: Record<string, string>) {
    const model = await ov.readModel(ir('add_f32'), bin('add_f32'));
    const compiled = await model.compile('CPU', config);
    const request = compiled.createInferRequest();
    request.setInput(0, 'f32', [2, 4], new Uint8Array(32));
    request.setInput(1, 'f32', [3, 4], new Uint8Array(48));
    const free = () => {
      request.free();
      compiled.free();
      model.free();
    };
    return { request, free };
  }
  const failed = { name: 'OpenvinoError', message: 'infer: general error', status: -1 };

  it('lists CPU among the available devices', () => {
    expect(ov.availableDevices()).toContain('CPU');
  });

  it('reads ports with names, element types and -1 for dynamic dims', async () => {
    const model = await ov.readModel(ir('add_f32'), bin('add_f32'));
    expect(model.inputs()).toEqual([
      { name: 'a', elementType: 'f32', shape: [-1, 4] },
      { name: 'b', elementType: 'f32', shape: [-1, 4] },
    ]);
    expect(model.outputs().map((port) => port.name)).toEqual(['sum']);
    model.free();
  });

  it('infers over the caller buffers and hands back outputs it owns', async () => {
    const model = await ov.readModel(ir('add_f32'), bin('add_f32'));
    const compiled = await model.compile('CPU', { NUM_STREAMS: '1' });
    expect(compiled.optimalInferRequests()).toBeGreaterThan(0);
    const request = compiled.createInferRequest();
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([10, 20, 30, 40]);
    const bytes = (x: Float32Array) => new Uint8Array(x.buffer);
    request.setInput(0, 'f32', [1, 4], bytes(a));
    request.setInput(1, 'f32', [1, 4], bytes(b));
    await request.infer();
    const first = request.getOutput(0);
    expect(first.shape).toEqual([1, 4]);
    expect(first.elementType).toBe('f32');
    expect([...new Float32Array(first.data.buffer)]).toEqual([11, 22, 33, 44]);
    // Small inputs are copied into the request's own tensor, so a change needs setInput again;
    // the same shape reuses that tensor. The first output, copied out, stays as it was.
    a.set([100, 100, 100, 100]);
    request.setInput(0, 'f32', [1, 4], bytes(a));
    // On the pool thread (`pool`, short infers) the answer is the same.
    await request.infer('pool');
    expect([...new Float32Array(request.getOutput(0).data.buffer)]).toEqual([110, 120, 130, 140]);
    expect([...new Float32Array(first.data.buffer)]).toEqual([11, 22, 33, 44]);
    request.free();
    compiled.free();
    model.free();
  });

  it('switches between copied small inputs and wrapped large ones as shapes change', async () => {
    const model = await ov.readModel(ir('add_f32'), bin('add_f32'));
    const compiled = await model.compile('CPU', {});
    const request = compiled.createInferRequest();
    // 5000×4 f32 is 80 KB, over the copy limit (wrapped); 1×4 and 2×4 are copied.
    for (const batch of [1, 5000, 2, 2, 5000, 1]) {
      const values = Float32Array.from({ length: batch * 4 }, (_, i) => i);
      const bytes = new Uint8Array(values.buffer);
      request.setInput(0, 'f32', [batch, 4], bytes);
      request.setInput(1, 'f32', [batch, 4], bytes);
      await request.infer();
      const output = request.getOutput(0);
      expect(output.shape).toEqual([batch, 4]);
      const sums = new Float32Array(output.data.buffer);
      expect(sums.length).toBe(batch * 4);
      expect(sums[batch * 4 - 1]).toBe(2 * (batch * 4 - 1));
    }
    request.free();
    compiled.free();
    model.free();
  });

  it('rejects an infer that fails while it runs, and one OpenVINO refuses to start', async () => {
    const { request, free } = await failingAddRequest({});
    // The started infer fails on OpenVINO's thread and the wait reports it.
    await expect(request.infer()).rejects.toMatchObject(failed);
    // Run on the pool thread itself (short infers), the blocking call reports it alike.
    await expect(request.infer('pool')).rejects.toMatchObject(failed);
    // A freed request has no handle: the start call itself refuses it.
    free();
    await expect(request.infer()).rejects.toMatchObject({
      name: 'OpenvinoError',
      message: 'infer: invalid c input parameters',
      status: -14,
    });
  });

  it('reports a failing infer of a one-thread model, offloaded and on the calling thread', async () => {
    // OpenVINO's blocking ov_infer_request_infer returns OK for this failure when compiled with
    // one thread; the binding starts and waits instead, which reports it.
    const { request, free } = await failingAddRequest({ INFERENCE_NUM_THREADS: '1' });
    await expect(request.infer()).rejects.toMatchObject(failed);
    await expect(request.infer('pool')).rejects.toMatchObject(failed);
    expect(() => request.inferSync?.()).toThrow(expect.objectContaining(failed));
    free();
  });

  it('takes inputs at any byte offset, as request buffers have', async () => {
    const model = await ov.readModel(ir('add_f32'), bin('add_f32'));
    const compiled = await model.compile('CPU', {});
    const request = compiled.createInferRequest();
    const backing = new Uint8Array(1 + 32);
    const view = new DataView(backing.buffer);
    for (let i = 0; i < 8; i++) view.setFloat32(1 + i * 4, i, true);
    request.setInput(0, 'f32', [1, 4], backing.subarray(1, 17));
    request.setInput(1, 'f32', [1, 4], backing.subarray(17, 33));
    await request.infer();
    expect([...new Float32Array(request.getOutput(0).data.buffer)]).toEqual([4, 6, 8, 10]);
    request.free();
    compiled.free();
    model.free();
  });

  it('reshapes and declares layouts with pre-processing', async () => {
    const model = await ov.readModel(ir('nchw'), bin('nchw'));
    model.reshape(new Map([['x', [2, 3, 4, 4]]]));
    model.applyLayouts(new Map([['x', { tensor: 'NHWC', model: 'NCHW' }]]));
    expect(model.inputs()[0]?.shape).toEqual([2, 4, 4, 3]);
    model.free();
  });

  it('reports OpenVINO messages for unreadable files, bad reshapes and bad properties', async () => {
    const missing = await ov.readModel(join(root, 'nope.xml')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenvinoError);
    expect((missing as Error).message).toMatch(/^reading .*nope\.xml: .*Could not open the file/s);

    const garbage = join(root, 'garbage.onnx');
    await writeFile(garbage, 'not a model');
    await expect(ov.readModel(garbage)).rejects.toThrow(/^reading .*garbage\.onnx: /);

    const model = await ov.readModel(ir('fixed_shape'), bin('fixed_shape'));
    expect(() => model.reshape(new Map([['x', [1, 2, 3, 4]]]))).toThrow(/^reshape: /);
    // A 4-letter layout on a 2-d input fails when the pre-processing is built.
    expect(() => model.applyLayouts(new Map([['x', { model: 'NCHW' }]]))).toThrow(/^layout: /);
    await expect(model.compile('CPU', { NOT_A_PROPERTY: '1' })).rejects.toThrow(
      /^compiling for CPU: .*NOT_A_PROPERTY/s,
    );
    model.free();
  });
});
