import { describe, expect, it } from 'vitest';
import {
  StatusCode,
  bytesOf,
  createNumericTensor,
  typedView,
  type NumericTensor,
  type TensorMap,
} from '@ovms/core';
import {
  expectServingError,
  expectTensorsEqual,
  plainSpecs,
  served,
  type ConformanceContext,
} from './conformance-support.js';
import { fixtureSpec } from './fixtures.js';

/** NHWC → NCHW for an FP32 tensor, to feed the reference what the model itself sees. */
function nhwcToNchw(tensor: NumericTensor): NumericTensor {
  const [n = 1, h = 1, w = 1, c = 1] = tensor.shape;
  const source = typedView('FP32', tensor.data);
  const out = new Float32Array(source.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          out[((b * c + ch) * h + y) * w + x] = source[((b * h + y) * w + x) * c + ch] ?? 0;
        }
  return createNumericTensor('FP32', [n, c, h, w], bytesOf(out));
}

/** OVMS model parameters (`shape`, `batch_size`, `layout`) applied through ModelLoadOptions. */
export function registerParameterTests(context: ConformanceContext): void {
  describe('load parameters', () => {
    it('shape fixes dynamic dims: metadata shows it and other shapes are refused', async () => {
      const spec = fixtureSpec('dynamic_dims');
      const model = await context.load('dynamic_dims', { shape: { x: [2, 5] } });
      expect(plainSpecs(model.inputs)).toEqual([{ name: 'x', dtype: 'FP32', shape: [2, 5] }]);
      const inputs = spec.sampleInputs({ shapes: { x: [2, 5] } });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
      await expectServingError(
        served(model).infer({ inputs: spec.sampleInputs({ shapes: { x: [2, 6] } }) }),
        StatusCode.INVALID_SHAPE,
        'Invalid input shape - Expected: (2,5); Actual: (2,6); input name: x',
      );
    });

    it(`shape that changes a fixed dim ${context.capabilities.reshape ? 'reshapes' : 'is refused'}`, async () => {
      const load = context.load('fixed_shape', { shape: { x: [4, 3] } });
      if (!context.capabilities.reshape) {
        await expectServingError(load, StatusCode.RESHAPE_ERROR, 'x', '(4,3)');
        return;
      }
      const model = await load;
      expect(model.inputs[0]?.shape).toEqual([4, 3]);
      const spec = fixtureSpec('fixed_shape');
      const inputs = spec.sampleInputs({ shapes: { x: [4, 3] } });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
    });

    it('batchSize N fixes the first dim and refuses other batches', async () => {
      const spec = fixtureSpec('add_f32');
      const model = await context.load('add_f32', { batchSize: 3 });
      expect(model.inputs.map((input) => input.shape)).toEqual([
        [3, 4],
        [3, 4],
      ]);
      const inputs = spec.sampleInputs({ dynamicSize: 3 });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
      await expectServingError(
        served(model).infer({ inputs: spec.sampleInputs({ dynamicSize: 2 }) }),
        StatusCode.INVALID_BATCH_SIZE,
        'Invalid input batch size - Expected: 3; Actual: 2; input name: a',
      );
    });

    it(`batchSize on a fixed batch dim ${context.capabilities.reshape ? 'reshapes' : 'is refused'}`, async () => {
      const load = context.load('fixed_shape', { batchSize: 2 });
      if (!context.capabilities.reshape) {
        await expectServingError(load, StatusCode.RESHAPE_ERROR, 'x', 'batch');
        return;
      }
      const model = await load;
      expect(model.inputs[0]?.shape).toEqual([2, 3]);
      const spec = fixtureSpec('fixed_shape');
      const inputs = spec.sampleInputs({ shapes: { x: [2, 3] } });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
    });

    it("batchSize 'auto' serves different batches", async () => {
      const spec = fixtureSpec('add_f32');
      const model = served(await context.load('add_f32', { batchSize: 'auto' }));
      for (const batch of [1, 5]) {
        const inputs = spec.sampleInputs({ dynamicSize: batch });
        expectTensorsEqual(await model.infer({ inputs }), spec.reference(inputs));
      }
    });

    it('a layout that names the model layout changes nothing', async () => {
      const spec = fixtureSpec('nchw');
      const model = await context.load('nchw', { layout: { x: 'NCHW' } });
      expect(plainSpecs(model.inputs)).toEqual(spec.inputs);
      const inputs = spec.sampleInputs();
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
    });

    it(`layout NHWC:NCHW ${context.capabilities.layout ? 'takes NHWC input' : 'is refused'}`, async () => {
      const load = context.load('nchw', { layout: { x: 'NHWC:NCHW' } });
      if (!context.capabilities.layout) {
        await expectServingError(load, StatusCode.NOT_IMPLEMENTED, 'layout', 'NHWC:NCHW');
        return;
      }
      const model = await load;
      expect(plainSpecs(model.inputs)).toEqual([{ name: 'x', dtype: 'FP32', shape: [1, 4, 4, 3] }]);
      const spec = fixtureSpec('nchw');
      const nhwc = spec.sampleInputs({ shapes: { x: [1, 4, 4, 3] } });
      const x = nhwc.get('x');
      if (x === undefined || x.dtype === 'BYTES') throw new Error('sample input x missing');
      const asModelSees: TensorMap = new Map([['x', nhwcToNchw(x)]]);
      expectTensorsEqual(await model.infer(nhwc), spec.reference(asModelSees));
    });
  });
}
