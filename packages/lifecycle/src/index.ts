export { ModelManager } from './model-manager.js';
export { checkModelName, createModelControl } from './model-control.js';
export type { ControlledManager, ModelControlOptions } from './model-control.js';
export type { ModelManagerOptions } from './model-manager.js';
export type { ConfigStatus } from './config-follower.js';
export type { ModelVersionUsage } from './model-instance.js';
export type {
  ConfigLoader,
  ConfigSnapshot,
  EngineSelector,
  ManagerConfig,
  ModelDefinition,
  ModelLookup,
  ModelRepository,
  ModelSignature,
  PipelineBuild,
  PipelineFactory,
  PipelineModelUse,
  PipelineRegistration,
} from './types.js';
export { DEFAULT_VERSION_POLICY } from './version-policy.js';
export type { VersionPolicy } from './version-policy.js';
export type { ManagedVersionStatus } from './version-state.js';
export { createEngineSelector } from './engine-selector.js';
