import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcClients, expectGrpcError, f32Values, unary } from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { H, W, halves, writeImageRepository } from './support/image-repository.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// Binary image inputs (SPEC.md "Binary image inputs") through the real server: a PNG and a JPEG
// over each transport reach models that return their input (y = x + 0), so the answer shows
// the decoded pixels.

let png: Buffer;
let jpeg: Buffer;
let server: TestServer;
let clients: GrpcClients;

beforeAll(async () => {
  png = await halves().png().toBuffer();
  jpeg = await halves().jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  server = await startTestServer(writeImageRepository);
  clients = createGrpcClients(server.grpcAddress);
}, 120_000);
afterAll(async () => {
  clients?.close();
  await server?.stop();
});

/** Each image format with how far its decoded pixels may stray from the colours drawn. */
const FORMATS = [
  ['PNG', () => png, 0],
  ['JPEG', () => jpeg, 8],
] as const;

/**
 * Checks an NHWC (1,4,6,3) answer: resized to 6×4, BGR order; the outer columns keep their
 * colour exactly (PNG) or within the JPEG tolerance.
 */
function expectHalvesNhwc(values: readonly number[], tolerance: number): void {
  expect(values).toHaveLength(H * W * 3);
  const pixel = (y: number, x: number) => values.slice((y * W + x) * 3, (y * W + x) * 3 + 3);
  for (let y = 0; y < H; y++) {
    expectNear(pixel(y, 0), [0, 0, 255], tolerance);
    expectNear(pixel(y, W - 1), [255, 0, 0], tolerance);
  }
}

function expectNear(actual: readonly number[], expected: readonly number[], tolerance: number) {
  const far = actual.some((value, index) => Math.abs(value - (expected[index] ?? 0)) > tolerance);
  if (far) expect(actual).toEqual(expected);
}

const predict = (request: Message) => unary(clients.prediction, 'Predict', request);
const modelInfer = (request: Message) => unary(clients.inference, 'ModelInfer', request);

function tfsImages(model: string, input: string, ...images: Buffer[]): Message {
  return {
    model_spec: { name: model },
    inputs: {
      [input]: {
        dtype: 'DT_STRING',
        tensor_shape: { dim: [{ size: images.length }] },
        string_val: images,
      },
    },
  };
}

function lengthPrefixed(...images: Buffer[]): Buffer {
  return Buffer.concat(
    images.flatMap((image) => {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(image.length);
      return [length, image];
    }),
  );
}

/** A REST answer as the tests read it. */
interface RestAnswer {
  readonly predictions?: unknown[];
  readonly outputs?: unknown;
  readonly error?: string;
}

interface KserveAnswer {
  readonly outputs: { name: string; datatype: string; shape: number[]; data: number[] }[];
}

async function restJson(
  path: string,
  body: unknown,
): Promise<{ status: number; json: RestAnswer }> {
  const response = await fetch(`${server.restUrl}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as RestAnswer };
}

/** KServe REST with the binary data extension: the images length-prefixed in the binary part. */
async function restBinary(
  model: string,
  ...images: Buffer[]
): Promise<{ status: number; json: RestAnswer & Partial<KserveAnswer> }> {
  const data = lengthPrefixed(...images);
  const header = JSON.stringify({
    inputs: [
      {
        name: 'x',
        shape: [images.length],
        datatype: 'BYTES',
        parameters: { binary_data_size: data.length },
      },
    ],
  });
  const response = await fetch(`${server.restUrl}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: {
      'Inference-Header-Content-Length': String(Buffer.byteLength(header)),
      'Content-Type': 'application/octet-stream',
    },
    body: Buffer.concat([Buffer.from(header), data]),
  });
  return {
    status: response.status,
    json: (await response.json()) as RestAnswer & Partial<KserveAnswer>,
  };
}

