export { ENTRY_NODE_NAME, EXIT_NODE_NAME } from './definition.js';
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
export { PIPELINE_STATUS, pipelineError } from './pipeline-status.js';
export type { PipelineStatusCode } from './pipeline-status.js';
export type { CustomNodeCatalog, ModelCatalog, NodeSignature } from './signature.js';
export type { PipelinePlan, PlanConnection, PlanNode, ValidatedPipeline } from './plan.js';
export { validatePipeline } from './validation/validate-pipeline.js';
export type {
  PipelineValidation,
  PipelineValidationOptions,
} from './validation/validate-pipeline.js';
export { UNTYPED_SHAPE } from './validation/pipeline-specs.js';
export { PIPELINE_VERSION, createPipelineServable } from './pipeline-servable.js';
export type { PipelineServableOptions } from './pipeline-servable.js';
export type { CustomNodeExecutor } from './execution/node-invoker.js';
export { DEMULTIPLY_LIMIT } from './execution/demultiply.js';
export { splitTensor, stackTensors } from './execution/shards.js';
export type { ShardTemplate } from './execution/shards.js';
export type { CustomNode, CustomNodeLibrary, CustomNodeParams } from './custom-nodes/contract.js';
export type { ModuleImporter } from './custom-nodes/js-library.js';
export { CustomNodeRegistry } from './custom-nodes/registry.js';
export type { CustomNodeRegistryOptions } from './custom-nodes/registry.js';
export { PipelineCustomNodes } from './custom-nodes/pipeline-custom-nodes.js';
