import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerArgs } from '@ovms/config';
import { silentLogger } from '@ovms/core';
import { writeFixtureModel } from '@ovms/testing';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { createGrpcClients, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { PROJECT_ROOT } from './support/paths.js';
import { curl } from './support/process.js';
import { OPENVINO_FOUND } from './support/repository.js';

// OVMS's inference-time histograms and infer-request gauges, end to end: the real server with
// --metrics_enable and a --metrics_list naming them, grpc-js clients, /metrics read with curl.
const METRICS_LIST = [
  'ovms_requests_success',
  'ovms_inference_time_us',
  'ovms_wait_for_infer_req_time_us',
  'ovms_current_requests',
  'ovms_infer_req_queue_size',
  'ovms_infer_req_active',
  'ovms_streams',
];

let root = '';
let server: RunningServer | undefined;
let clients: GrpcClients;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-e2e-metrics-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  if (OPENVINO_FOUND) await writeFixtureModel('add_f32', 'ir', join(root, 'add_ir', '1'));
  const models = [
    // Pinned to onnxruntime: with OpenVINO present it would otherwise serve the .onnx too.
    { name: 'add', base_path: 'add', engine: 'onnxruntime', nireq: 2 },
    { name: 'early', base_path: 'add', engine: 'onnxruntime' },
    ...(OPENVINO_FOUND
      ? [{ name: 'add_ir', base_path: 'add_ir', nireq: 1, plugin_config: { NUM_STREAMS: 1 } }]
      : []),
  ];
  const configPath = join(root, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({ model_config_list: models.map((config) => ({ config })) }),
  );
  const command = parseServerArgs(
    [
      ...['--config_path', configPath, '--port', '9000', '--rest_port', '8000'],
      ...['--grpc_bind_address', '127.0.0.1', '--rest_bind_address', '127.0.0.1'],
      ...['--file_system_poll_wait_seconds', '0'],
      ...['--metrics_enable', '--metrics_list', METRICS_LIST.join(',')],
    ],
    { cwd: root },
  );
  if (command.kind !== 'serve') throw new Error(`unexpected CLI outcome ${command.kind}`);
  server = await startServer({
    options: command.options,
    version: '0.0.0-test',
    logger: silentLogger,
    projectRoot: PROJECT_ROOT,
    env: process.env,
    bindPorts: { grpc: 0, rest: 0 },
    drainMs: 1_000,
  });
  await server.loaded;
  clients = createGrpcClients(`127.0.0.1:${server.grpcPort ?? 0}`);
}, 120_000);
afterAll(async () => {
  clients?.close();
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const tensor = (values: readonly number[]): Message => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: [{ size: 1 }, { size: 4 }] },
  tensor_content: f32Bytes(values),
});
const predict = (name: string) =>
  unary(clients.prediction, 'Predict', {
    model_spec: { name },
    inputs: { a: tensor([1, 2, 3, 4]), b: tensor([1, 1, 1, 1]) },
  });
const modelInfer = (name: string) =>
  unary(clients.inference, 'ModelInfer', {
    model_name: name,
    inputs: ['a', 'b'].map((input) => ({
      name: input,
      datatype: 'FP32',
      shape: [1, 4],
      contents: { fp32_contents: [1, 2, 3, 4] },
    })),
  });

async function scrape(): Promise<string> {
  const { status, body } = await curl(`http://127.0.0.1:${server?.restPort ?? 0}/metrics`);
  expect(status).toBe(200);
  return body;
}

/** The value of one series, e.g. `ovms_streams{name="add",version="1"}`; undefined if absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((text) => text.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const model = (name: string) => `{name="${name}",version="1"}`;

describe('GET /metrics after inference', () => {
  // A version's series are seeded (zeroed) the first time it is seen; that must not wipe
  // inferences recorded before the first scrape.
  it('keeps inferences made before the first scrape', async () => {
    await predict('early');
    expect(sample(await scrape(), `ovms_inference_time_us_count${model('early')}`)).toBe(1);
  });

  it('counts inference and wait times per version and shows the infer-request gauges', async () => {
    // A scrape first, as Prometheus makes one before traffic (see the known bug above).
    await scrape();
    const sum = await predict('add');
    const outputs = sum['outputs'] as Record<string, Message>;
    expect(f32Values(outputs['sum']?.['tensor_content'])).toEqual([2, 3, 4, 5]);
    await Promise.all([predict('add'), predict('add'), modelInfer('add'), modelInfer('add')]);

    const body = await scrape();
    const add = model('add');
    expect(sample(body, `ovms_inference_time_us_count${add}`)).toBe(5);
    expect(sample(body, `ovms_wait_for_infer_req_time_us_count${add}`)).toBe(5);
    expect(sample(body, `ovms_inference_time_us_sum${add}`)).toBeGreaterThan(0);
    expect(sample(body, `ovms_infer_req_queue_size${add}`)).toBe(2);
    expect(sample(body, `ovms_infer_req_active${add}`)).toBe(0);
    expect(sample(body, `ovms_current_requests${add}`)).toBe(0);
    // onnxruntime has no OpenVINO streams: no series rather than a made-up value.
    expect(sample(body, `ovms_streams${add}`)).toBeUndefined();
    // Families left out of --metrics_list are not served.
    expect(body).not.toContain('ovms_request_time_us');
    expect(body).not.toContain('ovms_requests_fail');
  });

  it.runIf(OPENVINO_FOUND)('reports NUM_STREAMS and nireq of an OpenVINO model', async () => {
    await scrape();
    await predict('add_ir');
    await modelInfer('add_ir');
    const body = await scrape();
    const addIr = model('add_ir');
    expect(sample(body, `ovms_inference_time_us_count${addIr}`)).toBe(2);
    expect(sample(body, `ovms_wait_for_infer_req_time_us_count${addIr}`)).toBe(2);
    expect(sample(body, `ovms_infer_req_queue_size${addIr}`)).toBe(1);
    expect(sample(body, `ovms_infer_req_active${addIr}`)).toBe(0);
    expect(sample(body, `ovms_current_requests${addIr}`)).toBe(0);
    expect(sample(body, `ovms_streams${addIr}`)).toBe(1);
  });
});
