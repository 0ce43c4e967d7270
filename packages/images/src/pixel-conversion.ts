import type { NumericDataType } from '@ovms/core';
import sharp, { type Sharp } from 'sharp';
import { WORKER_DATA_TYPES, type ConversionPool, type WorkerDataType } from './conversion-pool.js';
import {
  TO_BGR,
  decodeBgr,
  decodeImage,
  type Depth,
  type ImageInfo,
  type ImageSize,
  type Matrix,
} from './decode-image.js';

/** The libvips depth that holds each type libvips can write; the others go to the pool. */
const VIPS_DEPTHS: Partial<Record<NumericDataType, Depth>> = {
  UINT8: 'uchar',
  INT8: 'char',
  UINT16: 'ushort',
  INT16: 'short',
  UINT32: 'uint',
  INT32: 'int',
  FP32: 'float',
  FP64: 'double',
};

/**
 * OpenCV's BGR→gray in its fixed-point form (cvtColor: 0.299 R + 0.587 G + 0.114 B as
 * n/2^14, rounded): every weighted sum of bytes is a multiple of 2^-14 below 256, exact in
 * float; adding 0.5 and casting to uchar (libvips truncates) gives OpenCV's values to the unit.
 */
const GRAY_ROW: Matrix[0] = [4899 / 16384, 9617 / 16384, 1868 / 16384];
const TO_GRAY: Matrix = [GRAY_ROW, GRAY_ROW, GRAY_ROW];

const raw = (pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Sharp =>
  sharp(pixels, { raw: { width, height, channels } });

/**
 * Decoded 8-bit RGB pixels (3 bytes a pixel, row-major) as BGR (`channels` 3) or OpenCV gray
 * (`channels` 1) in `dtype`, as the bytes of a typed array of that type. libvips converts on
 * libuv's pool (sharp's async API); FP16, BF16, INT64 and UINT64, which libvips cannot write,
 * are converted by `pool`'s worker threads. Values 0–255 are exact in every type but INT8,
 * which saturates at 127 as OpenCV's convertTo does.
 */
export async function convertPixels(
  rgb: Uint8Array,
  size: { readonly width: number; readonly height: number },
  channels: 1 | 3,
  dtype: NumericDataType,
  pool: ConversionPool,
): Promise<Uint8Array> {
  const { width, height } = size;
  const depth = VIPS_DEPTHS[dtype];
  let pixels: Uint8Array;
  if (channels === 3) {
    const bgr = raw(rgb, width, height, 3).recomb(TO_BGR);
    // recomb computes in float; integer values cast back exactly.
    if (depth !== undefined) return bgr.raw({ depth }).toBuffer();
    pixels = await bgr.raw({ depth: 'uchar' }).toBuffer();
  } else {
    pixels = await raw(rgb, width, height, 3)
      .recomb(TO_GRAY)
      .linear(1, 0.5)
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer();
    if (depth === 'uchar') return pixels;
    if (depth !== undefined) {
      return raw(pixels, width, height, 1).toColourspace('b-w').raw({ depth }).toBuffer();
    }
  }
  if (!WORKER_DATA_TYPES.has(dtype)) throw new Error(`no conversion of pixels to ${dtype}`);
  return pool.convert(pixels, dtype as WorkerDataType);
}

/** How one image is decoded: its bytes and header, and the size and element type it takes. */
export interface PixelRequest {
  readonly bytes: Uint8Array;
  readonly info: ImageInfo;
  readonly maxPixels: number;
  readonly size: ImageSize;
  readonly channels: 1 | 3;
  readonly dtype: NumericDataType;
}

/**
 * One image as the input takes it, the bytes of a typed array of `dtype`: a plain 8-bit RGB
 * image to BGR in a type libvips writes goes through one libvips pipeline (the common case:
 * a JPEG into an FP32 or UINT8 input); anything else is decoded to 8-bit RGB first and then
 * converted (convertPixels).
 */
export async function imagePixels(
  request: PixelRequest,
  pool: ConversionPool,
): Promise<Uint8Array> {
  const { bytes, info, maxPixels, size, channels, dtype } = request;
  const resize = info.width === size.width && info.height === size.height ? undefined : size;
  const depth = VIPS_DEPTHS[dtype];
  if (channels === 3 && info.plainRgb && depth !== undefined) {
    return decodeBgr(bytes, maxPixels, resize, depth);
  }
  const decoded = await decodeImage(bytes, maxPixels, resize);
  return convertPixels(decoded.rgb, size, channels, dtype, pool);
}
