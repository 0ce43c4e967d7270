import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from '@ovms/testing';
import { createGrpcClients, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { OPENVINO_FOUND } from './support/repository.js';
import { startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';

// Dynamic batching end to end: the real `ovms` with `dynamic_batching` on an ONNX Runtime model,
// an OpenVINO model and a pipeline's DL node, concurrent grpc-js clients with distinct inputs,
// and /metrics read for the batch sizes the server ran.

/** A delay long enough that concurrent requests always meet, even on a loaded machine. */
const BATCHING = { max_batch_size: 8, max_queue_delay_microseconds: 200_000 };

let root = '';
let server: GrpcServerProcess;
let grpc: GrpcClients;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-e2e-batching-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('fixed_shape', 'onnx', join(root, 'fixed', '1'));
  if (OPENVINO_FOUND) await writeFixtureModel('add_f32', 'ir', join(root, 'add_ir', '1'));
  const configPath = join(root, 'config.json');
  const models = [
    { name: 'add_ort', base_path: 'add', engine: 'onnxruntime', dynamic_batching: BATCHING },
    { name: 'add_dag', base_path: 'add', engine: 'onnxruntime', dynamic_batching: BATCHING },
    { name: 'fixed', base_path: 'fixed', dynamic_batching: BATCHING },
    ...(OPENVINO_FOUND
      ? [{ name: 'add_ov', base_path: 'add_ir', dynamic_batching: BATCHING }]
      : []),
  ];
  const from = (node: string, item: string) => ({ node_name: node, data_item: item });
  const pipelines = [
    {
      name: 'sum_pipeline',
      inputs: ['a', 'b'],
      nodes: [
        {
          name: 'sum',
          type: 'DL model',
          model_name: 'add_dag',
          inputs: [{ a: from('request', 'a') }, { b: from('request', 'b') }],
          outputs: [{ data_item: 'sum', alias: 'sum' }],
        },
      ],
      outputs: [{ result: from('sum', 'sum') }],
    },
  ];
  const config = {
    model_config_list: models.map((model) => ({ config: model })),
    pipeline_config_list: pipelines,
  };
  await writeFile(configPath, JSON.stringify(config));
  server = await startReadyServer([
    ...['--config_path', configPath, '--file_system_poll_wait_seconds', '0'],
    '--metrics_enable',
  ]);
  grpc = createGrpcClients(server.grpcAddress);
}, 150_000);

afterAll(async () => {
  grpc?.close();
  await server?.stop();
  if (root !== '') await rm(root, { recursive: true, force: true });
});

/** Request `i`: 1 or 2 rows of 4 values, a and b distinct from every other request's. */
function request(i: number) {
  const rows = 1 + (i % 2);
  const a = Array.from({ length: rows * 4 }, (_, k) => i * 100 + k);
  const b = Array.from({ length: rows * 4 }, (_, k) => -i * 10 - k * 0.5);
  return { rows, a, b, sum: a.map((value, k) => value + b[k]!) };
}

async function infer(
  model: string,
  i: number,
  output: string,
  clients: GrpcClients = grpc,
): Promise<number[]> {
  const { rows, a, b } = request(i);
  const response: Message = await unary(clients.inference, 'ModelInfer', {
    model_name: model,
    inputs: [
      { name: 'a', datatype: 'FP32', shape: [rows, 4] },
      { name: 'b', datatype: 'FP32', shape: [rows, 4] },
    ],
    raw_input_contents: [f32Bytes(a), f32Bytes(b)],
  });
  const outputs = response['outputs'] as { name: string; shape: string[] }[];
  expect(outputs.map((o) => [o.name, o.shape.map(Number)])).toEqual([[output, [rows, 4]]]);
  return f32Values((response['raw_output_contents'] as Uint8Array[])[0]);
}

/** `count` and `sum` of the model's ovms_batch_size histogram, and its `le="1"` bucket. */
async function batchSizes(model: string, from: GrpcServerProcess = server) {
  const text = await (await fetch(`${from.restUrl}/metrics`)).text();
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const labels = `name="${model}",version="1"`;
  return {
    count: value(`ovms_batch_size_count{${labels}}`),
    sum: value(`ovms_batch_size_sum{${labels}}`),
    single: value(`ovms_batch_size_bucket{le="1",${labels}}`),
    delays: value(`ovms_batch_queue_delay_us_count{${labels}}`),
  };
}

const REQUESTS = 24;
const expectedRows = Array.from({ length: REQUESTS }, (_, i) => request(i).rows).reduce(
  (a, b) => a + b,
);

const engines = [
  { engine: 'ONNX Runtime', model: 'add_ort', run: true },
  { engine: 'OpenVINO (NOT RUN when OpenVINO is not found)', model: 'add_ov', run: OPENVINO_FOUND },
];

describe('dynamic_batching through the ovms binary', () => {
  for (const { engine, model, run } of engines) {
    it.runIf(run)(
      `${engine}: concurrent requests with distinct inputs each get their own answer, in batches`,
      async () => {
        const answers = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) => infer(model, i, 'sum')),
        );
        answers.forEach((sum, i) => expect(sum).toEqual(request(i).sum));
        const sizes = await batchSizes(model);
        expect(sizes.sum, server.output()).toBe(expectedRows);
        expect(sizes.delays).toBe(REQUESTS);
        // Fewer batches than requests, and not all of one row: requests were joined.
        expect(sizes.count).toBeLessThan(REQUESTS);
        expect(sizes.single).toBeLessThan(sizes.count!);
      },
      60_000,
    );
  }

  it('batches the DL node of a pipeline: each pipeline request gets its own rows', async () => {
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => infer('sum_pipeline', i, 'result')),
    );
    answers.forEach((sum, i) => expect(sum).toEqual(request(i).sum));
    const sizes = await batchSizes('add_dag');
    expect(sizes.sum).toBe(expectedRows);
    expect(sizes.count).toBeLessThan(REQUESTS);
  }, 60_000);

  it('refuses to load a model whose first dimension is fixed, naming the model and input', () => {
    expect(server.output()).toContain(
      'Version 1 of model fixed failed to load: Configuration file is invalid - model fixed: dynamic_batching needs the first dimension of every input dynamic or batch_size auto; input x has shape (1,3)',
    );
  });

  it('--dynamic_batching batches the single model of the command line', async () => {
    const single = await startReadyServer([
      ...['--model_name', 'add', '--model_path', join(root, 'add')],
      ...['--dynamic_batching', JSON.stringify(BATCHING), '--metrics_enable'],
    ]);
    const clients = createGrpcClients(single.grpcAddress);
    try {
      const answers = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => infer('add', i, 'sum', clients)),
      );
      answers.forEach((sum, i) => expect(sum).toEqual(request(i).sum));
      const sizes = await batchSizes('add', single);
      expect(sizes.sum, single.output()).toBe(expectedRows);
      expect(sizes.count).toBeLessThan(REQUESTS);
    } finally {
      clients.close();
      await single.stop();
    }
  }, 150_000);
});
