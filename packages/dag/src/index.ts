export type {
  CustomNodeDefinition,
  CustomNodeLibraryDefinition,
  ModelNodeDefinition,
  NodeInputDefinition,
  NodeOutputDefinition,
  PipelineDefinition,
  PipelineNodeDefinition,
  PipelineOutputDefinition,
} from './definition.js';
export type { PipelineStatusCode } from './pipeline-status.js';
export type { CustomNodeCatalog, ModelCatalog, NodeSignature } from './signature.js';
export type { PipelinePlan, PlanConnection, PlanNode, ValidatedPipeline } from './plan.js';
export { validatePipeline } from './validation/validate-pipeline.js';
export type {
  PipelineValidation,
  PipelineValidationOptions,
} from './validation/validate-pipeline.js';
export { createPipelineServable } from './pipeline-servable.js';
export type { PipelineServableOptions } from './pipeline-servable.js';
export type { CustomNodeExecutor } from './execution/node-invoker.js';
export { splitTensor } from './execution/shards.js';
export type { ShardTemplate } from './execution/shards.js';
export type { CustomNode, CustomNodeLibrary, CustomNodeParams } from './custom-nodes/contract.js';
export type { ModuleImporter } from './custom-nodes/js-library.js';
export { CustomNodeRegistry } from './custom-nodes/registry.js';
export type { CustomNodeRegistryOptions } from './custom-nodes/registry.js';
export { PipelineCustomNodes } from './custom-nodes/pipeline-custom-nodes.js';
