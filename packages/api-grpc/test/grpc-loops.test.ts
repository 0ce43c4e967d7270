import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelServable,
  createSharedMemoryBudget,
  ServingError,
  StatusCode,
} from '@ovms/core';
import type { LoadedModel, TensorMap } from '@ovms/core';
import {
  closeClients,
  expectStatus,
  f32Bytes,
  f32Values,
  loadClients,
  startHarness,
  unary,
} from './harness.js';
import type { Harness, Message } from './harness.js';
import { createRecordingLogger } from '@ovms/testing';

// --grpc_workers > 1: the services on two transport loops (worker threads sharing the port),
// with the models, leases and metrics in this thread. The e2e side is apps/ovms/test/grpc-loops.
const A = [1, 2, 3, 4, 5, 6, 7, 8];
const SUM = A.map((a) => a + a);
const rawAdd = (name = 'add', id = ''): Message => ({
  model_name: name,
  id,
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [2, 4] },
    { name: 'b', datatype: 'FP32', shape: [2, 4] },
  ],
  raw_input_contents: [f32Bytes(A), f32Bytes(A)],
});
const predictAdd: Message = {
  model_spec: { name: 'add', version: { value: '1' } },
  inputs: {
    a: {
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: [{ size: 2 }, { size: 4 }] },
      tensor_content: f32Bytes(A),
    },
    b: {
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: [{ size: 2 }, { size: 4 }] },
      tensor_content: f32Bytes(A),
    },
  },
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A model whose infer waits until the caller's signal aborts, then reports how it ended. */
function waitingModel(aborted: (reason: unknown) => void): LoadedModel {
  const spec = { name: 'x', dtype: 'FP32' as const, shape: [-1] };
  return {
    inputs: [spec],
    outputs: [spec],
    infer: (_inputs: TensorMap, signal?: AbortSignal) =>
      new Promise<TensorMap>((_resolve, reject) => {
        signal?.addEventListener('abort', () => {
          aborted(signal.reason);
          reject(new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, 'aborted'));
        });
      }),
    close: () => Promise.resolve(),
  };
}