describe.each(FORMATS)('a %s image', (_format, image, tolerance) => {
  it('over TFS gRPC (string_val) reaches the model resized and in BGR order', async () => {
    const response = await predict(tfsImages('image', 'x', image()));
    const y = (response['outputs'] as Record<string, Message>)['y'];
    expect(y?.['tensor_shape']).toMatchObject({
      dim: [{ size: '1' }, { size: String(H) }, { size: String(W) }, { size: '3' }],
    });
    expectHalvesNhwc(f32Values(y?.['tensor_content']), tolerance);
  });

  it('over TFS REST ({"b64": ...} in the row and the column format)', async () => {
    const b64 = image().toString('base64');
    const row = await restJson('/v1/models/image:predict', { instances: [{ b64 }] });
    expect(row.status).toBe(200);
    expectHalvesNhwc((row.json.predictions ?? []).flat(3) as number[], tolerance);
    const column = await restJson('/v1/models/image:predict', { inputs: { x: [{ b64 }] } });
    expect(column.status).toBe(200);
    expectHalvesNhwc(((column.json.outputs ?? []) as unknown[]).flat(3) as number[], tolerance);
  });

  it('over KServe gRPC (bytes_contents, and length-prefixed raw_input_contents)', async () => {
    const input = { name: 'x', datatype: 'BYTES', shape: [1] };
    const contents = await modelInfer({
      model_name: 'image',
      inputs: [{ ...input, contents: { bytes_contents: [image()] } }],
    });
    expect((contents['outputs'] as Message[])[0]?.['shape']).toEqual(['1', '4', '6', '3']);
    expectHalvesNhwc(f32Values((contents['raw_output_contents'] as Buffer[])[0]), tolerance);
    const raw = await modelInfer({
      model_name: 'image',
      inputs: [input],
      raw_input_contents: [lengthPrefixed(image())],
    });
    expectHalvesNhwc(f32Values((raw['raw_output_contents'] as Buffer[])[0]), tolerance);
  });

  it('over KServe REST (binary data extension, length-prefixed)', async () => {
    const { status, json } = await restBinary('image', image());
    expect(status).toBe(200);
    const [y] = json.outputs ?? [];
    expect(y).toMatchObject({ name: 'y', datatype: 'FP32', shape: [1, H, W, 3] });
    expectHalvesNhwc(y?.data ?? [], tolerance);
  });

  it('reaches an NCHW model served with layout NHWC:NCHW, transposed', async () => {
    const response = await predict(tfsImages('nchw', 'x', image()));
    const y = (response['outputs'] as Record<string, Message>)['y'];
    const values = f32Values(y?.['tensor_content']);
    expect(values).toHaveLength(3 * H * W);
    const at = (c: number, row: number, col: number) => values[(c * H + row) * W + col] ?? -1;
    for (let row = 0; row < H; row++) {
      // Plane 0 is blue, plane 2 red: left red, right blue.
      expectNear([at(0, row, 0), at(1, row, 0), at(2, row, 0)], [0, 0, 255], tolerance);
      expectNear([at(0, row, W - 1), at(1, row, W - 1), at(2, row, W - 1)], [255, 0, 0], tolerance);
    }
  });

  it('reaches the first DL node of a pipeline', async () => {
    const response = await predict(tfsImages('image_pipeline', 'img', image()));
    const out = (response['outputs'] as Record<string, Message>)['out'];
    expectHalvesNhwc(f32Values(out?.['tensor_content']), tolerance);
  });
});

describe('binary image inputs', () => {
  it('give a one-channel input OpenCV gray', async () => {
    const response = await predict(tfsImages('gray', 'x', png));
    const values = f32Values(
      (response['outputs'] as Record<string, Message>)['y']?.['tensor_content'],
    );
    expect(values).toHaveLength(H * W);
    // OpenCV: red 0.299 × 255 → 76, blue 0.114 × 255 → 29.
    expect([values[0], values[W - 1]]).toEqual([76, 29]);
  });

  it('take their own size on a dynamic input, a batch of them', async () => {
    const response = await predict(tfsImages('dynamic', 'x', png, png));
    const y = (response['outputs'] as Record<string, Message>)['y'];
    expect(y?.['tensor_shape']).toMatchObject({
      dim: [{ size: '2' }, { size: '8' }, { size: '12' }, { size: '3' }],
    });
  });

  it('are refused by an NCHW model served without layout (its C is 6)', async () => {
    await expectGrpcError(
      predict(tfsImages('nchw_plain', 'x', png)),
      grpc.status.INVALID_ARGUMENT,
      'Invalid number of channels - Expected: 1 or 3; Actual: 6 in (1,3,4,6); input name: x',
    );
  });

  it('are refused by an input whose layout is NCHW', async () => {
    await expectGrpcError(
      predict(tfsImages('nchw_declared', 'x', png)),
      grpc.status.INVALID_ARGUMENT,
      'Received binary image input but resource not configured to accept NHWC layout',
    );
    const { status, json } = await restBinary('nchw_declared', png);
    expect({ status, json }).toEqual({
      status: 400,
      json: {
        error:
          'Received binary image input but resource not configured to accept NHWC layout - input name: x; layout: NCHW',
      },
    });
  });

  it('refuse bytes that are not an image (400 over REST)', async () => {
    const b64 = Buffer.from('not an image').toString('base64');
    const { status, json } = await restJson('/v1/models/image:predict', { instances: [{ b64 }] });
    expect({ status, json }).toEqual({
      status: 400,
      json: { error: 'Image parsing failed - not a JPEG or PNG image' },
    });
  });

  it('refuse images of different sizes on a dynamic input', async () => {
    const small = await sharp(png).resize(3, 2).png().toBuffer();
    await expectGrpcError(
      predict(tfsImages('dynamic', 'x', png, small)),
      grpc.status.INVALID_ARGUMENT,
      'Binary input images for this endpoint are required to have the same resolution - 12x8 vs 3x2',
    );
  });

  it('refuse more images than the batch', async () => {
    await expectGrpcError(
      predict(tfsImages('image', 'x', png, png)),
      grpc.status.INVALID_ARGUMENT,
      'Invalid input batch size - Expected: 1; Actual: 2; input name: x',
    );
  });

  it('refuse raw_input_contents whose length prefix overruns the buffer', async () => {
    const overrun = lengthPrefixed(png).subarray(0, 100);
    await expectGrpcError(
      modelInfer({
        model_name: 'image',
        inputs: [{ name: 'x', datatype: 'BYTES', shape: [1] }],
        raw_input_contents: [overrun],
      }),
      grpc.status.INVALID_ARGUMENT,
      `Invalid content size of tensor proto - BYTES input x: element 0 declares ${png.length} bytes; 96 remain`,
    );
  });
});
