import type {
  DynamicBatchingSettings,
  Engine,
  InputSpec,
  ModelLoadOptions,
  Servable,
  ServingError,
  TensorSpec,
} from '@ovms/core';
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
  /** The model's `dynamic_batching`: concurrent requests join batches. Absent: they run alone. */
  readonly dynamicBatching?: DynamicBatchingSettings;
}

/**
 * A `pipeline_config_list` entry registered with the manager. `definition` is whatever the
 * app's PipelineFactory builds from (`D`): lifecycle only compares and hands it over, so it
 * never needs to know the DAG package.
 */
export interface PipelineRegistration<D = unknown> {
  readonly name: string;
  readonly definition: D;
}

/** Everything the manager serves, as one value: swapping it is a config reload. */
export interface ManagerConfig<D = unknown> {
  readonly models: readonly ModelDefinition[];
  readonly pipelines: readonly PipelineRegistration<D>[];
}

/** A config file read by the app: its content hash tells the watcher whether it changed. */
export interface ConfigSnapshot<D = unknown> {
  readonly hash: string;
  readonly config: ManagerConfig<D>;
}

/**
 * Reads the config file again. Throws (preferably a ServingError with JSON_INVALID or
 * CONFIG_FILE_INVALID) when it cannot be read, parsed or validated.
 */
export type ConfigLoader<D = unknown> = () => Promise<ConfigSnapshot<D>>;

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

/** A model's signature as a pipeline sees it: the (default or given) AVAILABLE version's. */
export interface ModelSignature {
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** What the manager serves now: a model's signature, or 'missing' when nothing AVAILABLE matches. */
export type ModelLookup = (name: string, version?: number) => ModelSignature | 'missing';

/** A model (and pinned version) a built pipeline depends on; its changes rebuild the pipeline. */
export interface PipelineModelUse {
  readonly model: string;
  readonly version?: number;
}

/** The outcome of building one pipeline; either way `dispose` releases what the build holds. */
export type PipelineBuild =
  | {
      readonly ok: true;
      readonly servable: Servable;
      readonly uses: readonly PipelineModelUse[];
      dispose(): Promise<void>;
    }
  | { readonly ok: false; readonly error: ServingError; dispose(): Promise<void> };

/**
 * Turns a registered pipeline's definition (`D`, the app's own type) into something servable
 * against the models available now. The app implements it with the DAG package; the manager
 * calls it on every config apply and whenever a model the pipeline uses changes, one build at
 * a time.
 */
export interface PipelineFactory<D = unknown> {
  build(definition: D, models: ModelLookup): Promise<PipelineBuild>;
}
