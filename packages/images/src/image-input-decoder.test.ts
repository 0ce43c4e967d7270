import { ServingError, typedView } from '@ovms/core';
import type { InputSpec, NumericDataType, Tensor, TensorMap } from '@ovms/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImageInputDecoder } from './index.js';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const ODD = [10, 20, 30];

/** An RGB image of `width` × `height` whose pixels are `pixels` (row-major, RGB triples). */
function raw(width: number, height: number, pixels: readonly number[][], channels: 3 | 4 = 3) {
  return sharp(Buffer.from(pixels.flat()), { raw: { width, height, channels } });
}

async function png(width: number, height: number, pixels: readonly number[][]): Promise<Buffer> {
  return raw(width, height, pixels).png().toBuffer();
}

function fill(count: number, pixel: readonly number[]): number[][] {
  return Array.from({ length: count }, () => [...pixel]);
}

function images(...data: Uint8Array[]): TensorMap {
  return new Map<string, Tensor>([['x', { dtype: 'BYTES', shape: [data.length], data }]]);
}

function spec(shape: number[], dtype: NumericDataType = 'FP32', extra: Partial<InputSpec> = {}) {
  return { name: 'x', dtype, shape, batchDim: 0, ...extra } satisfies InputSpec;
}

async function decode(input: InputSpec, inputs: TensorMap, maxPixels?: number) {
  const decoder = createImageInputDecoder(maxPixels === undefined ? {} : { maxPixels });
  const tensor = (await decoder([input], inputs)).get('x');
  if (tensor === undefined || tensor.dtype === 'BYTES') throw new Error('not decoded');
  return tensor;
}

async function values(input: InputSpec, inputs: TensorMap): Promise<number[]> {
  const tensor = await decode(input, inputs);
  return Array.from(typedView(tensor.dtype, tensor.data), Number);
}

