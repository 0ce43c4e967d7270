import { ServingError, StatusCode } from '@ovms/core';
import sharp, { type Metadata } from 'sharp';

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
export async function probeImage(bytes: Uint8Array, maxPixels: number): Promise<ImageSize> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw parsingFailed('not a JPEG or PNG image', error);
  }
  const { format, width, height } = metadata;
  if (!FORMATS.has(format) || !(width > 0) || !(height > 0)) {
    throw parsingFailed(`not a JPEG or PNG image (${format})`);
  }
  if (width * height > maxPixels) {
    throw parsingFailed(`image of ${width}x${height} exceeds ${maxPixels} pixels`);
  }
  return { width, height };
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
  let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
    .removeAlpha()
    .toColourspace('srgb');
  if (size !== undefined) {
    pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
  }
  try {
    const { data, info } = await pipeline
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw parsingFailed(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, rgb: data };
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw parsingFailed('the image data is corrupt', error);
  }
}
