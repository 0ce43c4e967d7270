import { ServingError } from '@ovms/core';
import type { PipelineDefinition } from '../definition.js';
import { ENTRY_NODE_NAME, EXIT_NODE_NAME } from '../definition.js';
import type { PlanNode, ValidatedPipeline } from '../plan.js';
import type { CustomNodeCatalog, ModelCatalog } from '../signature.js';
import { buildGraph } from './graph.js';
import { checkMetadata } from './metadata.js';
import { pipelineSpecs } from './pipeline-specs.js';
import { assignLevels, orderNodes } from './topology.js';

export interface PipelineValidationOptions {
  readonly models: ModelCatalog;
  /** Needed when the pipeline has custom nodes; without it they count as missing libraries. */
  readonly customNodes?: CustomNodeCatalog;
}

export type PipelineValidation =
  | { readonly ok: true; readonly pipeline: ValidatedPipeline }
  | { readonly ok: false; readonly error: ServingError };

const noLibraries: CustomNodeCatalog = () => 'missing';

/**
 * Checks a pipeline definition against the models and custom nodes available now, the way
 * OVMS's PipelineDefinition::validate does, and stops at the first failure with its code and
 * OVMS-worded message. Pure: reads the catalogs, changes nothing. Run it again whenever a
 * model the pipeline uses loads, unloads or changes its metadata.
 */
export function validatePipeline(
  definition: PipelineDefinition,
  options: PipelineValidationOptions,
): PipelineValidation {
  try {
    const nodes = buildGraph(definition);
    const order = orderNodes(definition.name, nodes);
    assignLevels(definition.name, order);
    const signatures = checkMetadata(
      {
        pipeline: definition.name,
        nodes,
        models: options.models,
        customNodes: options.customNodes ?? noLibraries,
      },
      order,
    );
    const entry = nodes.get(ENTRY_NODE_NAME) as PlanNode;
    const exit = nodes.get(EXIT_NODE_NAME) as PlanNode;
    const specs = pipelineSpecs(definition.name, nodes, signatures, entry, exit);
    return {
      ok: true,
      pipeline: { definition, ...specs, plan: { nodes, entry, exit, order } },
    };
  } catch (error) {
    if (error instanceof ServingError) return { ok: false, error };
    throw error;
  }
}
