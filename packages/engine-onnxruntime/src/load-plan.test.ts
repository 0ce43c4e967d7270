import { describe, expect, it } from 'vitest';
import { ANONYMOUS_INPUT_NAME, StatusCode, type ModelLoadOptions } from '@ovms/core';
import { servingFailure } from '../test/serving-failure.js';
import { autoDimName, parseAutoDimName, planLoad } from './load-plan.js';
import type { GraphInput } from './onnx-graph.js';

const FIXED: GraphInput[] = [{ name: 'x', dims: [1, 1024] }];
const NCHW: GraphInput[] = [{ name: 'img', dims: ['n', 3, 224, 200] }];
const TWO: GraphInput[] = [
  { name: 'a', dims: ['batch', 4] },
  { name: 'b', dims: [2, 4] },
];

function plan(inputs: GraphInput[], options: ModelLoadOptions, outputs: string[] = ['y']) {
  return planLoad(inputs, outputs, options, new Set(inputs.map((input) => input.name)));
}

describe('planLoad', () => {
  it('without options serves the model as it is, batch on the first dim', () => {
    expect(plan(TWO, {})).toEqual({
      inputs: [
        { name: 'a', feedName: 'a', shape: [-1, 4], batchDim: 0, tracked: [] },
        { name: 'b', feedName: 'b', shape: [2, 4], batchDim: 0, tracked: [] },
      ],
      rewrites: [],
      reshaped: false,
      probe: false,
    });
    expect(plan([{ name: 's', dims: [] }], {}).inputs).toEqual([
      { name: 's', feedName: 's', shape: [], tracked: [] },
    ]);
  });

  it('a fixed shape is written into the graph and probed once every input is fixed', () => {
    expect(plan(FIXED, { shape: { x: [3, 1024] } })).toEqual({
      inputs: [{ name: 'x', feedName: 'x', shape: [3, 1024], batchDim: 0, tracked: [] }],
      rewrites: [{ name: 'x', dims: [3, 1024] }],
      reshaped: true,
      probe: true,
    });
    // b keeps its symbol, so there is nothing fixed to probe with.
    expect(plan(TWO, { shape: { b: [5, 4] } })).toMatchObject({
      rewrites: [{ name: 'b', dims: [5, 4] }],
      reshaped: true,
      probe: false,
    });
  });

  it('-1 in a fixed shape keeps a symbol or makes one', () => {
    expect(plan(NCHW, { shape: { img: [-1, 3, -1, 200] } }).rewrites).toEqual([
      { name: 'img', dims: ['n', 3, 'ovms_dynamic_0_2', 200] },
    ]);
  });

  it('a range dim is a symbol in the graph, -1 in the reported shape, its bounds beside it', () => {
    const ranged = plan(NCHW, { shape: { img: [1, 3, { min: 100, max: 200 }, 200] } });
    expect(ranged.rewrites).toEqual([{ name: 'img', dims: [1, 3, 'ovms_dynamic_0_2', 200] }]);
    expect(ranged.inputs).toEqual([
      {
        name: 'img',
        feedName: 'img',
        shape: [1, 3, -1, 200],
        dimRanges: [undefined, undefined, { min: 100, max: 200 }, undefined],
        batchDim: 0,
        tracked: [],
      },
    ]);
    expect(ranged.probe).toBe(false);
  });

  it('a shape that changes nothing rewrites nothing', () => {
    expect(plan(FIXED, { shape: { x: [1, 1024] } })).toMatchObject({
      rewrites: [],
      reshaped: false,
    });
  });

  it('batch_size N fixes the batch dim of every input, shape winning where given', () => {
    expect(plan(TWO, { batchSize: 6, shape: { b: [2, 4] } })).toMatchObject({
      inputs: [{ shape: [6, 4] }, { shape: [2, 4] }],
      rewrites: [{ name: 'a', dims: [6, 4] }],
      probe: true,
    });
  });

  it("batch_size 'auto' makes a fixed batch dim a symbol the reported shape follows", () => {
    expect(plan(FIXED, { batchSize: 'auto' })).toEqual({
      inputs: [
        { name: 'x', feedName: 'x', shape: [1, 1024], batchDim: 0, autoDims: [0], tracked: [0] },
      ],
      rewrites: [{ name: 'x', dims: [autoDimName(0, 0), 1024] }],
      reshaped: true,
      probe: false,
    });
    // Already dynamic: nothing to rewrite, nothing to follow.
    expect(plan(TWO, { batchSize: 'auto' })).toMatchObject({
      inputs: [
        { autoDims: [0], tracked: [] },
        { autoDims: [0], tracked: [0] },
      ],
      rewrites: [{ name: 'b', dims: [autoDimName(1, 0), 4] }],
    });
  });

  it("shape 'auto' makes every fixed dim a symbol; anonymous 'auto' applies to every input", () => {
    expect(plan(TWO, { shape: { [ANONYMOUS_INPUT_NAME]: 'auto' } })).toMatchObject({
      inputs: [
        { shape: [-1, 4], autoDims: 'all', tracked: [1] },
        { shape: [2, 4], autoDims: 'all', tracked: [0, 1] },
      ],
      rewrites: [
        { name: 'a', dims: ['batch', autoDimName(0, 1)] },
        { name: 'b', dims: [autoDimName(1, 0), autoDimName(1, 1)] },
      ],
      probe: false,
    });
    expect(parseAutoDimName(autoDimName(3, 2))).toEqual({ index: 3, axis: 2 });
    expect(parseAutoDimName('batch')).toBeUndefined();
  });

  it('an anonymous shape or layout goes to the only input', () => {
    expect(plan(FIXED, { shape: { [ANONYMOUS_INPUT_NAME]: [2, 1024] } }).inputs[0]?.shape).toEqual([
      2, 1024,
    ]);
    expect(
      plan(NCHW, { layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' } }).inputs[0]?.shape,
    ).toEqual([-1, 224, 200, 3]);
  });

  it('NHWC:NCHW: the input takes NHWC through a Transpose, shape and batch in NHWC', () => {
    expect(plan(NCHW, { layout: { img: 'NHWC:NCHW' }, shape: { img: [2, 100, 50, 3] } })).toEqual({
      inputs: [
        {
          name: 'img',
          feedName: 'img/NHWC',
          shape: [2, 100, 50, 3],
          batchDim: 0,
          layout: 'NHWC',
          tracked: [],
        },
      ],
      rewrites: [
        {
          name: 'img',
          dims: [2, 100, 50, 3],
          transpose: { perm: [0, 3, 1, 2], feedName: 'img/NHWC' },
        },
      ],
      reshaped: true,
      probe: true,
    });
    expect(plan(NCHW, { layout: { img: 'NHWC:NCHW' } })).toMatchObject({
      rewrites: [{ dims: ['n', 224, 200, 3], transpose: { perm: [0, 3, 1, 2] } }],
      reshaped: false,
    });
  });

  it('the batch dim is where the tensor layout puts N', () => {
    expect(plan(NCHW, { layout: { img: 'HWCN:NCHW' }, batchSize: 'auto' }).inputs[0]).toMatchObject(
      {
        shape: [224, 200, 3, -1],
        batchDim: 3,
        autoDims: [3],
      },
    );
  });

  it('the Transpose input gets a name the graph does not use yet', () => {
    const taken = new Set(['img', 'img/NHWC']);
    expect(planLoad(NCHW, [], { layout: { img: 'NHWC:NCHW' } }, taken).inputs[0]?.feedName).toBe(
      'img/NHWC_1',
    );
  });

  it('an output layout that names dims is accepted, one that converts is refused', () => {
    expect(plan(FIXED, { layout: { y: 'NC' } }).rewrites).toEqual([]);
    const error = servingFailure(() => plan(FIXED, { layout: { y: 'NC:CN' } }));
    expect(error.code).toBe(StatusCode.NOT_IMPLEMENTED);
    expect(error.message).toBe(
      'Not implemented - layout NC:CN for output y is not supported by onnxruntime engine: it converts input layouts only',
    );
  });

  it('refuses names the model does not have', () => {
    const shape = servingFailure(() => plan(TWO, { shape: { z: [1, 4] } }));
    expect(shape.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(shape.message).toBe(
      'Model could not be reshaped with requested shape - shape names input z, which the model does not have; inputs: a, b',
    );
    const layout = servingFailure(() => plan(TWO, { layout: { z: 'NC' } }));
    expect(layout.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(layout.message).toBe(
      'Invalid argument - layout is set for z, which the model does not have; inputs: a, b',
    );
  });

  it('refuses an anonymous shape or layout for a model with several inputs', () => {
    const shape = servingFailure(() => plan(TWO, { shape: { [ANONYMOUS_INPUT_NAME]: [1, 4] } }));
    expect(shape.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(shape.message).toContain(
      'a shape without an input name needs a model with one input; this one has 2: a, b',
    );
    const layout = servingFailure(() => plan(TWO, { layout: { [ANONYMOUS_INPUT_NAME]: 'NC' } }));
    expect(layout.code).toBe(StatusCode.INVALID_ARGUMENT);
  });

  it('refuses a layout of the wrong rank and a shape that does not fit the layout', () => {
    expect(servingFailure(() => plan(FIXED, { layout: { x: 'NHWC:NCHW' } })).message).toBe(
      'Invalid argument - layout NHWC:NCHW of x names 4 dims; the input has 2',
    );
    const error = servingFailure(() =>
      plan(NCHW, { layout: { img: 'NHWC:NCHW' }, shape: { img: [1, 3, 224] } }),
    );
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toContain(
      'shape (1,3,224) of input img has 3 dims; its layout NHWC has 4',
    );
  });

  it('refuses bad sizes, a bad batch_size and a batch for a scalar input', () => {
    expect(servingFailure(() => plan(FIXED, { shape: { x: [1, -2] } })).message).toContain(
      'shape (1,-2) of input x must hold sizes, -1 or ranges min:max',
    );
    const reversed = { shape: { x: [1, { min: 9, max: 2 }] } };
    expect(servingFailure(() => plan(FIXED, reversed)).message).toContain(
      'shape (1,9:2) of input x must hold sizes, -1 or ranges min:max',
    );
    expect(servingFailure(() => plan(FIXED, { batchSize: 0 })).message).toContain(
      'batch_size must be a positive integer or auto; actual: 0',
    );
    const scalar = servingFailure(() => plan([{ name: 's', dims: [] }], { batchSize: 2 }));
    expect(scalar.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(scalar.message).toContain('batch size 2 needs a batch dimension; input s has shape ()');
  });
});
