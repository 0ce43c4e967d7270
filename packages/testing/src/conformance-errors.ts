import { describe, expect, it } from 'vitest';
import { StatusCode, createNumericTensor, type Tensor, type TensorMap } from '@ovms/core';
import {
  expectServingError,
  expectTensorsEqual,
  served,
  type ConformanceContext,
} from './conformance-support.js';
import { fixtureSpec } from './fixtures.js';
import { sampleTensor } from './reference.js';

function withInput(base: TensorMap, name: string, tensor: Tensor): TensorMap {
  return new Map([...base, [name, tensor]]);
}

/** Load errors, request validation through the model servable, and close. */
export function registerErrorTests(context: ConformanceContext): void {
  const modelFile = context.format === 'onnx' ? 'model.onnx' : 'model.xml';

  describe('load errors', () => {
    it('a corrupt model file is a load error naming the file', async () => {
      await expectServingError(context.load('corrupt'), StatusCode.MODEL_FILE_INVALID, modelFile);
    });

    it('a target device that is not present is a load error naming it', async () => {
      await expectServingError(
        context.load('add_f32', { targetDevice: 'NOPE' }),
        StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE,
        'NOPE',
      );
    });
  });

  describe('input validation (by the model servable, before the engine runs)', () => {
    it('too few inputs → INVALID_NO_OF_INPUTS', async () => {
      const model = await context.load('add_f32');
      const inputs = good();
      inputs.delete('b');
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_NO_OF_INPUTS,
        'Invalid number of inputs - Expected: 2; Actual: 1',
      );
    });

    it('a wrong input name → INVALID_MISSING_INPUT naming the required one', async () => {
      const model = await context.load('add_f32');
      const inputs = good();
      const b = inputs.get('b');
      if (b === undefined) throw new Error('sample input b missing');
      inputs.delete('b');
      inputs.set('c', b);
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_MISSING_INPUT,
        'Missing input with specific name - Required input: b',
      );
    });

    it('a wrong dtype → INVALID_PRECISION', async () => {
      const model = await context.load('add_f32');
      const inputs = withInput(good(), 'a', sampleTensor('INT32', [2, 4], 0));
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_PRECISION,
        'Invalid input precision - Expected: FP32; Actual: INT32; input name: a',
      );
    });

    it('a wrong rank → INVALID_NO_OF_SHAPE_DIMENSIONS', async () => {
      const model = await context.load('add_f32');
      const inputs = withInput(good(), 'a', sampleTensor('FP32', [8], 0));
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
        'Expected: (-1,4); Actual: (8); input name: a',
      );
    });

    it('a wrong dim → INVALID_SHAPE', async () => {
      const model = await context.load('add_f32');
      const inputs = withInput(good(), 'a', sampleTensor('FP32', [1, 5], 0));
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_SHAPE,
        'Invalid input shape - Expected: (-1,4); Actual: (1,5); input name: a',
      );
    });

    it('data shorter than the shape → INVALID_CONTENT_SIZE', async () => {
      const model = await context.load('add_f32');
      const short = createNumericTensor('FP32', [2, 3], new Uint8Array(24));
      const inputs = withInput(good(), 'a', { ...short, shape: [2, 4] });
      await expectServingError(
        served(model).infer({ inputs }),
        StatusCode.INVALID_CONTENT_SIZE,
        'Expected: 32 bytes; Actual: 24 bytes; input name: a',
      );
    });
  });

  describe('close', () => {
    it('waits for an infer in flight, then later infers fail clearly', async () => {
      const model = await context.load('add_f32');
      const inputs = good();
      const inFlight = model.infer(inputs);
      await model.close();
      expectTensorsEqual(await inFlight, fixtureSpec('add_f32').reference(inputs));
      await expectServingError(
        model.infer(inputs),
        StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE,
        'Model with requested version is retired',
      );
      await expect(model.close()).resolves.toBeUndefined();
    });
  });

  function good(): TensorMap {
    return fixtureSpec('add_f32').sampleInputs({ dynamicSize: 2 });
  }
}
