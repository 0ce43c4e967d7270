import type { DynamicBatchingSettings } from '@ovms/core';

/**
 * The normalised, typed view of an OVMS `config.json` (or of single-model CLI flags): what the
 * lifecycle, the DAG and the app consume. Keys are camelCase; defaults are filled in; relative
 * `base_path`s are already resolved against the config file's directory.
 */

import type { ShapeDim } from '@ovms/core';

/** A fixed dimension (-1 = dynamic, as OVMS) or an OVMS range `min:max`: core's own type. */
export type { ShapeDim };

/** `auto` (reshape to each request) or a fixed shape. */
export type ShapeSetting = 'auto' | readonly ShapeDim[];

/** Which versions of a model are served. Default: latest 1 (OVMS). */
export type VersionPolicy =
  | { readonly kind: 'all' }
  | { readonly kind: 'latest'; readonly numVersions: number }
  | { readonly kind: 'specific'; readonly versions: readonly number[] };

/** A built-in engine, or the name a plugin registered its engine under (docs/plugins.md). */
export type EngineName = 'openvino' | 'onnxruntime' | (string & {});

export type PluginConfigValue = string | number | boolean;

export interface ModelConfig {
  readonly name: string;
  /** Absolute local path or cloud URI (`s3://`, `gs://`, `az://`, `azfs://`). */
  readonly basePath: string;
  /** Absent: keep the model's batch size (OVMS treats `0` the same way). */
  readonly batchSize?: number | 'auto';
  /** Per input name; a bare shape is keyed by ANONYMOUS_INPUT_NAME. */
  readonly shape?: Readonly<Record<string, ShapeSetting>>;
  /** Per tensor name, upper-cased `TARGET:SOURCE` or `LAYOUT`; a bare layout is keyed by ANONYMOUS_INPUT_NAME. */
  readonly layout?: Readonly<Record<string, string>>;
  readonly versionPolicy: VersionPolicy;
  /** 0 lets the engine choose. */
  readonly nireq: number;
  readonly targetDevice: string;
  readonly pluginConfig: Readonly<Record<string, PluginConfigValue>>;
  readonly allowCache?: boolean;
  readonly stateful: boolean;
  readonly lowLatencyTransformation: boolean;
  readonly idleSequenceCleanup: boolean;
  readonly maxSequenceNumber?: number;
  /** ovms-ts extension: force an engine instead of choosing by file format. */
  readonly engine?: EngineName;
  /** ovms-ts extension (Triton's `dynamic_batching`): absent, each request runs alone. */
  readonly dynamicBatching?: DynamicBatchingSettings;
  /**
   * OVMS's `task`: `text_generation` serves an LLM (a `.gguf` file or an OpenVINO GenAI folder
   * as base_path, no version folders) through the OpenAI-compatible API (docs/genai.md).
   */
  readonly task?: 'text_generation';
  /** The text-generation scheduler; present exactly when `task` is. */
  readonly textGeneration?: TextGenerationSettings;
}

/** OVMS's continuous-batching scheduler keys (absent: GenAI's defaults). */
export interface TextGenerationSettings {
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  /** GB of KV cache. */
  readonly cacheSize?: number;
  readonly enablePrefixCaching?: boolean;
}

/** A pipeline node input: `alias` is the name the node's model/library sees. */
export interface NodeInputConfig {
  readonly alias: string;
  readonly nodeName: string;
  readonly dataItem: string;
}

export interface NodeOutputConfig {
  readonly dataItem: string;
  readonly alias: string;
}

interface NodeConfigBase {
  readonly name: string;
  readonly inputs: readonly NodeInputConfig[];
  readonly outputs: readonly NodeOutputConfig[];
  /** -1 = dynamic; N = every output's first dimension must be N. */
  readonly demultiplyCount?: number;
  readonly gatherFromNode?: string;
}

export interface ModelNodeConfig extends NodeConfigBase {
  readonly kind: 'model';
  readonly modelName: string;
  readonly version?: number;
}

export interface CustomNodeConfig extends NodeConfigBase {
  readonly kind: 'custom';
  readonly libraryName: string;
  readonly params: Readonly<Record<string, string>>;
}

export type PipelineNodeConfig = ModelNodeConfig | CustomNodeConfig;

/** A pipeline output: `name` is what the client sees. */
export interface PipelineOutputConfig {
  readonly name: string;
  readonly nodeName: string;
  readonly dataItem: string;
}

export interface PipelineConfig {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly nodes: readonly PipelineNodeConfig[];
  readonly outputs: readonly PipelineOutputConfig[];
  readonly demultiplyCount?: number;
}

export interface CustomNodeLibraryConfig {
  readonly name: string;
  /** Resolved like a model base_path. */
  readonly basePath: string;
}

export interface MetricsConfig {
  readonly enable: boolean;
  readonly metricsList?: readonly string[];
}

/** Everything a config.json (or the single-model flags) declares. */
export interface ServerConfig {
  readonly models: readonly ModelConfig[];
  readonly pipelines: readonly PipelineConfig[];
  readonly customNodeLibraries: readonly CustomNodeLibraryConfig[];
  readonly monitoring?: { readonly metrics: MetricsConfig };
  /**
   * ovms-ts extension: absolute paths of plugin modules (docs/plugins.md), read once at start;
   * a change takes a restart.
   */
  readonly plugins?: readonly string[];
}
