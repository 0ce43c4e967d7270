import { ServingError } from '@ovms/core';
import type { TensorSpec } from '@ovms/core';
import { expect } from 'vitest';
import type {
  CustomNodeDefinition,
  ModelNodeDefinition,
  PipelineDefinition,
  PipelineNodeDefinition,
} from '../src/definition.js';
import type { PipelineStatusCode } from '../src/pipeline-status.js';
import type { CustomNodeCatalog, ModelCatalog, NodeSignature } from '../src/signature.js';
import { validatePipeline } from '../src/validation/validate-pipeline.js';
import type { PipelineValidation } from '../src/validation/validate-pipeline.js';

// Catalogs and builders shared by the validation tests: small fake models and libraries.

export const f32 = (name: string, shape: number[]): TensorSpec => ({ name, dtype: 'FP32', shape });
export const add: NodeSignature = {
  inputs: [f32('a', [-1, 4]), f32('b', [-1, 4])],
  outputs: [f32('sum', [-1, 4])],
};
export const MODELS: Record<string, NodeSignature> = {
  add,
  fixed: { inputs: [f32('a', [1, 3])], outputs: [f32('sum', [1, 3])] },
  ints: {
    inputs: [{ name: 'a', dtype: 'INT32', shape: [-1, 4] }],
    outputs: [{ name: 'sum', dtype: 'INT32', shape: [-1, 4] }],
  },
  /** Demultiplexable: three dims, the first one the count. */
  split3: { inputs: [f32('a', [-1, 4])], outputs: [f32('parts', [3, 1, 4])] },
  gather: { inputs: [f32('a', [-1, 1, 4])], outputs: [f32('total', [1, 4])] },
};
export const models: ModelCatalog = (name, version) =>
  version === undefined || version === 1 ? (MODELS[name] ?? 'missing') : 'missing';
export const LIBRARIES: Record<string, NodeSignature> = {
  splitter: { inputs: [f32('in', [-1, 4])], outputs: [f32('parts', [-1, 1, 4])] },
  flat: { inputs: [f32('in', [-1, 4])], outputs: [f32('parts', [-1, 4])] },
};
export const customNodes: CustomNodeCatalog = (node) => LIBRARIES[node.libraryName] ?? 'missing';

export const from = (alias: string, nodeName: string, dataItem: string) => ({
  alias,
  nodeName,
  dataItem,
});
export function model(
  name: string,
  modelName: string,
  inputs: ModelNodeDefinition['inputs'],
  outputs: [string, string][],
  extra: Partial<ModelNodeDefinition> = {},
): ModelNodeDefinition {
  const mapped = outputs.map(([dataItem, alias]) => ({ dataItem, alias }));
  return { kind: 'model', name, modelName, inputs, outputs: mapped, ...extra };
}
export function custom(
  name: string,
  libraryName: string,
  inputs: CustomNodeDefinition['inputs'],
  extra: Partial<CustomNodeDefinition> = {},
): CustomNodeDefinition {
  const outputs = [{ dataItem: 'parts', alias: 'parts' }];
  return { kind: 'custom', name, libraryName, params: {}, inputs, outputs, ...extra };
}
export const addNode = (
  name = 'n1',
  a = from('a', 'request', 'x'),
  b = from('b', 'request', 'y'),
) => model(name, 'add', [a, b], [['sum', 's']]);
export function pipeline(
  nodes: PipelineNodeDefinition[],
  outputs: PipelineDefinition['outputs'] = [{ name: 'out', nodeName: 'n1', dataItem: 's' }],
  extra: Partial<PipelineDefinition> = {},
): PipelineDefinition {
  return { name: 'p', inputs: ['x', 'y'], nodes, outputs, ...extra };
}
export const validate = (definition: PipelineDefinition) =>
  validatePipeline(definition, { models, customNodes });

export function expectFailure(
  result: PipelineValidation,
  code: PipelineStatusCode | 'INVALID_SHAPE' | 'INVALID_PRECISION',
  detail: string,
): void {
  const expected = new ServingError(code, detail);
  expect(result.ok ? 'valid' : { code: result.error.code, message: result.error.message }).toEqual({
    code: expected.code,
    message: expected.message,
  });
}
