import type { Engine, ModelLoadOptions } from '@ovms/core';
import type { VersionPolicy } from './version-policy.js';

/** One model as the manager serves it; the app maps `config.json` / CLI flags to this. */
export interface ModelDefinition {
  readonly name: string;
  /** Where the version directories live (a local path or a URI the repository understands). */
  readonly basePath: string;
  readonly versionPolicy: VersionPolicy;
  readonly loadOptions: ModelLoadOptions;
  /** Engine name overriding format-based selection (our `engine` extension to OVMS config). */
  readonly engine?: string;
}

/**
 * A `pipeline_config_list` entry, kept for the DAG package. Lifecycle only reports it; the app
 * fills `validationError` when the shape check failed.
 */
export interface PipelineDefinition {
  readonly name: string;
  readonly definition: unknown;
  readonly validationError?: string;
}

/** Everything the manager serves, as one value: swapping it is a config reload. */
export interface ManagerConfig {
  readonly models: readonly ModelDefinition[];
  readonly pipelines: readonly PipelineDefinition[];
}

/** A config file read by the app: its content hash tells the watcher whether it changed. */
export interface ConfigSnapshot {
  readonly hash: string;
  readonly config: ManagerConfig;
}

/**
 * Reads the config file again. Throws (preferably a ServingError with JSON_INVALID or
 * CONFIG_FILE_INVALID) when it cannot be read, parsed or validated.
 */
export type ConfigLoader = () => Promise<ConfigSnapshot>;

/** The model repository as lifecycle needs it; the app adapts its StorageRegistry to this. */
export interface ModelRepository {
  /** Positive integer version directories under `basePath`; other entries are ignored. */
  listVersions(basePath: string): Promise<number[]>;
  /** Changes whenever a file of the version changes (names, sizes, modification times). */
  fingerprint(basePath: string, version: number): Promise<string>;
  /** Makes the version available locally and returns the directory to load from. */
  download(basePath: string, version: number): Promise<string>;
  /** Lets a remote backend drop its local copy once the version is unloaded. */
  release?(localDir: string): Promise<void>;
}

/** Chooses the engine for a local version directory (by name when the config names one). */
export interface EngineSelector {
  select(localDir: string, engineName?: string): Promise<Engine>;
}
