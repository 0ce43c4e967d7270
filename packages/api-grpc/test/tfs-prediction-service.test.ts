import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureDefMap } from '@ovms/proto';
import { expectStatus, f32Bytes, f32Values, startHarness, unary } from './harness.js';
import type { Harness, Message } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size })) });
// What the client reads back: int64 as strings (proto-loader `longs: String`).
const shapeOut = (...dims: number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });
const f32 = (dims: number[], values: number[]) => ({
  dtype: 'DT_FLOAT',
  tensor_shape: shape(...dims),
  tensor_content: f32Bytes(values),
});
const A = [1, 2, 3, 4, 5, 6, 7, 8];
const B = [10, 20, 30, 40, 50, 60, 70, 80];
const SUM = A.map((a, i) => a + (B[i] ?? 0));
const addInputs = { a: f32([2, 4], A), b: f32([2, 4], B) };

function predict(request: Message): Promise<Message> {
  return unary(h.clients.tfs, 'Predict', request);
}
const outputsOf = (response: Message) => response['outputs'] as Record<string, Message>;

describe('Predict', () => {
  it('infers tensor_content inputs on the default (highest AVAILABLE) version', async () => {
    const response = await predict({ model_spec: { name: 'add' }, inputs: addInputs });
    const sum = outputsOf(response)['sum'];
    expect(sum).toMatchObject({ dtype: 'DT_FLOAT', tensor_shape: shapeOut(2, 4) });
    expect(f32Values(sum?.['tensor_content'])).toEqual(SUM);
    expect(response['model_spec']).toMatchObject({
      name: 'add',
      version: { value: '2' },
      signature_name: 'serving_default',
    });
  });

  it('serves the version named by the Int64Value; 0 means the default', async () => {
    for (const [asked, served] of [
      ['1', '1'],
      ['2', '2'],
      ['0', '2'],
    ] as const) {
      const response = await predict({
        model_spec: { name: 'add', version: { value: asked } },
        inputs: addInputs,
      });
      expect(response['model_spec']).toMatchObject({ version: { value: served } });
    }
  });

  it('ignores version_label and serves the default version, as OVMS does', async () => {
    const response = await predict({
      model_spec: { name: 'add', version_label: 'stable' },
      inputs: addInputs,
    });
    expect(response['model_spec']).toMatchObject({ version: { value: '2' } });
  });

  it('decodes typed float_val, int64_val and bool_val inputs', async () => {
    const typed = await predict({
      model_spec: { name: 'add' },
      inputs: {
        a: { dtype: 'DT_FLOAT', tensor_shape: shape(1, 4), float_val: [1, 2, 3, 4] },
        b: { dtype: 'DT_FLOAT', tensor_shape: shape(1, 4), float_val: [0.5] },
      },
    });
    expect(f32Values(outputsOf(typed)['sum']?.['tensor_content'])).toEqual([1.5, 2.5, 3.5, 4.5]);

    const ints = await predict({
      model_spec: { name: 'i64' },
      inputs: {
        a: {
          dtype: 'DT_INT64',
          tensor_shape: shape(1, 4),
          int64_val: ['1', '-2', '3', '4000000000'],
        },
        b: { dtype: 'DT_INT64', tensor_shape: shape(1, 4), int64_val: ['10', '20', '30', '40'] },
      },
    });
    const sum = outputsOf(ints)['sum'];
    expect(sum?.['dtype']).toBe('DT_INT64');
    const bytes = new Uint8Array(sum?.['tensor_content'] as Uint8Array);
    expect([...new BigInt64Array(bytes.buffer)]).toEqual([11n, 18n, 33n, 4000000040n]);

    const bools = await predict({
      model_spec: { name: 'bools' },
      inputs: {
        a: { dtype: 'DT_BOOL', tensor_shape: shape(1, 4), bool_val: [true, false, true, true] },
        b: { dtype: 'DT_BOOL', tensor_shape: shape(1, 4), bool_val: [true, true, false, true] },
      },
    });
    const out = outputsOf(bools)['out'];
    expect(out?.['dtype']).toBe('DT_BOOL');
    expect([...(out?.['tensor_content'] as Uint8Array)]).toEqual([1, 0, 0, 1]);
  });

  it('answers only the outputs named in output_filter', async () => {
    const inputs = { a: f32([1, 3], [1, 2, 3]), b: f32([1, 3], [1, 1, 1]) };
    const all = await predict({ model_spec: { name: 'two' }, inputs });
    expect(Object.keys(outputsOf(all)).sort()).toEqual(['diff', 'sum']);
    const filtered = await predict({
      model_spec: { name: 'two' },
      inputs,
      output_filter: ['diff'],
    });
    expect(Object.keys(outputsOf(filtered))).toEqual(['diff']);
    expect(f32Values(outputsOf(filtered)['diff']?.['tensor_content'])).toEqual([0, 1, 2]);
  });

  it('releases every lease once the answer is sent', () => {
    expect(h.provider.leasesHeld).toBe(0);
  });
});

