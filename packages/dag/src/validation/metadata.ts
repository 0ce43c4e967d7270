import { ServingError, StatusCode, formatShape } from '@ovms/core';
import type { InputSpec, TensorSpec } from '@ovms/core';
import { pipelineError } from '../pipeline-status.js';
import type { PlanConnection, PlanNode } from '../plan.js';
import type { CustomNodeCatalog, ModelCatalog, NodeSignature } from '../signature.js';
import { acceptedShape, shapesCompatible } from './shapes.js';

export interface MetadataContext {
  readonly pipeline: string;
  readonly nodes: ReadonlyMap<string, PlanNode>;
  readonly models: ModelCatalog;
  readonly customNodes: CustomNodeCatalog;
}

function signatureOf(context: MetadataContext, node: PlanNode): NodeSignature {
  const definition = node.definition;
  if (definition === undefined) return { inputs: [], outputs: [] };
  if (definition.kind === 'model') {
    const signature = context.models(definition.modelName, definition.version);
    if (signature === 'missing') {
      throw pipelineError(
        'PIPELINE_NODE_REFERING_TO_MISSING_MODEL',
        `pipeline: ${context.pipeline}; node: ${node.name}; missing model: ${definition.modelName}; version: ${definition.version ?? 0}`,
      );
    }
    return signature;
  }
  const signature = context.customNodes(definition);
  if (signature instanceof ServingError) throw signature;
  if (signature === 'missing') {
    throw pipelineError(
      'PIPELINE_DEFINITION_INVALID_NODE_LIBRARY',
      `pipeline: ${context.pipeline}; node: ${node.name} refers to incorrect library: ${definition.libraryName}`,
    );
  }
  return signature;
}

function checkInputsConnected(context: MetadataContext, node: PlanNode, signature: NodeSignature) {
  const declared = new Set(signature.inputs.map((spec) => spec.name));
  for (const { input } of node.connections) {
    if (!declared.has(input)) {
      throw pipelineError(
        'PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT',
        `pipeline: ${context.pipeline}; node: ${node.name} has no input with name: ${input}`,
      );
    }
  }
  const fed = new Set(node.connections.map(({ input }) => input));
  const unfed = [...declared].filter((name) => !fed.has(name));
  if (unfed.length > 0) {
    throw pipelineError(
      'PIPELINE_NOT_ALL_INPUTS_CONNECTED',
      `pipeline: ${context.pipeline}; node: ${node.name} has inputs: ${unfed.join(', ')} not connected to any source`,
    );
  }
}

/** Checks a tensor about to be split by `demultiplexer` and returns the shape of one shard. */
function shardShape(
  context: MetadataContext,
  demultiplexer: PlanNode,
  spec: TensorSpec,
  where: string,
): number[] {
  const count = demultiplexer.demultiplyCount ?? -1;
  if (spec.shape.length < 3) {
    throw pipelineError(
      'PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY',
      `pipeline: ${context.pipeline}; node: ${demultiplexer.name} demultiply cannot occur due to not enough shape dimensions: ${spec.shape.length}; ${where}`,
    );
  }
  const first = spec.shape[0] ?? -1;
  if (count > 0 && first >= 0 && first !== count) {
    throw pipelineError(
      'PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT',
      `pipeline: ${context.pipeline}; demultiply count: ${count} of node: ${demultiplexer.name} does not match tensor first dimension value: ${first}; ${where}`,
    );
  }
  return spec.shape.slice(1);
}

function recordOutputs(context: MetadataContext, node: PlanNode, signature: NodeSignature) {
  const specs = new Map(signature.outputs.map((spec) => [spec.name, spec]));
  for (const [alias, dataItem] of node.outputs) {
    const spec = specs.get(dataItem);
    if (spec === undefined) {
      throw pipelineError(
        'PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT',
        `pipeline: ${context.pipeline}; missing output: ${dataItem} of node: ${node.name}; alias: ${alias}`,
      );
    }
    const shape =
      node.demultiplyCount === undefined
        ? spec.shape
        : shardShape(context, node, spec, `output: ${dataItem}`);
    node.shardSpecs.set(alias, { name: alias, dtype: spec.dtype, shape });
  }
}

function checkConnection(
  context: MetadataContext,
  node: PlanNode,
  connection: PlanConnection,
  input: InputSpec,
): void {
  const source = context.nodes.get(connection.source);
  const output = source?.shardSpecs.get(connection.dataItem);
  // Pipeline inputs are typed by the nodes they feed, so edges from the request check nothing.
  if (source === undefined || output === undefined) return;
  let inputShape = acceptedShape(input);
  if (inputShape !== undefined && node.gatherFromNode !== undefined) {
    const demultiplexer = context.nodes.get(node.gatherFromNode);
    if (demultiplexer !== undefined) {
      const accepted = { ...input, shape: inputShape };
      inputShape = shardShape(context, demultiplexer, accepted, `gathering node: ${node.name}`);
    }
  }
  const between = `dependant node: ${node.name}; input: ${input.name}`;
  const and = `dependency node: ${source.name}; output: ${connection.dataItem}`;
  if (inputShape !== undefined && !shapesCompatible(inputShape, output.shape)) {
    throw new ServingError(
      StatusCode.INVALID_SHAPE,
      `pipeline: ${context.pipeline}; shape mismatch between: ${between}; shape: ${formatShape(inputShape)} vs ${and}; shape: ${formatShape(output.shape)}`,
    );
  }
  if (input.dtype !== output.dtype) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `pipeline: ${context.pipeline}; precision mismatch between: ${between}; precision: ${input.dtype} vs ${and}; precision: ${output.dtype}`,
    );
  }
}

/**
 * Checks every model and custom node against what its model or library declares, in
 * dependency order: it exists, each input is fed and each output exists, demultiplexed
 * tensors can split, and connected tensors agree on dtype and (static) shape. Returns each
 * node's signature for the pipeline's own metadata.
 */
export function checkMetadata(
  context: MetadataContext,
  order: readonly PlanNode[],
): Map<string, NodeSignature> {
  const signatures = new Map<string, NodeSignature>();
  for (const node of order) {
    if (node.kind !== 'model' && node.kind !== 'custom') continue;
    const signature = signatureOf(context, node);
    signatures.set(node.name, signature);
    checkInputsConnected(context, node, signature);
    recordOutputs(context, node, signature);
    for (const spec of signature.inputs) node.inputSpecs.set(spec.name, spec);
    for (const connection of node.connections) {
      const input = node.inputSpecs.get(connection.input);
      if (input !== undefined) checkConnection(context, node, connection, input);
    }
  }
  return signatures;
}
