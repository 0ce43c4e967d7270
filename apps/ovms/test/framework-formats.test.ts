import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAMEWORK_FIXTURE_FEATURES,
  FRAMEWORK_FIXTURE_FORMATS,
  copyFrameworkFixture,
  frameworkFixtureOutput,
} from '@ovms/testing';
import { createGrpcClients, unary, type GrpcClients } from './support/grpc.js';
import { OPENVINO_FOUND, writeConfig } from './support/repository.js';
import { startReadyServer, type GrpcServerProcess } from './support/server-process.js';

// The ovms command serving y = 2x + 1 as a TensorFlow SavedModel, a frozen graph, a TFLite and a
// Paddle model (OpenVINO's frontends read them), over KServe REST and gRPC with the tensor names
// the metadata reports; two models in one version directory and a TFLite model without OpenVINO
// fail to load with messages that say why.
const HIDE_OPENVINO = { OPENVINO_LIB_DIR: '', PYTHONHOME: '/nonexistent-python-home' };
const ROWS = [
  [0, 1, 2, -1],
  [0.5, -3, 10, 7],
];

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-frameworks-e2e-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The JSON log lines of `server` that report a failed load of `model`. */
function failedLoadMessages(server: GrpcServerProcess, model: string): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((fields) => fields['level'] === 50 && fields['model'] === model)
    .map((fields) => String(fields['msg']));
}

describe.skipIf(!OPENVINO_FOUND)(
  'ovms serving TensorFlow, TFLite and Paddle models (NOT RUN when OpenVINO is not found)',
  () => {
    let server: GrpcServerProcess;
    let grpc: GrpcClients;

    beforeAll(async () => {
      const models: object[] = [];
      for (const format of FRAMEWORK_FIXTURE_FORMATS) {
        await copyFrameworkFixture(format, join(root, 'served', format, '1'));
        models.push({ name: format, base_path: join(root, 'served', format) });
      }
      await copyFrameworkFixture('tflite', join(root, 'served', 'two', '1'));
      await copyFrameworkFixture('paddle', join(root, 'served', 'two', '1'));
      models.push({ name: 'two', base_path: join(root, 'served', 'two') });
      const configPath = join(root, 'served', 'config.json');
      await writeConfig(configPath, models);
      server = await startReadyServer(['--config_path', configPath]);
      grpc = createGrpcClients(server.grpcAddress);
    }, 150_000);
    afterAll(async () => {
      grpc?.close();
      await server?.stop();
    });

    /** The input and output names the model's KServe REST metadata reports. */
    async function names(model: string): Promise<{ input: string; output: string }> {
      const answer = await fetch(`${server.restUrl}/v2/models/${model}`);
      expect(answer.status, server.output()).toBe(200);
      const metadata = (await answer.json()) as {
        inputs: { name: string; datatype: string; shape: number[] }[];
        outputs: { name: string }[];
      };
      expect(metadata.inputs).toHaveLength(1);
      expect(metadata.inputs[0]).toMatchObject({ datatype: 'FP32', shape: [-1, 4] });
      expect(metadata.outputs).toHaveLength(1);
      return { input: metadata.inputs[0]?.name ?? '', output: metadata.outputs[0]?.name ?? '' };
    }

    it.each(FRAMEWORK_FIXTURE_FORMATS)('%s answers 2x + 1 over KServe REST', async (format) => {
      const { input, output } = await names(format);
      const body = {
        inputs: [
          {
            name: input,
            shape: [2, FRAMEWORK_FIXTURE_FEATURES],
            datatype: 'FP32',
            data: ROWS.flat(),
          },
        ],
      };
      const answer = await fetch(`${server.restUrl}/v2/models/${format}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await answer.json()) as {
        outputs: { name: string; shape: number[]; data: number[] }[];
      };
      expect(answer.status, JSON.stringify(json)).toBe(200);
      expect(json.outputs).toEqual([
        {
          name: output,
          datatype: 'FP32',
          shape: [2, 4],
          data: frameworkFixtureOutput(ROWS.flat()),
        },
      ]);
    });

    it.each(FRAMEWORK_FIXTURE_FORMATS)('%s answers 2x + 1 over KServe gRPC', async (format) => {
      const { input, output } = await names(format);
      const response = await unary(grpc.inference, 'ModelInfer', {
        model_name: format,
        inputs: [
          {
            name: input,
            datatype: 'FP32',
            shape: [1, FRAMEWORK_FIXTURE_FEATURES],
            contents: { fp32_contents: ROWS[1] },
          },
        ],
      });
      expect(response['outputs']).toMatchObject([
        { name: output, datatype: 'FP32', shape: ['1', '4'] },
      ]);
      const [raw] = response['raw_output_contents'] as Buffer[];
      if (raw === undefined) throw new Error('no raw_output_contents');
      const y = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect([...y]).toEqual(frameworkFixtureOutput(ROWS[1] ?? []));
    });

    it('refuses a version directory with two models, naming both files', async () => {
      const answer = await fetch(`${server.restUrl}/v2/models/two/ready`);
      expect(answer.status).not.toBe(200);
      const dir = join(root, 'served', 'two', '1');
      const [message] = failedLoadMessages(server, 'two');
      expect(message, server.output()).toContain(
        `version directory ${dir} holds several models (model.tflite, model.pdmodel + model.pdiparams); keep one`,
      );
    });
  },
);

describe('ovms without OpenVINO', () => {
  let server: GrpcServerProcess;
  beforeAll(async () => {
    await copyFrameworkFixture('tflite', join(root, 'hidden', 'lite', '1'));
    const configPath = join(root, 'hidden', 'config.json');
    await writeConfig(configPath, [{ name: 'lite', base_path: join(root, 'hidden', 'lite') }]);
    server = await startReadyServer(['--config_path', configPath], HIDE_OPENVINO);
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('fails to load a TFLite model, naming the format and the missing runtime', async () => {
    const answer = await fetch(`${server.restUrl}/v2/models/lite/ready`);
    expect(answer.status).not.toBe(200);
    const file = join(root, 'hidden', 'lite', '1', 'model.tflite');
    const [message] = failedLoadMessages(server, 'lite');
    expect(message, server.output()).toMatch(
      new RegExp(
        `TensorFlow Lite model ${file.replace(/[.]/g, '\\.')} needs the OpenVINO runtime, which was not found: .+`,
      ),
    );
  });
});
