import { describe, expect, it } from 'vitest';
import {
  addNode,
  custom,
  expectFailure,
  from,
  model,
  models,
  pipeline,
  validate,
} from '../../test/validation-support.js';
import { pipelineError } from '../pipeline-status.js';
import { validatePipeline } from './validate-pipeline.js';

describe('validatePipeline: structure', () => {
  it('refuses two nodes with one name, and nodes named like the request or response', () => {
    expectFailure(
      validate(pipeline([addNode(), addNode()])),
      'PIPELINE_NODE_NAME_DUPLICATE',
      'pipeline: p; node name: n1',
    );
    expectFailure(
      validate(pipeline([addNode('request')])),
      'PIPELINE_NODE_NAME_DUPLICATE',
      'pipeline: p; node name: request',
    );
  });

  it('refuses two outputs of a node, or two pipeline inputs, with one alias', () => {
    const node = model(
      'n1',
      'add',
      [from('a', 'request', 'x'), from('b', 'request', 'y')],
      [
        ['sum', 's'],
        ['sum', 's'],
      ],
    );
    expectFailure(
      validate(pipeline([node])),
      'PIPELINE_NODE_OUTPUT_ALIAS_DUPLICATE',
      'pipeline: p; node: n1; alias: s',
    );
    expectFailure(
      validate(pipeline([addNode()], undefined, { inputs: ['x', 'y', 'x'] })),
      'PIPELINE_NODE_OUTPUT_ALIAS_DUPLICATE',
      'pipeline: p; node: request; alias: x',
    );
  });

  it('refuses an input from a node that does not exist', () => {
    expectFailure(
      validate(pipeline([addNode('n1', from('a', 'ghost', 's'))])),
      'PIPELINE_NODE_REFERING_TO_MISSING_NODE',
      'pipeline: p; node: n1 is connected to missing dependency node: ghost',
    );
  });

  it('refuses a pipeline output from a node that does not exist', () => {
    expectFailure(
      validate(pipeline([addNode()], [{ name: 'out', nodeName: 'ghost', dataItem: 's' }])),
      'PIPELINE_NODE_REFERING_TO_MISSING_NODE',
      'pipeline: p; node: response is connected to missing dependency node: ghost',
    );
  });

  it('refuses the response as a node input', () => {
    expectFailure(
      validate(pipeline([addNode('n1', from('a', 'response', 'out'))])),
      'PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY',
      'pipeline: p; node: n1',
    );
  });

  it('refuses an unknown data item, from a node or from the request', () => {
    expectFailure(
      validate(pipeline([addNode()], [{ name: 'out', nodeName: 'n1', dataItem: 'nope' }])),
      'PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE',
      'pipeline: p; missing dependency node: n1 data item: nope for dependant node: response',
    );
    expectFailure(
      validate(pipeline([addNode('n1', from('a', 'request', 'z'))])),
      'PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE',
      'pipeline: p; missing dependency node: request data item: z for dependant node: n1',
    );
  });

  it('refuses one node input fed from two sources', () => {
    expectFailure(
      validate(pipeline([addNode('n1', from('a', 'request', 'x'), from('a', 'request', 'y'))])),
      'PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES',
      'pipeline: p; node: n1 input name: a is connected to more than one data source',
    );
  });

  it('refuses gathering from a node that does not exist or does not demultiply', () => {
    expectFailure(
      validate(pipeline([{ ...addNode(), gatherFromNode: 'ghost' }])),
      'PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE',
      'pipeline: p; node: n1 has gather_from: ghost which does not exist in pipeline',
    );
    expectFailure(
      validate(pipeline([addNode('n0'), { ...addNode(), gatherFromNode: 'n0' }])),
      'PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER',
      'pipeline: p; node: n1 has gather_from: n0 which is not demultiplexer node',
    );
  });

  it('refuses cycles, including a node fed by itself', () => {
    const n1 = addNode('n1', from('a', 'request', 'x'), from('b', 'n2', 's'));
    const n2 = addNode('n2', from('a', 'request', 'x'), from('b', 'n1', 's'));
    expectFailure(
      validate(pipeline([n1, n2])),
      'PIPELINE_CYCLE_FOUND',
      'in pipeline: p, following nodes creates cycle: n2, n1',
    );
    expectFailure(
      validate(pipeline([addNode('n1', from('a', 'request', 'x'), from('b', 'n1', 's'))])),
      'PIPELINE_CYCLE_FOUND',
      'node: n1 is connected to itself in pipeline: p',
    );
  });

  it('refuses nodes the response does not depend on', () => {
    expectFailure(
      validate(pipeline([addNode(), addNode('idle')])),
      'PIPELINE_CONTAINS_UNCONNECTED_NODES',
      'pipeline: p; nodes not connected to the response: idle',
    );
  });
});