async function failure(input: InputSpec, inputs: TensorMap, maxPixels?: number) {
  const error: unknown = await decode(input, inputs, maxPixels).catch((caught: unknown) => caught);
  if (!(error instanceof ServingError))
    throw new Error(`expected a ServingError: ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('createImageInputDecoder', () => {
  it('decodes a PNG to NHWC in BGR order, values 0-255 as FP32', async () => {
    const image = await png(2, 2, [RED, GREEN, BLUE, ODD]);
    const tensor = await decode(spec([1, 2, 2, 3]), images(image));
    expect(tensor.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(typedView('FP32', tensor.data))).toEqual([
      0, 0, 255, 0, 255, 0, 255, 0, 0, 30, 20, 10,
    ]);
  });

  it('decodes a JPEG (lossy: within a few units of the colour)', async () => {
    const jpeg = await raw(8, 8, fill(64, [200, 100, 50]))
      .jpeg({ quality: 95 })
      .toBuffer();
    const decoded = await values(spec([1, 8, 8, 3]), images(jpeg));
    for (let pixel = 0; pixel < 64; pixel++) {
      const [b, g, r] = decoded.slice(pixel * 3, pixel * 3 + 3);
      expect(Math.abs((b ?? 0) - 50)).toBeLessThanOrEqual(3);
      expect(Math.abs((g ?? 0) - 100)).toBeLessThanOrEqual(3);
      expect(Math.abs((r ?? 0) - 200)).toBeLessThanOrEqual(3);
    }
  });

  it('gives a one-channel input gray with OpenCV weights, not libvips ones', async () => {
    const image = await png(3, 1, [RED, GREEN, BLUE]);
    // OpenCV: 0.299 R + 0.587 G + 0.114 B (libvips would give 54, 182, 18).
    expect(await values(spec([1, 1, 3, 1]), images(image))).toEqual([76, 150, 29]);
  });

  it('resizes to the fixed H and W of the input', async () => {
    // Left half red, right half blue: shrunk to 2x4 the halves stay apart.
    const pixels = Array.from({ length: 64 }, (_, index) => (index % 8 < 4 ? RED : BLUE));
    const image = await png(8, 8, pixels);
    const tensor = await decode(spec([1, 2, 4, 3]), images(image));
    expect(tensor.shape).toEqual([1, 2, 4, 3]);
    const decoded = Array.from(typedView('FP32', tensor.data));
    const pixel = (y: number, x: number) => decoded.slice((y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    for (const y of [0, 1]) {
      // The outer columns keep their colour (BGR); the inner ones may blend at the edge.
      expect(pixel(y, 0)).toEqual([0, 0, 255]);
      expect(pixel(y, 3)).toEqual([255, 0, 0]);
      expect(pixel(y, 1)[2]).toBeGreaterThan(pixel(y, 1)[0] ?? 0);
      expect(pixel(y, 2)[0]).toBeGreaterThan(pixel(y, 2)[2] ?? 0);
    }
    // Enlarged, a uniform image stays uniform.
    const small = await png(2, 2, fill(4, ODD));
    const large = await values(spec([1, 5, 7, 3]), images(small));
    expect(large).toEqual(Array.from({ length: 35 }, () => [30, 20, 10]).flat());
  });

  it('takes each image at its own size where H and W are dynamic', async () => {
    const image = await png(3, 2, fill(6, GREEN));
    const tensor = await decode(spec([-1, -1, -1, 3]), images(image, image));
    expect(tensor.shape).toEqual([2, 2, 3, 3]);
  });

  it('brings H and W inside range dims: to the nearest bound outside, as they are inside', async () => {
    const ranged = (range: { min: number; max: number }) =>
      spec([1, -1, -1, 3], 'FP32', { dimRanges: [undefined, range, range, undefined] });
    // H 5 → 10, W 30 → 20; a 15×15 image is inside and stays as it is.
    const tall = await png(30, 5, fill(150, GREEN));
    expect((await decode(ranged({ min: 10, max: 20 }), images(tall))).shape).toEqual([
      1, 10, 20, 3,
    ]);
    const inside = await png(15, 15, fill(225, GREEN));
    const kept = await decode(ranged({ min: 10, max: 20 }), images(inside));
    expect(kept.shape).toEqual([1, 15, 15, 3]);
    expect(Array.from(typedView('FP32', kept.data).slice(0, 3))).toEqual([0, 255, 0]);
    // Two images that clamp to the same size make one batch; sizes inside must match.
    const many = spec([-1, -1, -1, 3], 'FP32', {
      dimRanges: [undefined, { min: 10, max: 20 }, { min: 10, max: 20 }, undefined],
    });
    const other = await png(40, 2, fill(80, GREEN));
    expect((await decode(many, images(tall, other))).shape).toEqual([2, 10, 20, 3]);
    expect(await failure(many, images(tall, inside))).toEqual({
      code: 'BINARY_IMAGES_RESOLUTION_MISMATCH',
      message:
        'Binary input images for this endpoint are required to have the same resolution - 30x5 vs 15x15; input name: x',
    });
  });

  it('converts a large image completely', async () => {
    const image = await raw(300, 300, fill(90_000, ODD)).png().toBuffer();
    const decoded = await values(spec([1, 300, 300, 1], 'UINT8'), images(image));
    const gray = Math.round(0.299 * 10 + 0.587 * 20 + 0.114 * 30);
    expect(decoded.every((value) => value === gray)).toBe(true);
    const colour = await values(spec([1, 300, 300, 3], 'UINT8'), images(image));
    expect(colour.slice(-3)).toEqual([30, 20, 10]);
    expect(colour.filter((value, index) => value !== [30, 20, 10][index % 3])).toEqual([]);
  });

  it('converts to the input precision', async () => {
    const image = await png(1, 1, [ODD]);
    const cases: [NumericDataType, number[]][] = [
      ['UINT8', [30, 20, 10]],
      ['INT32', [30, 20, 10]],
      ['FP64', [30, 20, 10]],
      ['INT64', [30, 20, 10]],
      ['UINT64', [30, 20, 10]],
      ['INT16', [30, 20, 10]],
      ['UINT16', [30, 20, 10]],
      ['UINT32', [30, 20, 10]],
      ['INT8', [30, 20, 10]],
      // FP16 and BF16 bit patterns of 30, 20 and 10.
      ['FP16', [0x4f80, 0x4d00, 0x4900]],
      ['BF16', [0x41f0, 0x41a0, 0x4120]],
    ];
    for (const [dtype, expected] of cases) {
      const tensor = await decode(spec([1, 1, 1, 3], dtype), images(image));
      expect(tensor.dtype).toBe(dtype);
      expect(Array.from(typedView(dtype, tensor.data), Number)).toEqual(expected);
    }
  });

  it('saturates 255 at 127 in INT8, as OpenCV does, and keeps 255 in the wider types', async () => {
    const image = await png(1, 1, [[255, 128, 0]]);
    expect(await values(spec([1, 1, 1, 3], 'INT8'), images(image))).toEqual([0, 127, 127]);
    for (const dtype of ['FP16', 'BF16', 'INT64', 'INT16'] as const) {
      const tensor = await decode(spec([1, 1, 1, 3], dtype), images(image));
      const decoded = Array.from(typedView(dtype, tensor.data), Number);
      if (dtype === 'FP16') expect(decoded).toEqual([0, 0x5800, 0x5bf8]);
      else if (dtype === 'BF16') expect(decoded).toEqual([0, 0x4300, 0x437f]);
      else expect(decoded).toEqual([0, 128, 255]);
    }
  });

  it('gives UINT8 and FP32 exactly the BGR bytes and OpenCV fixed-point gray of every pixel', async () => {
    const pixels = Array.from({ length: 64 * 48 }, (_, i) => [
      (i * 7) % 256,
      (i * 13) % 256,
      (i * 31) % 256,
    ]);
    const image = await png(64, 48, pixels);
    const bgr = pixels.flatMap(([r = 0, g = 0, b = 0]) => [b, g, r]);
    const gray = pixels.map(
      ([r = 0, g = 0, b = 0]) => (r * 4899 + g * 9617 + b * 1868 + 8192) >> 14,
    );
    for (const dtype of ['UINT8', 'FP32'] as const) {
      expect(await values(spec([1, 48, 64, 3], dtype), images(image))).toEqual(bgr);
      expect(await values(spec([1, 48, 64, 1], dtype), images(image))).toEqual(gray);
    }
  });

  it('fails conversions once closed', async () => {
    const decoder = createImageInputDecoder();
    const image = await png(1, 1, [ODD]);
    const fp16 = spec([1, 1, 1, 3], 'FP16');
    await expect(decoder([fp16], images(image))).resolves.toBeDefined();
    await decoder.close();
    const error: unknown = await decoder([fp16], images(image)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).message).toBe('Internal server error - image decoder is closed');
  });

  it('drops alpha and spreads a grayscale image over three channels', async () => {
    const rgba = await raw(1, 1, [[10, 20, 30, 128]], 4)
      .png()
      .toBuffer();
    expect(await values(spec([1, 1, 1, 3]), images(rgba))).toEqual([30, 20, 10]);
    const gray = await sharp(Buffer.from([77]), { raw: { width: 1, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    expect(await values(spec([1, 1, 1, 3]), images(gray))).toEqual([77, 77, 77]);
  });

  it('makes each image one [1, H, W, C] shard under a demultiplexer (rank 5)', async () => {
    const image = await png(1, 1, [RED]);
    const tensor = await decode(
      spec([-1, 1, 1, 1, 3], 'FP32', { batchDim: 1 }),
      images(image, image),
    );
    expect(tensor.shape).toEqual([2, 1, 1, 1, 3]);
  });

  it('accepts layout NHWC and leaves inputs that cannot take images alone', async () => {
    const image = await png(1, 1, [RED]);
    const decoded = await decode(spec([1, 1, 1, 3], 'FP32', { layout: 'NHWC' }), images(image));
    expect(decoded.shape).toEqual([1, 1, 1, 3]);
    const decoder = createImageInputDecoder();
    const flat = images(image);
    expect((await decoder([spec([1, 3])], flat)).get('x')).toBe(flat.get('x'));
  });

  it('refuses bytes that are not an image', async () => {
    expect(await failure(spec([1, 1, 1, 3]), images(Buffer.from('not an image')))).toEqual({
      code: 'IMAGE_PARSING_FAILED',
      message: 'Image parsing failed - not a JPEG or PNG image',
    });
  });

  it('refuses formats other than JPEG and PNG', async () => {
    const gif = await raw(1, 1, [RED]).gif().toBuffer();
    expect(await failure(spec([1, 1, 1, 3]), images(gif))).toEqual({
      code: 'IMAGE_PARSING_FAILED',
      message: 'Image parsing failed - not a JPEG or PNG image (gif)',
    });
  });

  it('refuses a truncated image', async () => {
    const image = await png(16, 16, fill(256, ODD));
    const result = await failure(spec([1, 16, 16, 3]), images(image.subarray(0, 60)));
    expect(result.code).toBe('IMAGE_PARSING_FAILED');
  });

  it('refuses an input with a channel count other than 1 or 3', async () => {
    const image = await png(1, 1, [RED]);
    expect(await failure(spec([1, 1, 1, 4]), images(image))).toEqual({
      code: 'INVALID_NO_OF_CHANNELS',
      message:
        'Invalid number of channels - Expected: 1 or 3; Actual: 4 in (1,1,1,4); input name: x',
    });
  });

  it('refuses an input whose layout is not NHWC', async () => {
    const image = await png(1, 1, [RED]);
    expect(await failure(spec([1, 3, 1, 1], 'FP32', { layout: 'NCHW' }), images(image))).toEqual({
      code: 'UNSUPPORTED_LAYOUT',
      message:
        'Received binary image input but resource not configured to accept NHWC layout - input name: x; layout: NCHW',
    });
  });

  it('refuses images of different sizes on a dynamic input', async () => {
    const small = await png(1, 1, [RED]);
    const wide = await png(2, 1, [RED, RED]);
    expect(await failure(spec([-1, -1, -1, 3]), images(small, wide))).toEqual({
      code: 'BINARY_IMAGES_RESOLUTION_MISMATCH',
      message:
        'Binary input images for this endpoint are required to have the same resolution - 1x1 vs 2x1; input name: x',
    });
  });

  it('refuses more images than the batch, before decoding them', async () => {
    const image = await png(1, 1, [RED]);
    expect(await failure(spec([1, 1, 1, 3]), images(image, image))).toEqual({
      code: 'INVALID_BATCH_SIZE',
      message: 'Invalid input batch size - Expected: 1; Actual: 2; input name: x',
    });
  });

  it('refuses a binary input that is not one-dimensional', async () => {
    const image = await png(1, 1, [RED]);
    const inputs = new Map<string, Tensor>([
      ['x', { dtype: 'BYTES', shape: [1, 1], data: [image] }],
    ]);
    expect(await failure(spec([1, 1, 1, 3]), inputs)).toEqual({
      code: 'INVALID_SHAPE',
      message:
        'Invalid input shape - binary image input must have shape (N); Actual: (1,1); input name: x',
    });
  });

  it('refuses an image over the pixel bound from its header, before decoding', async () => {
    const image = await png(100, 100, fill(10_000, RED));
    expect(await failure(spec([1, 100, 100, 3]), images(image), 9_999)).toEqual({
      code: 'IMAGE_PARSING_FAILED',
      message: 'Image parsing failed - image of 100x100 exceeds 9999 pixels',
    });
  });

  it('refuses images over the pixel bound together', async () => {
    const image = await png(60, 60, fill(3600, RED));
    expect(await failure(spec([2, 60, 60, 3]), images(image, image), 5000)).toEqual({
      code: 'IMAGE_PARSING_FAILED',
      message:
        'Image parsing failed - 2 images of 7200 pixels in all exceed 5000 pixels; input name: x',
    });
  });
});
