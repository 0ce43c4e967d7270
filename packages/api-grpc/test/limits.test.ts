import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBudget } from '@ovms/core';
import { expectStatus, f32Bytes, f32Values, startHarness, unary } from './harness.js';
import type { Harness, Message } from './harness.js';

const A = [1, 2, 3, 4, 5, 6, 7, 8];
const SUM = A.map((a) => a + a);
const rawAdd = (id = ''): Message => ({
  model_name: 'add',
  id,
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [2, 4] },
    { name: 'b', datatype: 'FP32', shape: [2, 4] },
  ],
  raw_input_contents: [f32Bytes(A), f32Bytes(A)],
});

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function openStream(h: Harness): grpc.ClientDuplexStream<Message, Message> {
  return (
    h.clients.kserve as unknown as { ModelStreamInfer(): grpc.ClientDuplexStream<Message, Message> }
  ).ModelStreamInfer();
}

describe('gRPC message size limit', () => {
  it('refuses a larger message with RESOURCE_EXHAUSTED and goes on serving', async () => {
    const h = (harness = await startHarness({ maxMessageBytes: 1024 }));
    const big = { ...rawAdd(), raw_input_contents: [Buffer.alloc(2048), Buffer.alloc(2048)] };
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', big),
      grpc.status.RESOURCE_EXHAUSTED,
      'Received message larger than max (4139 vs 1024)',
    );
    const answer = await unary(h.clients.kserve, 'ModelInfer', rawAdd());
    expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
  });

  it('lets --grpc_channel_arguments override the limit, as OVMS applies channel arguments last', async () => {
    const h = (harness = await startHarness({
      maxMessageBytes: 1024 * 1024,
      channelOptions: { 'grpc.max_receive_message_length': 100 },
    }));
    await expectStatus(
      unary(h.clients.kserve, 'ModelInfer', rawAdd()),
      grpc.status.RESOURCE_EXHAUSTED,
      'Received message larger than max (105 vs 100)',
    );
  });
});

describe('gRPC memory admission', () => {
  it('refuses a message the budget cannot hold with RESOURCE_EXHAUSTED, saying so', async () => {
    const budget = createMemoryBudget(32);
    const h = (harness = await startHarness({ memoryBudget: budget }));
    await expect(unary(h.clients.kserve, 'ModelInfer', rawAdd())).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
      // 105 bytes: the ModelInfer message on the wire, as the limit test above sees it too.
      details:
        'Too many requests in queue - memory budget exceeded: requests in flight hold 0 of 32 bytes and this one needs 105 more; retry later or send a smaller request',
    });
    expect(budget.inUseBytes).toBe(0);
    expect(h.provider.leasesHeld).toBe(0);
  });

  it('leases each message until it is answered, unary and streamed', async () => {
    const budget = createMemoryBudget(4096);
    const h = (harness = await startHarness({ memoryBudget: budget }));
    const answer = await unary(h.clients.kserve, 'ModelInfer', rawAdd());
    expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
    expect(budget.inUseBytes).toBe(0);

    const stream = openStream(h);
    const ids: unknown[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Message) =>
        ids.push((message['infer_response'] as Message)['id']),
      );
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    for (const id of ['1', '2', '3']) stream.write(rawAdd(id));
    stream.end();
    await ended;
    expect(ids).toEqual(['1', '2', '3']);
    expect(budget.inUseBytes).toBe(0);
  });

  it('ends a stream whose message the budget cannot hold with RESOURCE_EXHAUSTED', async () => {
    const budget = createMemoryBudget(32);
    const h = (harness = await startHarness({ memoryBudget: budget }));
    const stream = openStream(h);
    const failed = new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', () => {});
      stream.on('error', resolve);
    });
    stream.write(rawAdd('1'));
    const error = await failed;
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/^Too many requests in queue - memory budget exceeded: /);
    expect(budget.inUseBytes).toBe(0);
    // The server goes on serving.
    expect(await unary(h.clients.kserve, 'ServerLive', {})).toEqual({ live: true });
  });
});
