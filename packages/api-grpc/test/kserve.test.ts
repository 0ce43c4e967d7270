import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, f32Bytes, f32Values, startHarness, unary } from './harness.js';
import type { Harness, Message } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const call = (method: string, request: Message) => unary(h.clients.kserve, method, request);
const A = [1, 2, 3, 4, 5, 6, 7, 8];
const B = [10, 20, 30, 40, 50, 60, 70, 80];
const SUM = A.map((a, i) => a + (B[i] ?? 0));
const rawAdd = (extra: Message = {}): Message => ({
  model_name: 'add',
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [2, 4] },
    { name: 'b', datatype: 'FP32', shape: [2, 4] },
  ],
  raw_input_contents: [f32Bytes(A), f32Bytes(B)],
  ...extra,
});

describe('server health and metadata', () => {
  it('ServerLive is true', async () => {
    expect(await call('ServerLive', {})).toEqual({ live: true });
  });

  it('ServerReady follows the provider', async () => {
    expect(await call('ServerReady', {})).toEqual({ ready: true });
    h.provider.ready = false;
    expect(await call('ServerReady', {})).toEqual({ ready: false });
    h.provider.ready = true;
  });

  it('ServerMetadata names OpenVINO Model Server, its version and the extensions served', async () => {
    expect(await call('ServerMetadata', {})).toEqual({
      name: 'OpenVINO Model Server',
      version: '0.1.0-test',
      extensions: ['binary_tensor_data'],
    });
  });
});

