import { ServingError, StatusCode, bytesOf, createNumericTensor } from '@ovms/core';
import type { Tensor, TensorMap, TensorSpec } from '@ovms/core';
import type { CustomNode, CustomNodeParams } from '@ovms/dag';
import sharp from 'sharp';
import type { RgbImage } from '../geometry/crop.js';
import { choiceParam, numberParam } from './params.js';

/**
 * Custom node `image-preprocess`: the request's image → the text detector's input.
 *
 * - input `image`: BYTES [1] holding a JPEG or PNG (param `image_format` = `encoded`, the
 *   default), or UINT8 [1,H,W,3] RGB (`image_format` = `raw`);
 * - output `det_input`: FP32 [1,3,H',W'], the image resized so its longer side is at most
 *   `limit_side_len` (960; `limit_type` = `min` makes the shorter side at least that), both
 *   sides rounded to multiples of 32, normalised with ImageNet mean/std in BGR order;
 * - output `image`: UINT8 [1,H,W,3], the decoded image (the raw input itself, uncopied), for
 *   cropping at full resolution. H'/H and W'/W are the scale db-postprocess needs.
 */
interface State {
  readonly format: 'encoded' | 'raw';
  readonly limitSideLen: number;
  readonly limitType: 'max' | 'min';
  /** Per-byte normalised values for the B, G and R planes: one lookup per channel. */
  readonly tables: readonly [Float32Array, Float32Array, Float32Array];
}

// PaddleOCR normalises OpenCV's BGR pixels with these per-position constants.
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

function table(plane: 0 | 1 | 2): Float32Array {
  const values = new Float32Array(256);
  for (let v = 0; v < 256; v++) values[v] = (v / 255 - MEAN[plane]) / STD[plane];
  return values;
}

const imageSpec = (state: State): TensorSpec =>
  state.format === 'raw'
    ? { name: 'image', dtype: 'UINT8', shape: [1, -1, -1, 3] }
    : { name: 'image', dtype: 'BYTES', shape: [1] };

const invalid = (detail: string): ServingError =>
  new ServingError(StatusCode.INVALID_ARGUMENT, detail);

function isJpegOrPng(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return png || jpeg;
}

async function decode(bytes: Uint8Array): Promise<RgbImage> {
  // Sniffed first: sharp also opens SVG, TIFF and more, which an OCR endpoint has no use for.
  if (!isJpegOrPng(bytes)) throw invalid('image is neither JPEG nor PNG');
  try {
    const { data, info } = await sharp(asBuffer(bytes), { failOn: 'error' })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: bytesOf(data) };
  } catch (error) {
    throw invalid(
      `image could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function rawImage(tensor: Tensor): RgbImage {
  const [, height = 0, width = 0] = tensor.shape;
  if (tensor.dtype !== 'UINT8') throw invalid(`expected UINT8 image; actual ${tensor.dtype}`);
  if (height === 0 || width === 0) throw invalid(`image has no pixels: ${height}x${width}`);
  return { width, height, data: tensor.data };
}

/** PaddleOCR's DetResizeForTest (type 0): scale by the side limit, round to multiples of 32. */
export function detectionSize(
  image: RgbImage,
  limit: number,
  type: 'max' | 'min',
): [number, number] {
  const { width, height } = image;
  const longer = Math.max(width, height);
  const shorter = Math.min(width, height);
  const ratio =
    type === 'max' ? (longer > limit ? limit / longer : 1) : shorter < limit ? limit / shorter : 1;
  const round32 = (side: number): number => Math.max(Math.round((side * ratio) / 32) * 32, 32);
  return [round32(width), round32(height)];
}

/** A Buffer over the same bytes (sharp reads raw pixels from Buffers; no copy). */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

async function detectionInput(image: RgbImage, state: State): Promise<Tensor> {
  const [width, height] = detectionSize(image, state.limitSideLen, state.limitType);
  const pixels =
    width === image.width && height === image.height
      ? image.data
      : await sharp(asBuffer(image.data), {
          raw: { width: image.width, height: image.height, channels: 3 },
        })
          .resize(width, height, { fit: 'fill', kernel: 'linear' })
          .raw()
          .toBuffer();
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const [blue, green, red] = state.tables;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = blue[pixels[p + 2] ?? 0] ?? 0;
    out[plane + i] = green[pixels[p + 1] ?? 0] ?? 0;
    out[2 * plane + i] = red[pixels[p] ?? 0] ?? 0;
  }
  return createNumericTensor('FP32', [1, 3, height, width], bytesOf(out));
}

const imagePreprocess = {
  initialize(params: CustomNodeParams): State {
    return {
      format: choiceParam(params, 'image_format', ['encoded', 'raw'], 'encoded'),
      limitSideLen: numberParam(params, 'limit_side_len', 960, {
        min: 32,
        max: 8192,
        integer: true,
      }),
      limitType: choiceParam(params, 'limit_type', ['max', 'min'], 'max'),
      tables: [table(0), table(1), table(2)],
    };
  },
  getInputsInfo: (_params: CustomNodeParams, state: State): TensorSpec[] => [imageSpec(state)],
  getOutputsInfo: (): TensorSpec[] => [
    { name: 'det_input', dtype: 'FP32', shape: [1, 3, -1, -1] },
    { name: 'image', dtype: 'UINT8', shape: [1, -1, -1, 3] },
  ],
  async execute(inputs: TensorMap, _params: CustomNodeParams, state: State): Promise<TensorMap> {
    const input = inputs.get('image');
    if (input === undefined) throw invalid('missing input image');
    let image: RgbImage;
    let original: Tensor;
    if (input.dtype === 'BYTES') {
      const bytes = input.data[0];
      if (bytes === undefined) throw invalid('empty image');
      image = await decode(bytes);
      original = createNumericTensor('UINT8', [1, image.height, image.width, 3], image.data);
    } else {
      image = rawImage(input);
      original = input;
    }
    return new Map<string, Tensor>([
      ['det_input', await detectionInput(image, state)],
      ['image', original],
    ]);
  },
} satisfies CustomNode<State>;

export default imagePreprocess;
