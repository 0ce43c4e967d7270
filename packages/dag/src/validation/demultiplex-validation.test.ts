import { describe, expect, it } from 'vitest';
import {
  LIBRARIES,
  addNode,
  MODELS,
  custom,
  customNodes,
  expectFailure,
  f32,
  from,
  model,
  models,
  pipeline,
  validate,
} from '../../test/validation-support.js';
import type { CustomNodeCatalog, NodeSignature } from '../signature.js';
import { validatePipeline } from './validate-pipeline.js';

describe('validatePipeline: demultiplexing', () => {
  const split = (count: number, library = 'splitter') =>
    custom('split', library, [from('in', 'request', 'x')], { demultiplyCount: count });
  const perShard = (gather?: string) =>
    model('n1', 'add', [from('a', 'split', 'parts'), from('b', 'split', 'parts')], [['sum', 's']], {
      ...(gather === undefined ? {} : { gatherFromNode: gather }),
    });
  const out = (node = 'n1', item = 's') => [{ name: 'out', nodeName: node, dataItem: item }];

  it('refuses demultiplying tensors of fewer than 3 dimensions', () => {
    expectFailure(
      validate(pipeline([split(-1, 'flat')], out('split', 'parts'), { inputs: ['x'] })),
      'PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY',
      'pipeline: p; node: split demultiply cannot occur due to not enough shape dimensions: 2; output: parts',
    );
  });

  it('refuses a demultiply count other than the static first dimension', () => {
    const node = model('split', 'split3', [from('a', 'request', 'x')], [['parts', 'parts']], {
      demultiplyCount: 4,
    });
    expectFailure(
      validate(pipeline([node], out('split', 'parts'), { inputs: ['x'] })),
      'PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT',
      'pipeline: p; demultiply count: 4 of node: split does not match tensor first dimension value: 3; output: parts',
    );
  });

  it('refuses a gathering input whose first dimension differs from the demultiply count', () => {
    const node = model('split', 'split3', [from('a', 'request', 'x')], [['parts', 'parts']], {
      demultiplyCount: 3,
    });
    const toFixed = model('n1', 'fixed', [from('a', 'split', 'parts')], [['sum', 's']], {
      gatherFromNode: 'split',
    });
    expectFailure(
      validate(pipeline([node, toFixed], out(), { inputs: ['x'] })),
      'PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY',
      'pipeline: p; node: split demultiply cannot occur due to not enough shape dimensions: 2; gathering node: n1',
    );
    const gather = model('n1', 'gather', [from('a', 'split', 'parts')], [['total', 's']], {
      gatherFromNode: 'split',
    });
    const wide: Record<string, NodeSignature> = {
      ...MODELS,
      gather: { outputs: [f32('total', [1, 4])], inputs: [f32('a', [5, 1, 4])] },
    };
    expectFailure(
      validatePipeline(pipeline([node, gather], out(), { inputs: ['x'] }), {
        models: (name) => wide[name] ?? 'missing',
      }),
      'PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT',
      'pipeline: p; demultiply count: 3 of node: split does not match tensor first dimension value: 5; gathering node: n1',
    );
  });

  it('refuses a node fed from different demultiply levels', () => {
    const mixed = model(
      'n1',
      'add',
      [from('a', 'split', 'parts'), from('b', 'request', 'y')],
      [['sum', 's']],
    );
    expectFailure(
      validate(pipeline([split(-1), mixed], out())),
      'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
      'pipeline: p; node: n1 has inputs from paths with different demultiply levels: split (split), request (none)',
    );
  });

  it('refuses gathering out of LIFO order or from a demultiplexer not on the path', () => {
    const outer = split(-1);
    const inner = custom('inner', 'splitter', [from('in', 'split', 'parts')], {
      demultiplyCount: -1,
    });
    const gatherOuter = custom('n1', 'splitter', [from('in', 'inner', 'parts')], {
      gatherFromNode: 'split',
    });
    const lib: Record<string, NodeSignature> = {
      ...LIBRARIES,
      splitter: { inputs: [f32('in', [-1, -1, -1])], outputs: [f32('parts', [-1, -1, -1])] },
    };
    const options = {
      models,
      customNodes: ((node) => lib[node.libraryName] ?? 'missing') as CustomNodeCatalog,
    };
    expectFailure(
      validatePipeline(
        pipeline([outer, inner, gatherOuter], out('n1', 'parts'), { inputs: ['x'] }),
        options,
      ),
      'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
      'pipeline: p; after demultiplexer node: inner there is gathering from different node: split (node: n1)',
    );
    const side = custom('side', 'splitter', [from('in', 'request', 'y')], { demultiplyCount: -1 });
    const gatherSide = custom('n1', 'splitter', [from('in', 'split', 'parts')], {
      gatherFromNode: 'side',
    });
    const sideOut = [...out('n1', 'parts'), { name: 'o2', nodeName: 'side', dataItem: 'parts' }];
    expectFailure(
      validatePipeline(pipeline([outer, side, gatherSide], sideOut), options),
      'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
      'pipeline: p; node: n1 gathers from node that is not in its path: side',
    );
  });

  it('refuses a path to the response that skips the gather of its demultiplexer', () => {
    const outputs = [
      { name: 'o1', nodeName: 'g', dataItem: 's' },
      { name: 'o2', nodeName: 'n1', dataItem: 's' },
    ];
    const g = model('g', 'gather', [from('a', 'split', 'parts')], [['total', 's']], {
      gatherFromNode: 'split',
    });
    expectFailure(
      validate(pipeline([split(-1), perShard(), g], outputs.slice(1), { inputs: ['x'] })),
      'PIPELINE_CONTAINS_UNCONNECTED_NODES',
      'pipeline: p; nodes not connected to the response: g',
    );
    expectFailure(
      validate(pipeline([split(-1), perShard(), g], outputs, { inputs: ['x'] })),
      'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
      'pipeline: p; node: response has inputs from paths with different demultiply levels: g (none), n1 (split)',
    );
  });
});

