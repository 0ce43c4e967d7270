import { ServingError, StatusCode, bytesOf, createNumericTensor, typedView } from '@ovms/core';
import type { Tensor, TensorMap, TensorSpec } from '@ovms/core';
import type { CustomNode, CustomNodeParams } from '@ovms/dag';
import { aspectRatio, writeRecognitionCrop } from '../geometry/crop.js';
import type { RgbImage } from '../geometry/crop.js';
import { DEFAULT_DB_OPTIONS, detectTextBoxes } from '../geometry/text-boxes.js';
import type { DbOptions } from '../geometry/text-boxes.js';
import { numberParam } from './params.js';

/**
 * Custom node `db-postprocess`: the detector's probability map → one recognition input per
 * text line. Runs as a demultiplexer (`demultiply_count: -1`), so every output's first
 * dimension is the box count N (0 when the image has no text) and each box flows through
 * recognition on its own.
 *
 * - input `prob_map`: FP32 [1,1,H',W'] (PP-OCRv4 det output); input `image`: UINT8 [1,H,W,3];
 * - output `crops`: FP32 [N,1,3,48,W] — each line cut from the original image (not the
 *   resized one), resized to height 48 keeping its aspect, padded right; W is shared by the
 *   request's lines: 48 × the widest line's aspect, at least `rec_min_width` (320);
 * - output `boxes`: FP32 [N,4,2], corners in image pixels (top-left, top-right, bottom-right,
 *   bottom-left); output `scores`: FP32 [N,1,1], the mean text probability in the region
 *   (two trailing 1s because a demultiplexer's outputs need at least 3 dimensions);
 * - output `widths`: INT32 [N,1,1], each line's own width within W (for crop-trim).
 *
 * Boxes are minimum-area rotated rectangles of 8-connected regions (see geometry/); params
 * `thresh`, `box_thresh`, `unclip_ratio`, `min_size`, `max_candidates` are PaddleOCR's.
 */
interface State {
  readonly db: DbOptions;
  readonly recHeight: number;
  readonly recMinWidth: number;
  readonly recMaxWidth: number;
}

const invalid = (detail: string): ServingError =>
  new ServingError(StatusCode.INVALID_ARGUMENT, detail);

function numeric(inputs: TensorMap, name: string): Tensor & { data: Uint8Array } {
  const tensor = inputs.get(name);
  if (tensor === undefined || tensor.dtype === 'BYTES') throw invalid(`missing input ${name}`);
  return tensor;
}

const dbPostprocess = {
  initialize(params: CustomNodeParams): State {
    const d = DEFAULT_DB_OPTIONS;
    const recHeight = numberParam(params, 'rec_height', 48, { min: 1, max: 1024, integer: true });
    const recMinWidth = numberParam(params, 'rec_min_width', 320, { min: 1, integer: true });
    return {
      db: {
        threshold: numberParam(params, 'thresh', d.threshold, { min: 0, max: 1 }),
        boxThreshold: numberParam(params, 'box_thresh', d.boxThreshold, { min: 0, max: 1 }),
        unclipRatio: numberParam(params, 'unclip_ratio', d.unclipRatio, { min: 0, max: 10 }),
        minSize: numberParam(params, 'min_size', d.minSize, { min: 0 }),
        maxCandidates: numberParam(params, 'max_candidates', d.maxCandidates, {
          min: 1,
          max: 10_000,
          integer: true,
        }),
      },
      recHeight,
      recMinWidth,
      recMaxWidth: numberParam(params, 'rec_max_width', 3200, { min: recMinWidth, integer: true }),
    };
  },
  getInputsInfo: (): TensorSpec[] => [
    { name: 'prob_map', dtype: 'FP32', shape: [1, 1, -1, -1] },
    { name: 'image', dtype: 'UINT8', shape: [1, -1, -1, 3] },
  ],
  getOutputsInfo: (_params: CustomNodeParams, state: State): TensorSpec[] => [
    { name: 'crops', dtype: 'FP32', shape: [-1, 1, 3, state.recHeight, -1] },
    { name: 'boxes', dtype: 'FP32', shape: [-1, 4, 2] },
    { name: 'scores', dtype: 'FP32', shape: [-1, 1, 1] },
    { name: 'widths', dtype: 'INT32', shape: [-1, 1, 1] },
  ],
  execute(inputs: TensorMap, _params: CustomNodeParams, state: State): TensorMap {
    const map = numeric(inputs, 'prob_map');
    const pixels = numeric(inputs, 'image');
    const [, , mapHeight = 0, mapWidth = 0] = map.shape;
    const [, height = 0, width = 0] = pixels.shape;
    const image: RgbImage = { width, height, data: pixels.data };
    const boxes = detectTextBoxes(
      { width: mapWidth, height: mapHeight, values: typedView('FP32', map.data) },
      width,
      height,
      state.db,
    );
    const { recHeight: lineHeight } = state;
    // PaddleOCR batches lines at the widest line's aspect; here that batch is one request.
    const ratios = boxes.map((box) => aspectRatio(box.quad));
    const widest = Math.max(state.recMinWidth / lineHeight, ...ratios);
    const lineWidth = Math.min(Math.floor(lineHeight * widest), state.recMaxWidth);
    const block = 3 * lineHeight * lineWidth;
    const crops = new Float32Array(boxes.length * block);
    const corners = new Float32Array(boxes.length * 8);
    const scores = new Float32Array(boxes.length);
    const widths = new Int32Array(boxes.length);
    boxes.forEach((box, i) => {
      const usedWidth = Math.max(1, Math.min(lineWidth, Math.ceil(lineHeight * (ratios[i] ?? 1))));
      writeRecognitionCrop(image, box.quad, crops, i * block, {
        height: lineHeight,
        width: lineWidth,
        usedWidth,
      });
      corners.set(box.quad, i * 8);
      scores[i] = box.score;
      widths[i] = usedWidth;
    });
    const n = boxes.length;
    return new Map<string, Tensor>([
      ['crops', createNumericTensor('FP32', [n, 1, 3, lineHeight, lineWidth], bytesOf(crops))],
      ['boxes', createNumericTensor('FP32', [n, 4, 2], bytesOf(corners))],
      ['scores', createNumericTensor('FP32', [n, 1, 1], bytesOf(scores))],
      ['widths', createNumericTensor('INT32', [n, 1, 1], bytesOf(widths))],
    ]);
  },
} satisfies CustomNode<State>;

export default dbPostprocess;
