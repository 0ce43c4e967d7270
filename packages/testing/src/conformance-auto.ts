import { describe, expect, it } from 'vitest';
import { expectTensorsEqual, served, type ConformanceContext } from './conformance-support.js';
import { fixtureSpec } from './fixtures.js';

/**
 * OVMS `auto` on a model exported for one shape: each request may bring another size, and
 * the model then reports the shape of the request that ran last (inputs and the outputs that
 * follow them), as OVMS does after its reshape. Requests go through core's model servable,
 * which checks them against those inputs; how an engine adapts is its own affair.
 */
export function registerAutoTests(context: ConformanceContext): void {
  describe('auto shapes on a fixed-shape model', () => {
    const spec = fixtureSpec('fixed_shape');

    it("batchSize 'auto' answers batches 2, 5 and 1 and reports the last one", async () => {
      const model = await context.load('fixed_shape', { batchSize: 'auto' });
      expect(model.inputs).toMatchObject([{ name: 'x', shape: [1, 3] }]);
      for (const batch of [2, 5, 1]) {
        const inputs = spec.sampleInputs({ seed: batch, shapes: { x: [batch, 3] } });
        expectTensorsEqual(await served(model).infer({ inputs }), spec.reference(inputs));
        expect(model.inputs).toMatchObject([{ name: 'x', shape: [batch, 3] }]);
        expect(model.outputs).toMatchObject([{ name: 'y', shape: [batch, 3] }]);
      }
    });

    it("shape 'auto' answers each request's shape and reports the last one", async () => {
      const model = await context.load('fixed_shape', { shape: { x: 'auto' } });
      for (const shape of [
        [4, 3],
        [2, 3],
      ]) {
        const inputs = spec.sampleInputs({ seed: 7, shapes: { x: shape } });
        expectTensorsEqual(await served(model).infer({ inputs }), spec.reference(inputs));
        expect(model.inputs).toMatchObject([{ name: 'x', shape }]);
        expect(model.outputs).toMatchObject([{ name: 'y', shape }]);
      }
    });

    it('shape (3,3) then answers 3 rows', async () => {
      const model = await context.load('fixed_shape', { shape: { x: [3, 3] } });
      expect(model.inputs).toMatchObject([{ name: 'x', shape: [3, 3] }]);
      expect(model.outputs).toMatchObject([{ name: 'y', shape: [3, 3] }]);
      const inputs = spec.sampleInputs({ shapes: { x: [3, 3] } });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
    });
  });
}