describe('validatePipeline: metadata', () => {
  it('types pipeline inputs from the nodes they feed and outputs from their sources', () => {
    const result = validate(pipeline([addNode()]));
    expect(
      result.ok && { inputs: result.pipeline.inputs, outputs: result.pipeline.outputs },
    ).toEqual({
      inputs: [f32('x', [-1, 4]), f32('y', [-1, 4])],
      outputs: [f32('out', [-1, 4])],
    });
  });

  it('gives gathered outputs a leading dimension per demultiplexer: N, or -1 when dynamic', () => {
    const dynamic = custom('split', 'splitter', [from('in', 'request', 'x')], {
      demultiplyCount: -1,
    });
    const perShard = model(
      'n1',
      'add',
      [from('a', 'split', 'parts'), from('b', 'split', 'parts')],
      [['sum', 's']],
    );
    const shards: Record<string, NodeSignature> = {
      ...MODELS,
      add: { inputs: [f32('a', [1, 4]), f32('b', [1, 4])], outputs: [f32('sum', [1, 4])] },
    };
    const result = validatePipeline(pipeline([dynamic, perShard], undefined, { inputs: ['x'] }), {
      models: (name) => shards[name] ?? 'missing',
      customNodes,
    });
    expect(result.ok && result.pipeline.outputs).toEqual([f32('out', [-1, 1, 4])]);
    const fixed = model('split', 'split3', [from('a', 'request', 'x')], [['parts', 'parts']], {
      demultiplyCount: 3,
    });
    const counted = validatePipeline(pipeline([fixed, perShard], undefined, { inputs: ['x'] }), {
      models: (name) => shards[name] ?? 'missing',
    });
    expect(counted.ok && counted.pipeline.outputs).toEqual([f32('out', [3, 1, 4])]);
  });

  it('prefixes request-level demultiplexing to the inputs and marks pass-through tensors untyped', () => {
    const result = validate(
      pipeline(
        [addNode()],
        [
          { name: 'out', nodeName: 'n1', dataItem: 's' },
          { name: 'echo', nodeName: 'request', dataItem: 'z' },
        ],
        { inputs: ['x', 'y', 'z'], demultiplyCount: 0 },
      ),
    );
    expect(result.ok && result.pipeline.inputs).toEqual([
      f32('x', [-1, -1, 4]),
      f32('y', [-1, -1, 4]),
      f32('z', [-1]),
    ]);
    expect(result.ok && [...result.pipeline.untyped]).toEqual(['z', 'echo']);
    expect(result.ok && result.pipeline.outputs[0]).toEqual(f32('out', [-1, -1, 4]));
  });
});
