export type {
  CustomNodeConfig,
  CustomNodeLibraryConfig,
  EngineName,
  MetricsConfig,
  ModelConfig,
  ModelNodeConfig,
  NodeInputConfig,
  NodeOutputConfig,
  PipelineConfig,
  PipelineNodeConfig,
  PipelineOutputConfig,
  PluginConfigValue,
  ServerConfig,
  ShapeDim,
  ShapeSetting,
  TextGenerationSettings,
  VersionPolicy,
} from './server-config.js';
export { TEXT_GENERATION_TASK } from './model-config-schema.js';
export { parseConfigText, readConfigFile } from './parse-config.js';
export type { ConfigFile, ParseConfigOptions } from './parse-config.js';
export type { ConfigJson } from './config-schema.js';
export type { ConfigIssue } from './config-error.js';
export { DEFAULT_VERSION_POLICY } from './model-settings.js';
export type { SettingResult } from './setting-result.js';
export { parseModelOverride } from './model-override.js';
export type { ModelOverrideTarget } from './model-override.js';
export { toModelLoadOptions } from './load-options.js';
export type { ToLoadOptionsOptions } from './load-options.js';
export { parseServerArgs } from './cli-args.js';
export type { ParseServerArgsOptions } from './cli-args.js';
export { FLAGS } from './cli-flags.js';
export type { FlagSpec } from './cli-flags.js';
export { DEFAULT_LIMITS } from './limit-settings.js';
export type { LimitSettings } from './limit-settings.js';
export { ArgsError } from './server-options.js';
export type {
  CliCommand,
  LogLevel,
  ModelRepositorySettings,
  ModelSource,
  ServerOptions,
  ServerSettings,
} from './server-options.js';
