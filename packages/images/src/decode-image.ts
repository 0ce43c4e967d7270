import { ServingError, StatusCode } from '@ovms/core';
import sharp, { type Metadata, type RawOptions, type Sharp } from 'sharp';

/** Formats OVMS documents for binary inputs; anything else sharp could read is refused. */
const FORMATS = new Set(['jpeg', 'png']);

/** An image decoded to 8-bit RGB, 3 bytes a pixel, row-major. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** What the header tells: the size, and whether the pixels are plain 8-bit sRGB (or RGBA). */
export interface ImageInfo extends ImageSize {
  readonly plainRgb: boolean;
}

/** A libvips pixel depth sharp writes: `uchar`, `float`… */
export type Depth = NonNullable<RawOptions['depth']>;

type Row = [number, number, number];
/** A 3×3 band recombination, as sharp's `recomb` takes it. */
export type Matrix = [Row, Row, Row];

/** RGB → BGR: a band swap, exact in libvips' float arithmetic. */
export const TO_BGR: Matrix = [
  [0, 0, 1],
  [0, 1, 0],
  [1, 0, 0],
];

function parsingFailed(detail: string, cause?: unknown): ServingError {
  return new ServingError(
    StatusCode.IMAGE_PARSING_FAILED,
    detail,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Reads the header only: format and size, refused when over `maxPixels` before any pixel is
 * decoded (a PNG bomb declares its size in its header).
 */
export async function probeImage(bytes: Uint8Array, maxPixels: number): Promise<ImageInfo> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw parsingFailed('not a JPEG or PNG image', error);
  }
  const { format, width, height, space, depth, channels } = metadata;
  if (!FORMATS.has(format) || !(width > 0) || !(height > 0)) {
    throw parsingFailed(`not a JPEG or PNG image (${format})`);
  }
  if (width * height > maxPixels) {
    throw parsingFailed(`image of ${width}x${height} exceeds ${maxPixels} pixels`);
  }
  const plainRgb = space === 'srgb' && depth === 'uchar' && (channels === 3 || channels === 4);
  return { width, height, plainRgb };
}

function decoder(bytes: Uint8Array, maxPixels: number, size: ImageSize | undefined): Sharp {
  const pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).removeAlpha();
  return size === undefined
    ? pipeline
    : pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
}

/** Runs a decoding pipeline, its failures as IMAGE_PARSING_FAILED. */
async function run(
  pipeline: Sharp,
  channels: number,
): Promise<{ data: Buffer; width: number; height: number }> {
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw parsingFailed(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw parsingFailed('the image data is corrupt', error);
  }
}

/**
 * A plain 8-bit sRGB image (`ImageInfo.plainRgb`) decoded, resized to `size` when given, as
 * BGR in `depth`, in one libvips pipeline on libuv's pool: the same values as decodeImage's
 * bytes swapped to BGR, without handing the 8-bit pixels to JavaScript in between.
 */
export async function decodeBgr(
  bytes: Uint8Array,
  maxPixels: number,
  size: ImageSize | undefined,
  depth: Depth,
): Promise<Uint8Array> {
  const pipeline = decoder(bytes, maxPixels, size).recomb(TO_BGR).toColourspace('srgb');
  return (await run(pipeline.raw({ depth }), 3)).data;
}

/**
 * Decodes on libuv's pool (sharp's async API) to 8-bit RGB: alpha dropped, grayscale and CMYK
 * images brought to sRGB, and resized to `size` (bilinear, as OpenCV's default) when given.
 * EXIF orientation is not applied, as OpenCV's IMREAD_UNCHANGED does not.
 */
export async function decodeImage(
  bytes: Uint8Array,
  maxPixels: number,
  size: ImageSize | undefined,
): Promise<DecodedImage> {
  const pipeline = decoder(bytes, maxPixels, size).toColourspace('srgb').raw({ depth: 'uchar' });
  const { data, width, height } = await run(pipeline, 3);
  return { width, height, rgb: data };
}
