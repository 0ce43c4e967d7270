import { ServingError, StatusCode } from '@ovms/core';
import type { ServableProvider, TensorMap } from '@ovms/core';
import type { ModelNodeDefinition } from '../definition.js';
import { pipelineError } from '../pipeline-status.js';
import type { PlanNode } from '../plan.js';

/** Runs custom nodes of one pipeline by node name (see CustomNodeRegistry.instantiate). */
export interface CustomNodeExecutor {
  /** Returns the library's outputs by the library's own output names. */
  execute(nodeName: string, inputs: TensorMap, signal: AbortSignal): Promise<TensorMap>;
}

/** Runs one node on its inputs; the executor owns ordering, splitting and gathering. */
export type NodeInvoker = (
  node: PlanNode,
  inputs: TensorMap,
  signal: AbortSignal,
) => Promise<TensorMap>;

/** Publishes the outputs a node declares under their aliases; the rest are dropped. */
function aliased(node: PlanNode, produced: TensorMap): TensorMap {
  const outputs: TensorMap = new Map();
  for (const [alias, dataItem] of node.outputs) {
    const tensor = produced.get(dataItem);
    if (tensor === undefined) {
      throw node.kind === 'custom'
        ? pipelineError('NODE_LIBRARY_MISSING_OUTPUT', `output name: ${dataItem}`)
        : new ServingError(StatusCode.INVALID_MISSING_OUTPUT, `output name: ${dataItem}`);
    }
    outputs.set(alias, tensor);
  }
  return outputs;
}

/**
 * A model node holds a lease on its model only for the length of its own call, so a pipeline
 * never pins a version between nodes; the model servable checks the node's inputs as it checks
 * a direct request (`auto` reshapes included).
 */
async function callModel(
  provider: ServableProvider,
  definition: ModelNodeDefinition,
  node: PlanNode,
  inputs: TensorMap,
  signal: AbortSignal,
): Promise<TensorMap> {
  await using lease = await provider.acquire(definition.modelName, definition.version);
  const outputs = await lease.servable.infer({
    inputs,
    outputs: [...new Set(node.outputs.values())],
    signal,
  });
  return aliased(node, outputs);
}

export function createNodeInvoker(
  provider: ServableProvider,
  customNodes: CustomNodeExecutor | undefined,
): NodeInvoker {
  return async (node, inputs, signal) => {
    const definition = node.definition;
    if (definition === undefined) throw new ServingError(StatusCode.INTERNAL_ERROR);
    if (definition.kind === 'model') {
      return callModel(provider, definition, node, inputs, signal);
    }
    if (customNodes === undefined) {
      throw pipelineError('PIPELINE_DEFINITION_INVALID_NODE_LIBRARY', `node: ${node.name}`);
    }
    return aliased(node, await customNodes.execute(node.name, inputs, signal));
  };
}
