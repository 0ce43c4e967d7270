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
  VersionPolicy,
} from './server-config.js';
export { parseConfigText, readConfigFile, resolveBasePath } from './parse-config.js';
export type { ConfigFile, ParseConfigOptions } from './parse-config.js';
export { ConfigError } from './config-error.js';
export type { ConfigIssue } from './config-error.js';
export { configFileSchema } from './config-schema.js';
export { checkConfigSemantics } from './config-semantics.js';
export { DEFAULT_TARGET_DEVICE } from './model-config-schema.js';
export {
  DEFAULT_VERSION_POLICY,
  parseBatchSize,
  parsePluginConfig,
  parseVersionPolicy,
} from './model-settings.js';
export {
  parseLayoutSetting,
  parseLayoutText,
  parseShapeSetting,
  parseShapeText,
} from './shape-layout.js';
export type { SettingResult } from './setting-result.js';
export { formatJsonPath } from './json-path.js';
export { toModelLoadOptions } from './load-options.js';
export type { ToLoadOptionsOptions } from './load-options.js';
export { parseServerArgs } from './cli-args.js';
export type { ParseServerArgsOptions } from './cli-args.js';
export { FLAGS, helpText } from './cli-flags.js';
export type { FlagSpec } from './cli-flags.js';
export { ArgsError, LOG_LEVELS } from './server-options.js';
export type {
  CliCommand,
  LogLevel,
  ModelSource,
  ServerOptions,
  ServerSettings,
} from './server-options.js';