describe('ModelReady', () => {
  it.each([
    ['', true],
    ['0', true],
    ['1', true],
    ['2', true],
    ['3', false],
    ['4', false],
  ])('version %j ready: %s', async (version, ready) => {
    expect(await call('ModelReady', { name: 'add', version })).toEqual({ ready });
  });

  it.each([
    [
      { name: 'nope', version: '' },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      { name: 'add', version: '9' },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [
      { name: 'add', version: 'v1' },
      grpc.status.INVALID_ARGUMENT,
      'invalid model version format in request - Actual: "v1"',
    ],
  ] as const)('refuses %j', async (request, code, details) => {
    await expectStatus(call('ModelReady', request), code, details);
  });
});

describe('ModelMetadata', () => {
  it('answers name, AVAILABLE versions, platform and tensors with -1 for dynamic dims', async () => {
    const tensor = (name: string) => ({ name, datatype: 'FP32', shape: ['-1', '4'] });
    expect(await call('ModelMetadata', { name: 'add', version: '' })).toEqual({
      name: 'add',
      versions: ['1', '2'],
      platform: 'OpenVINO',
      inputs: [tensor('a'), tensor('b')],
      outputs: [tensor('sum')],
    });
  });

  it.each([
    [
      { name: 'nope', version: '' },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      { name: 'add', version: '3' },
      grpc.status.NOT_FOUND,
      'Model with requested version is not loaded yet',
    ],
    [
      { name: 'add', version: '4' },
      grpc.status.NOT_FOUND,
      'Model with requested version is retired',
    ],
    [
      { name: 'add', version: '1.5' },
      grpc.status.INVALID_ARGUMENT,
      'invalid model version format in request - Actual: "1.5"',
    ],
  ] as const)('refuses %j', async (request, code, details) => {
    await expectStatus(call('ModelMetadata', request), code, details);
  });
});

describe('ModelInfer', () => {
  it('infers raw_input_contents and answers raw_output_contents, echoing the id', async () => {
    const response = await call('ModelInfer', rawAdd({ model_version: '1', id: 'req-7' }));
    expect(response).toMatchObject({
      model_name: 'add',
      model_version: '1',
      id: 'req-7',
      outputs: [{ name: 'sum', datatype: 'FP32', shape: ['2', '4'], contents: null }],
    });
    const raw = response['raw_output_contents'] as Uint8Array[];
    expect(raw).toHaveLength(1);
    expect(f32Values(raw[0])).toEqual(SUM);
  });

  it('serves the default version for "" and "0"', async () => {
    for (const version of ['', '0']) {
      const response = await call('ModelInfer', rawAdd({ model_version: version }));
      expect(response['model_version']).toBe('2');
    }
  });

  it('infers typed contents: fp32, int64, bool', async () => {
    const floats = await call('ModelInfer', {
      model_name: 'add',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } },
        { name: 'b', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [4, 3, 2, 1] } },
      ],
    });
    expect(f32Values((floats['raw_output_contents'] as Uint8Array[])[0])).toEqual([5, 5, 5, 5]);

    const ints = await call('ModelInfer', {
      model_name: 'i64',
      inputs: [
        {
          name: 'a',
          datatype: 'INT64',
          shape: [1, 4],
          contents: { int64_contents: ['1', '2', '3', '-4'] },
        },
        {
          name: 'b',
          datatype: 'INT64',
          shape: [1, 4],
          contents: { int64_contents: ['5', '6', '7', '8'] },
        },
      ],
    });
    const intBytes = new Uint8Array((ints['raw_output_contents'] as Uint8Array[])[0] ?? []);
    expect([...new BigInt64Array(intBytes.buffer)]).toEqual([6n, 8n, 10n, 4n]);

    const bools = await call('ModelInfer', {
      model_name: 'bools',
      inputs: [
        {
          name: 'a',
          datatype: 'BOOL',
          shape: [1, 4],
          contents: { bool_contents: [true, true, false, false] },
        },
        {
          name: 'b',
          datatype: 'BOOL',
          shape: [1, 4],
          contents: { bool_contents: [true, false, true, false] },
        },
      ],
    });
    expect(bools['outputs']).toMatchObject([{ name: 'out', datatype: 'BOOL' }]);
    expect([...((bools['raw_output_contents'] as Uint8Array[])[0] ?? [])]).toEqual([1, 0, 0, 0]);
  });

  it('answers only the requested outputs, in request order', async () => {
    const request = {
      model_name: 'two',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 3] },
        { name: 'b', datatype: 'FP32', shape: [1, 3] },
      ],
      raw_input_contents: [f32Bytes([5, 5, 5]), f32Bytes([1, 2, 3])],
    };
    const one = await call('ModelInfer', { ...request, outputs: [{ name: 'diff' }] });
    expect((one['outputs'] as Message[]).map((o) => o['name'])).toEqual(['diff']);
    expect(f32Values((one['raw_output_contents'] as Uint8Array[])[0])).toEqual([4, 3, 2]);
    const both = await call('ModelInfer', {
      ...request,
      outputs: [{ name: 'diff' }, { name: 'sum' }],
    });
    expect((both['outputs'] as Message[]).map((o) => o['name'])).toEqual(['diff', 'sum']);
  });

  const errors: [string, Message, grpc.status, string][] = [
    [
      'unknown model',
      rawAdd({ model_name: 'nope' }),
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      rawAdd({ model_version: '12' }),
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [
      'malformed version',
      rawAdd({ model_version: 'latest' }),
      grpc.status.INVALID_ARGUMENT,
      'invalid model version format in request - Actual: "latest"',
    ],
    [
      'version loading',
      rawAdd({ model_version: '3' }),
      grpc.status.NOT_FOUND,
      'Model with requested version is not loaded yet',
    ],
    [
      'wrong input name',
      rawAdd({
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [2, 4] },
          { name: 'x', datatype: 'FP32', shape: [2, 4] },
        ],
      }),
      grpc.status.INVALID_ARGUMENT,
      'Missing input with specific name - Required input: b',
    ],
    [
      'wrong shape',
      rawAdd({
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [4, 2] },
          { name: 'b', datatype: 'FP32', shape: [2, 4] },
        ],
      }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid input shape - Expected: (-1,4); Actual: (4,2); input name: a',
    ],
    [
      'wrong datatype',
      rawAdd({
        inputs: [
          { name: 'a', datatype: 'INT32', shape: [2, 4] },
          { name: 'b', datatype: 'FP32', shape: [2, 4] },
        ],
      }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid input precision - Expected: FP32; Actual: INT32; input name: a',
    ],
    [
      'wrong byte size',
      rawAdd({ raw_input_contents: [f32Bytes([1, 2, 3]), f32Bytes(B)] }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid content size of tensor proto - Expected: 32 bytes; Actual: 12 bytes; input name: a',
    ],
    [
      'unknown requested output',
      rawAdd({ outputs: [{ name: 'nope' }] }),
      grpc.status.INVALID_ARGUMENT,
      'Missing output with specific name - Required output: nope',
    ],
    [
      'inference failure',
      rawAdd({ model_name: 'broken' }),
      grpc.status.INTERNAL,
      'Internal inference error',
    ],
  ];
  it.each(errors)('refuses %s', async (_what, request, code, details) => {
    await expectStatus(call('ModelInfer', request), code, details);
    expect(h.provider.leasesHeld).toBe(0);
  });

  it('reports ModelInfer and ModelReady in metrics with the KServe api label', async () => {
    h.metrics.done.length = 0;
    await call('ModelInfer', rawAdd());
    await call('ModelReady', { name: 'add', version: '1' });
    expect(h.metrics.done.map(({ durationUs: _, ...rest }) => rest)).toEqual([
      { api: 'KServe', interface: 'gRPC', method: 'ModelInfer', name: 'add', version: 2, ok: true },
      { api: 'KServe', interface: 'gRPC', method: 'ModelReady', name: 'add', version: 1, ok: true },
    ]);
  });
});

describe('ModelStreamInfer', () => {
  it('answers every request in order; a failure goes in error_message and the stream goes on', async () => {
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
    stream.write(rawAdd({ id: 'first' }));
    stream.write(rawAdd({ model_name: 'nope', id: 'second' }));
    stream.write(rawAdd({ model_version: '1', id: 'third' }));
    stream.end();
    await ended;
    expect(
      answers.map((a) => [a['error_message'], (a['infer_response'] as Message | null)?.['id']]),
    ).toEqual([
      ['', 'first'],
      ['Model with requested name is not found', undefined],
      ['', 'third'],
    ]);
    const third = answers[2]?.['infer_response'] as Message;
    expect(third['model_version']).toBe('1');
    expect(f32Values((third['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
    expect(h.provider.leasesHeld).toBe(0);
  });
});