describe('validatePipeline: models and libraries', () => {
  it('refuses a missing model and a missing version', () => {
    expectFailure(
      validate(pipeline([{ ...addNode(), modelName: 'ghost' }])),
      'PIPELINE_NODE_REFERING_TO_MISSING_MODEL',
      'pipeline: p; node: n1; missing model: ghost; version: 0',
    );
    expectFailure(
      validate(pipeline([{ ...addNode(), version: 2 }])),
      'PIPELINE_NODE_REFERING_TO_MISSING_MODEL',
      'pipeline: p; node: n1; missing model: add; version: 2',
    );
  });

  it('refuses a missing library and reports a library that failed to initialize', () => {
    const node = custom('n1', 'ghost', [from('in', 'request', 'x')]);
    const outputs = [{ name: 'out', nodeName: 'n1', dataItem: 'parts' }];
    expectFailure(
      validate(pipeline([node], outputs, { inputs: ['x'] })),
      'PIPELINE_DEFINITION_INVALID_NODE_LIBRARY',
      'pipeline: p; node: n1 refers to incorrect library: ghost',
    );
    const failed = pipelineError('NODE_LIBRARY_INITIALIZE_FAILED', 'node: n1; library: ghost: no');
    const result = validatePipeline(pipeline([node], outputs, { inputs: ['x'] }), {
      models,
      customNodes: () => failed,
    });
    expect(result.ok ? undefined : result.error).toBe(failed);
  });

  it('refuses an input the model does not have, and a model input left unfed', () => {
    const extra = model(
      'n1',
      'add',
      [from('a', 'request', 'x'), from('b', 'request', 'y'), from('c', 'request', 'y')],
      [['sum', 's']],
    );
    expectFailure(
      validate(pipeline([extra])),
      'PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT',
      'pipeline: p; node: n1 has no input with name: c',
    );
    const unfed = model('n1', 'add', [from('a', 'request', 'x')], [['sum', 's']]);
    expectFailure(
      validate(pipeline([unfed])),
      'PIPELINE_NOT_ALL_INPUTS_CONNECTED',
      'pipeline: p; node: n1 has inputs: b not connected to any source',
    );
  });

  it('refuses an output the model does not have', () => {
    const node = model('n1', 'add', addNode().inputs, [['total', 's']]);
    expectFailure(
      validate(pipeline([node])),
      'PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT',
      'pipeline: p; missing output: total of node: n1; alias: s',
    );
  });

  it('refuses connected tensors of different static shapes or dtypes; -1 fits anything', () => {
    const first = addNode();
    const toFixed = model('n2', 'fixed', [from('a', 'n1', 's')], [['sum', 's']]);
    expectFailure(
      validate(pipeline([first, toFixed], [{ name: 'out', nodeName: 'n2', dataItem: 's' }])),
      'INVALID_SHAPE',
      'pipeline: p; shape mismatch between: dependant node: n2; input: a; shape: (1,3) vs dependency node: n1; output: s; shape: (-1,4)',
    );
    const toInts = model('n2', 'ints', [from('a', 'n1', 's')], [['sum', 's']]);
    expectFailure(
      validate(pipeline([first, toInts], [{ name: 'out', nodeName: 'n2', dataItem: 's' }])),
      'INVALID_PRECISION',
      'pipeline: p; precision mismatch between: dependant node: n2; input: a; precision: INT32 vs dependency node: n1; output: s; precision: FP32',
    );
    const chained = addNode('n2', from('a', 'n1', 's'), from('b', 'request', 'y'));
    expect(
      validate(pipeline([first, chained], [{ name: 'out', nodeName: 'n2', dataItem: 's' }])).ok,
    ).toBe(true);
  });

  it('refuses pipeline inputs whose consumers need different metadata', () => {
    const toFixed = model('n2', 'fixed', [from('a', 'request', 'x')], [['sum', 's']]);
    expectFailure(
      validate(
        pipeline(
          [addNode(), toFixed],
          [
            { name: 'o1', nodeName: 'n1', dataItem: 's' },
            { name: 'o2', nodeName: 'n2', dataItem: 's' },
          ],
        ),
      ),
      'PIPELINE_INPUTS_AMBIGUOUS_METADATA',
      'pipeline: p; x FP32 (-1,4) vs x FP32 (1,3) (node: n2)',
    );
  });
});
