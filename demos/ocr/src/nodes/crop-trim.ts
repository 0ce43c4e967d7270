import { ServingError, StatusCode, bytesOf, createNumericTensor, typedView } from '@ovms/core';
import type { Tensor, TensorMap, TensorSpec } from '@ovms/core';
import type { CustomNode } from '@ovms/dag';

/**
 * Custom node `crop-trim`: cuts one demultiplexed recognition input down to its line's own
 * width. A demultiplexer's crops share one width (one tensor [N,1,3,48,W]), but the
 * recognition model reads a line better without a wide padding on its right (PP-OCRv4
 * dropped spaces of a short line padded to a long line's width in our tests), and each
 * line runs through the model on its own anyway.
 *
 * - inputs `crop`: FP32 [1,3,H,W]; `width`: INT32 [1,1], the line's width in `crop`;
 * - output `crop`: FP32 [1,3,H,width].
 */
const invalid = (detail: string): ServingError =>
  new ServingError(StatusCode.INVALID_ARGUMENT, detail);

const cropTrim = {
  getInputsInfo: (): TensorSpec[] => [
    { name: 'crop', dtype: 'FP32', shape: [1, 3, -1, -1] },
    { name: 'width', dtype: 'INT32', shape: [1, 1] },
  ],
  getOutputsInfo: (): TensorSpec[] => [{ name: 'crop', dtype: 'FP32', shape: [1, 3, -1, -1] }],
  execute(inputs: TensorMap): TensorMap {
    const crop = inputs.get('crop');
    const width = inputs.get('width');
    if (crop?.dtype !== 'FP32' || width?.dtype !== 'INT32')
      throw invalid('expected crop and width');
    const [, channels = 3, height = 0, full = 0] = crop.shape;
    const used = typedView('INT32', width.data)[0] ?? full;
    if (used < 1 || used > full) throw invalid(`width ${used} outside [1, ${full}]`);
    if (used === full) return new Map([['crop', crop]]);
    const source = typedView('FP32', crop.data);
    const out = new Float32Array(channels * height * used);
    for (let row = 0; row < channels * height; row++) {
      out.set(source.subarray(row * full, row * full + used), row * used);
    }
    return new Map<string, Tensor>([
      ['crop', createNumericTensor('FP32', [1, channels, height, used], bytesOf(out))],
    ]);
  },
} satisfies CustomNode<undefined>;

export default cropTrim;
