import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGrpcClients,
  f32Values,
  unary,
  type GrpcClients,
  type Message,
} from './support/grpc.js';
import { writeIdentity } from './support/image-repository.js';
import { OPENVINO_FOUND } from './support/repository.js';
import { startReadyServer, type GrpcServerProcess } from './support/server-process.js';

// OVMS shape ranges end to end: `--shape "(1,100:200,100:200,3)"` on an image model (y = x + 0,
// exported for 150×150) through the real ovms on OpenVINO and on onnxruntime. Metadata shows
// the range dims as -1 (as OVMS's TFS and KServe metadata do), a PNG of 50×300 reaches the
// model at 100×200 (each side to its nearest bound), and a tensor outside the range is refused
// naming it.
const SHAPE = '(1,100:200,100:200,3)';
const HIDE_OPENVINO = { OPENVINO_LIB_DIR: '', PYTHONHOME: '/nonexistent-python-home' };
const ENGINES = [
  { engine: 'openvino', env: {}, run: OPENVINO_FOUND, log: 'Engines: openvino' },
  { engine: 'onnxruntime', env: HIDE_OPENVINO, run: true, log: 'OpenVINO runtime not found' },
] as const;

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ranges-e2e-'));
  await mkdir(join(root, 'image', '1'), { recursive: true });
  await writeIdentity(join(root, 'image', '1'), [1, 150, 150, 3]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** An RGB PNG of `width` × `height`, every pixel (10, 20, 30). */
function png(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = [10, 20, 30][i % 3] ?? 0;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

describe.each(ENGINES)('shape ranges on $engine', ({ env, run, log }) => {
  let server: GrpcServerProcess;
  let grpc: GrpcClients;

  beforeAll(async () => {
    if (!run) return;
    const model = ['--model_name', 'image', '--model_path', join(root, 'image')];
    server = await startReadyServer([...model, '--shape', SHAPE], env);
    // The engine that serves it: OpenVINO takes ONNX where it is found.
    expect(server.output()).toContain(log);
    grpc = createGrpcClients(server.grpcAddress);
  }, 150_000);
  afterAll(async () => {
    grpc?.close();
    await server?.stop();
  });

  async function restInfer(shape: number[]) {
    const data = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(1);
    const answer = await fetch(`${server.restUrl}/v2/models/image/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', shape, datatype: 'FP32', data }] }),
    });
    return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
  }

  it.skipIf(!run)('reports the range dims as -1 in KServe and TFS metadata', async () => {
    const kserve = await fetch(`${server.restUrl}/v2/models/image`);
    expect(kserve.status, server.output()).toBe(200);
    expect(await kserve.json()).toMatchObject({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, -1, -1, 3] }],
    });
    const tfs = await fetch(`${server.restUrl}/v1/models/image/metadata`);
    const inputs = ((await tfs.json()) as { metadata: Message }).metadata;
    expect(JSON.stringify(inputs)).toContain(
      '"dim":[{"size":"1","name":""},{"size":"-1","name":""},{"size":"-1","name":""},{"size":"3","name":""}]',
    );
  });

  it.skipIf(!run)(
    'resizes a PNG of 50×300 to 100×200, each side to its nearest bound',
    async () => {
      const answer = await unary(grpc.inference, 'ModelInfer', {
        model_name: 'image',
        inputs: [
          {
            name: 'x',
            datatype: 'BYTES',
            shape: [1],
            contents: { bytes_contents: [await png(50, 300)] },
          },
        ],
      });
      expect((answer['outputs'] as Message[])[0]?.['shape']).toEqual(['1', '200', '100', '3']);
      const values = f32Values((answer['raw_output_contents'] as Buffer[])[0]);
      expect(values).toHaveLength(200 * 100 * 3);
      expect(values.slice(0, 3)).toEqual([30, 20, 10]);
    },
  );

  it.skipIf(!run)(
    'takes a tensor inside the range and refuses one of H 250, naming the range',
    async () => {
      const inside = await restInfer([1, 120, 200, 3]);
      expect(inside.status, JSON.stringify(inside.json)).toBe(200);
      expect(inside.json['outputs']).toMatchObject([{ name: 'y', shape: [1, 120, 200, 3] }]);
      const outside = await restInfer([1, 250, 150, 3]);
      expect(outside).toEqual({
        status: 400,
        json: {
          error:
            'Invalid input shape - Expected: (1,100:200,100:200,3); Actual: (1,250,150,3); input name: x',
        },
      });
    },
  );
});
