import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { StatusCode, createModelServable } from '@ovms/core';
import type { TensorMap } from '@ovms/core';
import { TestServableProvider, createJsModel } from '@ovms/testing';
import { fromWireTensors, toWireTensors } from './loop-protocol.js';
import { createGrpcServices } from './services.js';

function services() {
  const provider = new TestServableProvider();
  const spec = { name: 'x', dtype: 'BYTES' as const, shape: [-1] };
  const loaded = createJsModel([spec], [spec], (inputs) => inputs);
  provider.add('echo', 1, {
    state: 'AVAILABLE',
    servable: createModelServable({ name: 'echo', version: 1, loaded }),
  });
  return createGrpcServices({ provider, admin: provider, serverVersion: 'test' });
}

const bytes = (...texts: string[]): TensorMap =>
  new Map([
    ['x', { dtype: 'BYTES', shape: [texts.length], data: texts.map((t) => Buffer.from(t)) }],
  ]);

describe('loop calls (the main thread side of transport loops)', () => {
  it('wire tensors carry BYTES elements packed into one transferred buffer', () => {
    const transfer: ArrayBuffer[] = [];
    const wire = toWireTensors(bytes('ab', '', 'cde'), transfer);
    expect(transfer).toHaveLength(1);
    expect(transfer[0]?.byteLength).toBe(5);
    const back = fromWireTensors(wire).get('x');
    expect(back?.dtype).toBe('BYTES');
    expect((back?.data as Uint8Array[]).map((e) => Buffer.from(e).toString())).toEqual([
      'ab',
      '',
      'cde',
    ]);
  });

  it('infers with the inputs a loop decoded, answering copies of the outputs', async () => {
    const transfer: ArrayBuffer[] = [];
    const inputs = toWireTensors(bytes('hi'), transfer);
    const answer = await services().loopCalls.infer(
      {
        kind: 'infer',
        id: 7,
        method: 'ModelInfer',
        name: 'echo',
        version: undefined,
        inputs,
        outputs: [],
      },
      new AbortController().signal,
    );
    expect(answer.message).toMatchObject({ kind: 'inferred', id: 7, name: 'echo', version: 1 });
    expect(answer.transfer).toHaveLength(1);
  });

  it('answers the lookup before a decoding failure, as one thread does', async () => {
    const calls = services().loopCalls;
    const decodingFailed = { code: StatusCode.INVALID_SHAPE, detail: 'bad' };
    const infer = (name: string) =>
      calls.infer(
        {
          kind: 'infer',
          id: 1,
          method: 'Predict',
          name,
          version: undefined,
          inputs: decodingFailed,
          outputs: [],
        },
        new AbortController().signal,
      );
    expect((await infer('nope')).message).toEqual({
      kind: 'failed',
      id: 1,
      status: { code: GrpcStatus.NOT_FOUND, details: 'Model with requested name is not found' },
    });
    expect((await infer('echo')).message).toEqual({
      kind: 'failed',
      id: 1,
      status: { code: GrpcStatus.INVALID_ARGUMENT, details: 'Invalid input shape - bad' },
    });
  });

  it('refuses a forwarded method the service lacks with UNIMPLEMENTED', async () => {
    const answer = await services().loopCalls.call({
      kind: 'call',
      id: 3,
      service: 'modelService',
      method: 'nope',
      request: {},
    });
    expect(answer.message).toEqual({
      kind: 'failed',
      id: 3,
      status: { code: GrpcStatus.UNIMPLEMENTED, details: 'modelService has no method nope' },
    });
  });
});