describe('gRPC transport loops', () => {
  it('serve Predict, ModelInfer, streams and forwarded RPCs as one loop does', async () => {
    const h = (harness = await startHarness({}, {}, { loops: 2 }));
    const predicted = await unary(h.clients.tfs, 'Predict', predictAdd);
    expect(predicted['model_spec']).toMatchObject({ name: 'add', version: { value: '1' } });
    const answer = await unary(h.clients.kserve, 'ModelInfer', rawAdd('add', 'r1'));
    expect(answer).toMatchObject({ model_name: 'add', model_version: '2', id: 'r1' });
    expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
    // Forwarded whole to this thread's handlers, errors included.
    expect(await unary(h.clients.kserve, 'ModelReady', { name: 'add' })).toEqual({ ready: true });
    await expectStatus(
      unary(h.clients.kserve, 'ModelMetadata', { name: 'nope' }),
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    );
    // The lookup answers before the inputs' fault, as in one thread.
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', { ...rawAdd('nope'), raw_input_contents: [] }),
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    );
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', { ...rawAdd(), raw_input_contents: [f32Bytes(A)] }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid argument - raw_input_contents needs one entry per input, in input order - Expected: 2; Actual: 1',
    );
    const stream = (
      h.clients.kserve as unknown as {
        ModelStreamInfer(): grpc.ClientDuplexStream<Message, Message>;
      }
    ).ModelStreamInfer();
    const answers: Message[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Message) => answers.push(message));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write(rawAdd('add', 's1'));
    stream.write(rawAdd('broken', 's2'));
    stream.end();
    await ended;
    expect(answers.map((message) => message['error_message'])).toEqual([
      '',
      'Internal inference error',
    ]);
    // Statistics and metrics are taken here, with the labels of one thread.
    expect(h.metrics.done.map((record) => `${record.api} ${record.method} ${record.name}`)).toEqual(
      expect.arrayContaining([
        'TensorFlowServing Predict add',
        'KServe ModelInfer add',
        'KServe ModelInferStream broken',
      ]),
    );
    expect(h.provider.leasesHeld).toBe(0);
  });

  it('spread connections over every loop, all reaching the same model', async () => {
    const h = (harness = await startHarness({}, {}, { loops: 2 }));
    const clients = Array.from({ length: 16 }, () => loadClients(h.address, true));
    try {
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 5; i++) await unary(client.kserve, 'ModelInfer', rawAdd());
        }),
      );
    } finally {
      for (const client of clients) closeClients(client);
    }
    const perLoop = h.loops?.requests() ?? [];
    expect(perLoop).toHaveLength(2);
    expect(perLoop.every((count) => count > 0)).toBe(true);
    expect(perLoop[0]! + perLoop[1]!).toBe(80);
    expect(h.metrics.done.filter((record) => record.version === 2 && record.ok)).toHaveLength(80);
  });

  it('hold the message size limit, and one memory budget with this thread', async () => {
    const budget = createSharedMemoryBudget(200);
    const h = (harness = await startHarness(
      { memoryBudget: budget, maxMessageBytes: 1024 },
      {},
      { loops: 2 },
    ));
    const big = { ...rawAdd(), raw_input_contents: [Buffer.alloc(2048), Buffer.alloc(2048)] };
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', big),
      grpc.status.RESOURCE_EXHAUSTED,
      'Received message larger than max (4139 vs 1024)',
    );
    const held = budget.admit(150); // REST in this thread holding a body
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', rawAdd()),
      grpc.status.RESOURCE_EXHAUSTED,
      'Too many requests in queue - memory budget exceeded: requests in flight hold 150 of 200 bytes and this one needs 105 more; retry later or send a smaller request',
    );
    held.release();
    await unary(h.clients.kserve, 'ModelInfer', rawAdd());
    expect(budget.inUseBytes).toBe(0);
  });

  it('abort the model call in this thread when the client cancels', async () => {
    const h = (harness = await startHarness({}, {}, { loops: 2 }));
    let abort: (reason: unknown) => void = () => {};
    const aborted = new Promise((resolve) => (abort = resolve));
    const servable = createModelServable({ name: 'wait', version: 1, loaded: waitingModel(abort) });
    h.provider.add('wait', 1, { state: 'AVAILABLE', servable });
    const client = h.clients.kserve as unknown as {
      ModelInfer(
        request: Message,
        done: (error: grpc.ServiceError | null) => void,
      ): grpc.ClientUnaryCall;
    };
    let ended: (error: grpc.ServiceError | null) => void = () => {};
    const answered = new Promise<grpc.ServiceError | null>((resolve) => (ended = resolve));
    const call = client.ModelInfer(
      {
        model_name: 'wait',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }],
        raw_input_contents: [f32Bytes([1])],
      },
      (error) => ended(error),
    );
    await expect.poll(() => h.provider.leasesHeld).toBe(1);
    call.cancel();
    await aborted;
    expect(await answered).toMatchObject({ code: grpc.status.CANCELLED });
    await expect.poll(() => h.provider.leasesHeld).toBe(0);
  });

  it('replace a loop that ends unexpectedly, logging it, and go on serving', async () => {
    const logger = createRecordingLogger();
    const h = (harness = await startHarness({}, {}, { loops: 2, logger }));
    await unary(h.clients.kserve, 'ModelInfer', rawAdd());
    await h.loops?.endLoop(0);
    await h.loops?.endLoop(1);
    expect(logger.messages('error')).toEqual([
      'gRPC transport loop ended unexpectedly; starting a new one',
      'gRPC transport loop ended unexpectedly; starting a new one',
    ]);
    const fresh = loadClients(h.address, true);
    try {
      const answer = await unary(fresh.kserve, 'ModelInfer', rawAdd());
      expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
    } finally {
      closeClients(fresh);
    }
  });

  it('answer the calls in flight when closed, then stop', async () => {
    const logger = createRecordingLogger();
    const h = await startHarness({}, {}, { loops: 2, logger });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const spec = { name: 'x', dtype: 'FP32' as const, shape: [-1] };
    const loaded: LoadedModel = {
      inputs: [spec],
      outputs: [spec],
      infer: async (inputs: TensorMap) => {
        await gate;
        return inputs;
      },
      close: () => Promise.resolve(),
    };
    h.provider.add('gate', 1, {
      state: 'AVAILABLE',
      servable: createModelServable({ name: 'gate', version: 1, loaded }),
    });
    const clients = Array.from({ length: 8 }, () => loadClients(h.address, true));
    const answers = clients.map((client) =>
      unary(client.kserve, 'ModelInfer', {
        model_name: 'gate',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }],
        raw_input_contents: [f32Bytes([7])],
      }),
    );
    await expect.poll(() => h.provider.leasesHeld).toBe(8);
    const closed = h.close();
    open();
    for (const answer of await Promise.all(answers))
      expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual([7]);
    await closed;
    for (const client of clients) closeClients(client);
    const stopped = logger.records.filter((record) => record.msg === 'gRPC transport loop stopped');
    expect(stopped).toHaveLength(2);
  });
});