describe('Predict errors', () => {
  const cases: [string, Message, grpc.status, string][] = [
    [
      'missing model_spec',
      { inputs: addInputs },
      grpc.status.INVALID_ARGUMENT,
      'model_spec missing in request',
    ],
    [
      'unknown model',
      { model_spec: { name: 'nope' }, inputs: addInputs },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      { model_spec: { name: 'add', version: { value: '9' } }, inputs: addInputs },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [
      'version still loading',
      { model_spec: { name: 'add', version: { value: '3' } }, inputs: addInputs },
      grpc.status.NOT_FOUND,
      'Model with requested version is not loaded yet',
    ],
    [
      'retired version',
      { model_spec: { name: 'add', version: { value: '4' } }, inputs: addInputs },
      grpc.status.NOT_FOUND,
      'Model with requested version is retired',
    ],
    [
      'int64 version beyond 2^53',
      { model_spec: { name: 'add', version: { value: '9223372036854775807' } }, inputs: addInputs },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [
      'too few inputs',
      { model_spec: { name: 'add' }, inputs: { a: addInputs.a } },
      grpc.status.INVALID_ARGUMENT,
      'Invalid number of inputs - Expected: 2; Actual: 1',
    ],
    [
      'wrong input name',
      { model_spec: { name: 'add' }, inputs: { a: addInputs.a, c: addInputs.b } },
      grpc.status.INVALID_ARGUMENT,
      'Missing input with specific name - Required input: b',
    ],
    [
      'wrong shape',
      { model_spec: { name: 'add' }, inputs: { a: f32([1, 5], [1, 2, 3, 4, 5]), b: addInputs.b } },
      grpc.status.INVALID_ARGUMENT,
      'Invalid input shape - Expected: (-1,4); Actual: (1,5); input name: a',
    ],
    [
      'wrong rank',
      { model_spec: { name: 'add' }, inputs: { a: f32([8], A), b: addInputs.b } },
      grpc.status.INVALID_ARGUMENT,
      'Invalid number of shape dimensions - Expected: (-1,4); Actual: (8); input name: a',
    ],
    [
      'wrong dtype',
      {
        model_spec: { name: 'add' },
        inputs: {
          a: { dtype: 'DT_DOUBLE', tensor_shape: shape(1, 4), double_val: [1, 2, 3, 4] },
          b: addInputs.b,
        },
      },
      grpc.status.INVALID_ARGUMENT,
      'Invalid input precision - Expected: FP32; Actual: FP64; input name: a',
    ],
    [
      'wrong byte size',
      {
        model_spec: { name: 'add' },
        inputs: {
          a: { dtype: 'DT_FLOAT', tensor_shape: shape(1, 4), tensor_content: Buffer.alloc(12) },
          b: addInputs.b,
        },
      },
      grpc.status.INVALID_ARGUMENT,
      'Invalid content size of tensor proto - Expected: 16 bytes; Actual: 12 bytes; input name: a',
    ],
    [
      'wrong value count',
      {
        model_spec: { name: 'add' },
        inputs: {
          a: { dtype: 'DT_FLOAT', tensor_shape: shape(1, 4), float_val: [1, 2] },
          b: addInputs.b,
        },
      },
      grpc.status.INVALID_ARGUMENT,
      'Invalid number of values in tensor proto container - Expected: 4; Actual: 2; input name: a',
    ],
    [
      'unknown output in output_filter',
      { model_spec: { name: 'add' }, inputs: addInputs, output_filter: ['nope'] },
      grpc.status.INVALID_ARGUMENT,
      'Missing output with specific name - Required output: nope',
    ],
    [
      'inference failure',
      { model_spec: { name: 'broken' }, inputs: addInputs },
      grpc.status.INTERNAL,
      'Internal inference error',
    ],
  ];
  it.each(cases)('%s', async (_what, request, code, details) => {
    await expectStatus(predict(request), code, details);
    expect(h.provider.leasesHeld).toBe(0);
  });

  it('answers malformed protobuf bytes with INTERNAL, as grpc-js does', async () => {
    const Raw = grpc.makeGenericClientConstructor(
      {
        predict: {
          path: '/tensorflow.serving.PredictionService/Predict',
          requestStream: false,
          responseStream: false,
          requestSerialize: (bytes: Buffer) => bytes,
          requestDeserialize: (bytes: Buffer) => bytes,
          responseSerialize: (bytes: Buffer) => bytes,
          responseDeserialize: (bytes: Buffer) => bytes,
        },
      },
      'Raw',
    );
    const raw = new Raw(h.address, grpc.credentials.createInsecure());
    // Field 1 with wire type 7, which protobuf does not have.
    const garbage = Buffer.from([0x0f, 0x00]);
    await expectStatus(
      unary(raw, 'predict', garbage as unknown as Message),
      grpc.status.INTERNAL,
      'Error deserializing request',
    );
    raw.close();
  });
});

describe('GetModelMetadata', () => {
  const metadata = (request: Message) => unary(h.clients.tfs, 'GetModelMetadata', request);

  it('answers the serving_default SignatureDefMap packed in Any, dynamic dims as -1', async () => {
    const response = await metadata({
      model_spec: { name: 'add', version: { value: '1' } },
      metadata_field: ['signature_def'],
    });
    expect(response['model_spec']).toMatchObject({ name: 'add', version: { value: '1' } });
    const any = (response['metadata'] as Record<string, Message>)['signature_def'];
    expect(any?.['type_url']).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
    const map = SignatureDefMap.decode(any?.['value'] as Uint8Array);
    const signature = map.signatureDef['serving_default'];
    expect(signature?.methodName).toBe('tensorflow/serving/predict');
    const info = (name: string, dtype: number) => ({
      encoding: { $case: 'name', name },
      dtype,
      tensorShape: {
        dim: [
          { size: -1n, name: '' },
          { size: 4n, name: '' },
        ],
        unknownRank: false,
      },
    });
    expect(signature?.inputs).toEqual({ a: info('a', 1), b: info('b', 1) });
    expect(signature?.outputs).toEqual({ sum: info('sum', 1) });
  });

  it('describes the default version when none is named', async () => {
    const response = await metadata({
      model_spec: { name: 'add' },
      metadata_field: ['signature_def'],
    });
    expect(response['model_spec']).toMatchObject({ version: { value: '2' } });
  });

  const errors: [string, Message, grpc.status, string][] = [
    [
      'missing model_spec',
      { metadata_field: ['signature_def'] },
      grpc.status.INVALID_ARGUMENT,
      'model_spec missing in request',
    ],
    [
      'no metadata_field',
      { model_spec: { name: 'add' } },
      grpc.status.INVALID_ARGUMENT,
      'Invalid signature name - metadata_field must be ["signature_def"]; Actual: []',
    ],
    [
      'another metadata_field',
      { model_spec: { name: 'add' }, metadata_field: ['labels'] },
      grpc.status.INVALID_ARGUMENT,
      'Invalid signature name - metadata_field must be ["signature_def"]; Actual: ["labels"]',
    ],
    [
      'unknown model',
      { model_spec: { name: 'nope' }, metadata_field: ['signature_def'] },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      { model_spec: { name: 'add', version: { value: '7' } }, metadata_field: ['signature_def'] },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
  ];
  it.each(errors)('refuses %s', async (_what, request, code, details) => {
    await expectStatus(metadata(request), code, details);
  });
});

describe('Classify, Regress, MultiInference', () => {
  it.each(['Classify', 'Regress', 'MultiInference'])('%s answers UNIMPLEMENTED', async (method) => {
    await expectStatus(
      unary(h.clients.tfs, method, {}),
      grpc.status.UNIMPLEMENTED,
      `Not implemented - ${method} is not supported by OpenVINO Model Server; use Predict`,
    );
  });
});

describe('metrics', () => {
  it('reports Predict with api, interface, name, served version and outcome', async () => {
    h.metrics.done.length = 0;
    await predict({ model_spec: { name: 'add', version: { value: '1' } }, inputs: addInputs });
    await expectStatus(
      predict({ model_spec: { name: 'add', version: { value: '9' } }, inputs: addInputs }),
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    );
    expect(h.metrics.done.map(({ durationUs: _, ...rest }) => rest)).toEqual([
      {
        api: 'TensorFlowServing',
        interface: 'gRPC',
        method: 'Predict',
        name: 'add',
        version: 1,
        ok: true,
      },
      {
        api: 'TensorFlowServing',
        interface: 'gRPC',
        method: 'Predict',
        name: 'add',
        version: undefined,
        ok: false,
      },
    ]);
    expect(h.metrics.inFlight).toBe(0);
    expect(h.metrics.done.every((record) => record.durationUs >= 0)).toBe(true);
  });
});
