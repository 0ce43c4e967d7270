export { createModelServer } from './model-server.js';
export type {
  ModelInferOptions,
  ModelServer,
  ModelServerConfig,
  ModelServerOptions,
  ModelServerSettings,
  ModelServerStatus,
} from './model-server.js';
export type {
  InferInput,
  InferInputs,
  InferOutput,
  InferOutputs,
  InferTensor,
} from './infer-tensors.js';
export { createStorageRegistry } from './repository.js';
export type { StorageOptions } from './repository.js';
export { startServer, DEFAULT_DRAIN_MS } from './server.js';
export type { RunningServer, StartServerOptions } from './server.js';
export { createServerLogger } from './logger.js';
export type { ServerLogger, ServerLoggerOptions } from './logger.js';
export { readCommandLine, versionText } from './cli.js';
export type { CliOutcome, ReadCommandLineOptions } from './cli.js';
