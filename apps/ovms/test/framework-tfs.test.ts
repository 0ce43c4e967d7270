import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFrameworkFixture, frameworkFixtureOutput } from '@ovms/testing';
import { encodeAffineFrozenGraph } from './support/frozen-graph.js';
import { f32Bytes, f32Values, unary, type GrpcClients, type Message } from './support/grpc.js';
import { OPENVINO_FOUND } from './support/repository.js';
import {
  startConfigServer,
  type ConfigServer,
  type GrpcServerProcess,
} from './support/server-process.js';

// Framework models over the TensorFlow Serving API through the real ovms: the TFLite and
// SavedModel fixtures (y = 2x + 1 on FP32 [-1, 4]) answer TFS gRPC Predict (grpc-js) and TFS
// REST :predict (fetch) under the names their TFS metadata reports, and a frozen graph taking
// NCHW (1, 3, 2, 4) is served with `layout: NHWC:NCHW`, so clients send NHWC.
const ROWS = [
  [0, 1, 2, -1],
  [0.5, -3, 10, 7],
];
const FORMATS = ['tflite', 'saved-model'] as const;

let root = '';
let served: ConfigServer | undefined;
let server: GrpcServerProcess;
let grpc: GrpcClients;

describe.skipIf(!OPENVINO_FOUND)(
  'framework models over the TFS API (NOT RUN without OpenVINO)',
  () => {
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'ovms-frameworks-tfs-'));
      const models: object[] = [];
      for (const format of FORMATS) {
        await copyFrameworkFixture(format, join(root, format, '1'));
        models.push({ name: format, base_path: join(root, format) });
      }
      await mkdir(join(root, 'nchw', '1'), { recursive: true });
      await writeFile(join(root, 'nchw', '1', 'model.pb'), encodeAffineFrozenGraph([-1, 3, 2, 4]));
      models.push({ name: 'nchw', base_path: join(root, 'nchw'), layout: 'NHWC:NCHW' });
      models.push({ name: 'nchw_plain', base_path: join(root, 'nchw') });
      served = await startConfigServer(join(root, 'config.json'), models);
      ({ server, grpc } = served);
    }, 150_000);
    afterAll(async () => {
      await served?.stop();
      await rm(root, { recursive: true, force: true });
    });

    interface TfsTensorInfo {
      readonly name: string;
      readonly dtype: string;
      readonly tensorShape: { readonly dim: readonly { readonly size: string }[] };
    }

    /** The serving_default signature of the model's TFS REST metadata: its one input and output. */
    async function signature(
      model: string,
    ): Promise<{ input: TfsTensorInfo; output: TfsTensorInfo }> {
      const answer = await fetch(`${server.restUrl}/v1/models/${model}/metadata`);
      expect(answer.status, server.output()).toBe(200);
      const json = (await answer.json()) as {
        metadata: {
          signature_def: {
            signatureDef: {
              serving_default: {
                inputs: Record<string, TfsTensorInfo>;
                outputs: Record<string, TfsTensorInfo>;
              };
            };
          };
        };
      };
      const { inputs, outputs } = json.metadata.signature_def.signatureDef.serving_default;
      const [input] = Object.values(inputs);
      const [output] = Object.values(outputs);
      if (input === undefined || output === undefined) throw new Error(`no signature: ${model}`);
      return { input, output };
    }

    const sizes = (info: TfsTensorInfo) => info.tensorShape.dim.map((dim) => Number(dim.size));

    it.each(FORMATS)('%s reports its signature in TFS metadata', async (format) => {
      const { input, output } = await signature(format);
      expect(input).toMatchObject({ dtype: 'DT_FLOAT' });
      expect(sizes(input)).toEqual([-1, 4]);
      expect(output).toMatchObject({ dtype: 'DT_FLOAT' });
    });

    it.each(FORMATS)('%s answers 2x + 1 over TFS gRPC Predict', async (format) => {
      const { input, output } = await signature(format);
      const response = await unary(grpc.prediction, 'Predict', {
        model_spec: { name: format },
        inputs: {
          [input.name]: {
            dtype: 'DT_FLOAT',
            tensor_shape: { dim: [{ size: 2 }, { size: 4 }] },
            tensor_content: f32Bytes(ROWS.flat()),
          },
        },
      });
      const y = (response['outputs'] as Record<string, Message>)[output.name];
      expect(y?.['dtype']).toBe('DT_FLOAT');
      expect(y?.['tensor_shape']).toMatchObject({ dim: [{ size: '2' }, { size: '4' }] });
      expect(f32Values(y?.['tensor_content'])).toEqual(frameworkFixtureOutput(ROWS.flat()));
    });

    it.each(FORMATS)(
      '%s answers 2x + 1 over TFS REST :predict, row and column format',
      async (format) => {
        const { input } = await signature(format);
        const predict = async (body: unknown) => {
          const answer = await fetch(`${server.restUrl}/v1/models/${format}:predict`, {
            method: 'POST',
            body: JSON.stringify(body),
          });
          return { status: answer.status, json: await answer.json() };
        };
        const expected = ROWS.map((row) => frameworkFixtureOutput(row));
        expect(await predict({ instances: ROWS })).toEqual({
          status: 200,
          json: { predictions: expected },
        });
        expect(await predict({ inputs: { [input.name]: ROWS } })).toEqual({
          status: 200,
          json: { outputs: expected },
        });
      },
    );

    it('serves a frozen graph taking NCHW with layout NHWC:NCHW: NHWC in, transposed', async () => {
      const { input, output } = await signature('nchw');
      expect(sizes(input)).toEqual([-1, 2, 4, 3]);
      expect(sizes((await signature('nchw_plain')).input)).toEqual([-1, 3, 2, 4]);
      // One NHWC image of 2×4 pixels, 3 channels: x[h][w][c] = 12h + 3w + c.
      const x = Array.from({ length: 24 }, (_, i) => i);
      const nhwc = [0, 1].map((h) =>
        [0, 1, 2, 3].map((w) => [0, 1, 2].map((c) => x[12 * h + 3 * w + c] ?? 0)),
      );
      const answer = await fetch(`${server.restUrl}/v1/models/nchw:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [nhwc] }),
      });
      const json = (await answer.json()) as { predictions: number[][][][] };
      expect(answer.status, JSON.stringify(json)).toBe(200);
      // The model's NCHW output: y[c][h][w] = 2 x[h][w][c] + 1.
      const nchw = [0, 1, 2].map((c) =>
        [0, 1].map((h) => [0, 1, 2, 3].map((w) => 2 * (12 * h + 3 * w + c) + 1)),
      );
      expect(json.predictions).toEqual([nchw]);
      // Over gRPC the same, and the model without the layout refuses the NHWC tensor.
      const tensor = {
        dtype: 'DT_FLOAT',
        tensor_shape: { dim: [1, 2, 4, 3].map((size) => ({ size })) },
        tensor_content: f32Bytes(x),
      };
      const response = await unary(grpc.prediction, 'Predict', {
        model_spec: { name: 'nchw' },
        inputs: { [input.name]: tensor },
      });
      const y = (response['outputs'] as Record<string, Message>)[output.name];
      expect(f32Values(y?.['tensor_content'])).toEqual(nchw.flat(2));
      const plain = await fetch(`${server.restUrl}/v1/models/nchw_plain:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [nhwc] }),
      });
      expect(plain.status).toBe(400);
      expect(await plain.json()).toEqual({
        error: `Invalid input shape - Expected: (-1,3,2,4); Actual: (1,2,4,3); input name: ${input.name}`,
      });
    });
  },
);
