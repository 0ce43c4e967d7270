import { DATA_TYPES, ServingError, StatusCode, createNumericTensor, formatShape } from '@ovms/core';
import type {
  BinaryInputDecoder,
  BytesTensor,
  DimRange,
  InputSpec,
  NumericDataType,
  Tensor,
  TensorMap,
} from '@ovms/core';
import { probeImage, type ImageSize } from './decode-image.js';
import { imageTargetOf, type ImageTarget } from './image-target.js';
import { ConversionPool } from './conversion-pool.js';
import { imagePixels } from './pixel-conversion.js';

export interface ImageInputDecoderOptions {
  /**
   * Most pixels (width × height, as the headers declare them) one request may decode, over all
   * its images; default 64 Mpx. Checked before any pixel is decoded.
   */
  readonly maxPixels?: number;
  /** Worker threads converting to FP16, BF16, INT64 and UINT64 (libvips cannot); default 2. */
  readonly conversionThreads?: number;
}

/** The decoder, with `close()` to end its conversion threads at shutdown. */
export interface ImageInputDecoder extends BinaryInputDecoder {
  close(): Promise<void>;
}

export const DEFAULT_MAX_PIXELS = 64 * 1024 * 1024;

function where(spec: InputSpec): string {
  return `input name: ${spec.name}`;
}

/** The images' count against the input's batch dim, before any of them is decoded. */
function checkCount(spec: InputSpec, target: ImageTarget, tensor: BytesTensor): number {
  if (tensor.shape.length !== 1) {
    throw new ServingError(
      StatusCode.INVALID_SHAPE,
      `binary image input must have shape (N); Actual: ${formatShape(tensor.shape)}; ${where(spec)}`,
    );
  }
  const count = tensor.data.length;
  const batch = target.rank === 4 ? (spec.shape[spec.batchDim ?? 0] ?? -1) : -1;
  const auto = spec.autoDims;
  const fixedBatch = batch >= 0 && auto !== 'all' && auto?.includes(spec.batchDim ?? 0) !== true;
  if (count === 0 || (fixedBatch && count !== batch)) {
    throw new ServingError(
      StatusCode.INVALID_BATCH_SIZE,
      `Expected: ${batch}; Actual: ${count}; ${where(spec)}`,
    );
  }
  return count;
}

const clamp = (size: number, bounds: DimRange) => Math.min(bounds.max, Math.max(bounds.min, size));

/**
 * The size every image of the request takes: each image's own brought inside the input's H and
 * W bounds (a fixed size, a range's nearest bound, or any), which must come out the same for
 * all of them.
 */
function outputSize(spec: InputSpec, target: ImageTarget, sizes: readonly ImageSize[]): ImageSize {
  const first = sizes[0] ?? { width: 0, height: 0 };
  const sized = (image: ImageSize): ImageSize => ({
    height: clamp(image.height, target.height),
    width: clamp(image.width, target.width),
  });
  const size = sized(first);
  for (const image of sizes) {
    const own = sized(image);
    if (own.height !== size.height || own.width !== size.width) {
      throw new ServingError(
        StatusCode.BINARY_IMAGES_RESOLUTION_MISMATCH,
        `${first.width}x${first.height} vs ${image.width}x${image.height}; ${where(spec)}`,
      );
    }
  }
  return size;
}

async function decodeInput(
  spec: InputSpec & { readonly dtype: NumericDataType },
  target: ImageTarget,
  tensor: BytesTensor,
  maxPixels: number,
  pool: ConversionPool,
  signal: AbortSignal | undefined,
): Promise<Tensor> {
  const count = checkCount(spec, target, tensor);
  const sizes = await Promise.all(tensor.data.map((bytes) => probeImage(bytes, maxPixels)));
  const total = sizes.reduce((sum, size) => sum + size.width * size.height, 0);
  if (total > maxPixels) {
    throw new ServingError(
      StatusCode.IMAGE_PARSING_FAILED,
      `${count} images of ${total} pixels in all exceed ${maxPixels} pixels; ${where(spec)}`,
    );
  }
  const size = outputSize(spec, target, sizes);
  const perImage = size.height * size.width * target.channels;
  const shape =
    target.rank === 4
      ? [count, size.height, size.width, target.channels]
      : [count, 1, size.height, size.width, target.channels];
  const parts: Uint8Array[] = [];
  for (const [index, bytes] of tensor.data.entries()) {
    signal?.throwIfAborted();
    const info = sizes[index] ?? { ...size, plainRgb: false };
    const { channels } = target;
    parts.push(
      await imagePixels({ bytes, info, maxPixels, size, channels, dtype: spec.dtype }, pool),
    );
  }
  // One image is the tensor as libvips wrote it; a batch is copied together, image by image.
  const first = parts[0];
  if (parts.length === 1 && first !== undefined) {
    return createNumericTensor(spec.dtype, shape, first);
  }
  const bytes = new Uint8Array(perImage * count * DATA_TYPES[spec.dtype].byteSize);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return createNumericTensor(spec.dtype, shape, bytes);
}

/**
 * Decodes JPEG/PNG images sent as BYTES to numeric rank-4 inputs (rank 5 behind a
 * demultiplexer) as OVMS does (SPEC.md "Binary image inputs"): NHWC, BGR (or OpenCV gray for
 * one channel), 0–255 in the input's precision, resized to the input's fixed H and W. Other
 * inputs pass unchanged, and validation then judges them.
 */
export function createImageInputDecoder(options: ImageInputDecoderOptions = {}): ImageInputDecoder {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const pool = new ConversionPool(
    options.conversionThreads === undefined ? {} : { threads: options.conversionThreads },
  );
  const decode: BinaryInputDecoder = async (specs, inputs, signal) => {
    const decoded: TensorMap = new Map(inputs);
    for (const spec of specs) {
      const tensor = inputs.get(spec.name);
      if (tensor?.dtype !== 'BYTES' || spec.dtype === 'BYTES' || spec.dtype === 'BOOL') continue;
      const target = imageTargetOf(spec);
      if (target === undefined) continue;
      const numeric = spec as InputSpec & { readonly dtype: NumericDataType };
      decoded.set(spec.name, await decodeInput(numeric, target, tensor, maxPixels, pool, signal));
    }
    return decoded;
  };
  return Object.assign(decode, { close: () => pool.close() });
}
