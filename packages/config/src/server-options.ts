import type { ModelControlMode } from '@ovms/core';
import type { LimitSettings } from './limit-settings.js';
import type { ServerConfig } from './server-config.js';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Server-wide settings, from flags only (as in OVMS), with OVMS defaults filled in. */
export interface ServerSettings {
  /** gRPC port; 0 = gRPC off. */
  readonly port: number;
  /** REST port; 0 = REST off. */
  readonly restPort: number;
  readonly grpcBindAddress: string;
  readonly restBindAddress: string;
  readonly grpcWorkers: number;
  readonly grpcMaxThreads?: number;
  readonly grpcMemoryQuota?: number;
  /** `--grpc_channel_arguments a=1,b=x` as { a: '1', b: 'x' }. */
  readonly grpcChannelArguments: Readonly<Record<string, string>>;
  readonly restWorkers?: number;
  readonly logLevel: LogLevel;
  readonly logPath?: string;
  /** 0 disables config and model repository polling. */
  readonly fileSystemPollWaitSeconds: number;
  readonly sequenceCleanerPollWaitMinutes: number;
  readonly customNodeResourcesCleanerIntervalSeconds: number;
  readonly cacheDir?: string;
  readonly cpuExtension?: string;
  readonly metricsEnable: boolean;
  /** Absent: OVMS's default metric set. */
  readonly metricsList?: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly allowCredentials: boolean;
  /** `--tls_cert` / `--tls_key` / `--tls_client_ca`: PEM file paths, resolved against cwd. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsClientCa?: string;
  /** `--api_key_file`: the file holding the API key, resolved against cwd. */
  readonly apiKeyFile?: string;
  /** `--plugins`: ESM module paths, resolved against the working directory. */
  readonly plugins: readonly string[];
  /** Sizes, the memory budget and REST timeouts (docs/security.md "Limits"). */
  readonly limits: LimitSettings;
}

/**
 * Where the models come from: a config file to read (and watch), one model from flags, or
 * only the model repository (`--model_repository_path` without either).
 */
export type ModelSource =
  | { readonly kind: 'config-file'; readonly configPath: string }
  | { readonly kind: 'single-model'; readonly config: ServerConfig }
  | { readonly kind: 'repository' };

/** `--model_repository_path` and `--model_control_mode` (Triton's model repository). */
export interface ModelRepositorySettings {
  /** Absolute local folder; every subfolder is a model of that name. */
  readonly path: string;
  readonly controlMode: ModelControlMode;
}

export interface ServerOptions {
  readonly settings: ServerSettings;
  readonly models: ModelSource;
  /** Absent without `--model_repository_path`. */
  readonly modelRepository?: ModelRepositorySettings;
}

/**
 * What the command line asks for. `help` carries the text to print; `version` asks the app to
 * print its version; neither exits the process — the app decides.
 */
export type CliCommand =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'serve'; readonly options: ServerOptions };

/**
 * A bad command line: unknown flag, missing or malformed value, or flags that exclude each other.
 * Not a ServingError — no client ever sees it; the app prints it and exits with EX_USAGE (64)
 * as OVMS does. `flag` names the offending flag when there is one.
 */
export class ArgsError extends Error {
  override readonly name = 'ArgsError';
  readonly flag: string | undefined;

  constructor(message: string, flag?: string) {
    super(message);
    this.flag = flag;
  }
}
