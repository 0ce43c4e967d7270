import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { GrpcServices } from '@ovms/api-grpc';
import { parseConfigText, readConfigFile } from '@ovms/config';
import type { ConfigJson, ServerConfig } from '@ovms/config';
import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import type { Engine, Logger } from '@ovms/core';
import type { ManagedVersionStatus } from '@ovms/lifecycle';
import { fromTensorMap, toTensorMap } from './infer-tensors.js';
import type { InferInputs, InferOutputs } from './infer-tensors.js';
import { resolveMetricsSettings } from './metrics.js';
import { packageVersion } from './package-version.js';
import type { StorageOptions } from './repository.js';
import { createServingStack } from './serving-stack.js';

/** What an OVMS `config.json` holds (`model_config_list`, `pipeline_config_list`, …), as JSON. */
export type ModelServerConfig = ConfigJson;

/** How the server is built, besides the models it serves. */
export interface ModelServerSettings {
  /** Where relative `base_path`s and plugin paths resolve; default `process.cwd()`. */
  readonly baseDir?: string;
  /**
   * Engines to serve with, in preference order; plugins add theirs. Default: OpenVINO (IR and
   * ONNX) when its runtime is found, then onnxruntime (ONNX).
   */
  readonly engines?: readonly Engine[];
  /** Cloud storage settings (`s3://`, `gs://`, `az://`); they win over those read from `env`. */
  readonly storage?: StorageOptions;
  /** Where the server logs; default: nowhere. */
  readonly logger?: Logger;
  /**
   * How often repositories (new or removed versions) and a `configPath` file are checked, as
   * `--file_system_poll_wait_seconds`; 0 = never. Default 1000.
   */
  readonly pollIntervalMs?: number;
  /** OpenVINO's compiled-model cache (`--cache_dir`); default none. */
  readonly cacheDir?: string;
  /** Version reported by KServe ServerMetadata and `GET /v2`; default this package's. */
  readonly version?: string;
  /** Environment read for OPENVINO_LIB_DIR and the cloud settings; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Options of `createModelServer`: a config.json's content inline, or `configPath` naming a
 * config.json the server reads and follows (changes apply at the next poll), plus settings.
 */
export type ModelServerOptions = ModelServerSettings &
  (
    | (ModelServerConfig & { readonly configPath?: undefined })
    | { readonly configPath: string; readonly model_config_list?: undefined }
  );

/** Options of one `infer` call. */
export interface ModelInferOptions {
  /** The version to use; default the one the model's version policy serves last. */
  readonly version?: number;
  /** The outputs wanted; default all. */
  readonly outputs?: readonly string[];
  /** Cancels the request: handed to the servable and the engine, as a client disconnect is. */
  readonly signal?: AbortSignal;
}

/** What `status()` reports. */
export interface ModelServerStatus {
  /** True once the initial load is over (failed versions included), until `close()`. */
  readonly ready: boolean;
  /** Every model and pipeline by name, with the state of each version (removed ones in END). */
  readonly servables: Readonly<Record<string, readonly ManagedVersionStatus[]>>;
  /** Models whose repository could not be read, and why. */
  readonly repositoryErrors: readonly { readonly model: string; readonly message: string }[];
  /** Why the last read of `configPath` failed; the config in force keeps serving. */
  readonly configError?: string;
}

/** A model server living inside another service: no ports of its own. */
export interface ModelServer {
  /**
   * Runs a model or pipeline in process. Inputs are typed arrays (shaped like the model input
   * when it is fixed), arrays of strings, or `{ data, shape, dtype? }`; outputs come back as
   * typed arrays. Rejects with a ServingError carrying OVMS's code and message, e.g.
   * MODEL_NAME_MISSING for an unknown name or INVALID_SHAPE for a wrong shape.
   */
  infer(name: string, inputs: InferInputs, options?: ModelInferOptions): Promise<InferOutputs>;
  /**
   * The REST API (TF Serving, KServe v2, `/v1/config`, `/metrics`) as a fetch handler: mount it
   * in hono (`app.mount('/ovms', server.restHandler)`), Express or Fastify (docs/embedding.md),
   * or serve it with any fetch-based server.
   */
  readonly restHandler: (request: Request) => Promise<Response>;
  /**
   * The same REST API as a node:http request listener: `http.createServer(server.restListener)`,
   * or mounted under a path in Express (`app.use('/ovms', server.restListener)`).
   */
  readonly restListener: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /**
   * The TF Serving PredictionService and ModelService and KServe's GRPCInferenceService, each a
   * definition and its implementation: add them to an existing grpc-js Server with
   * `for (const s of server.grpcServices) host.addService(s.definition, s.implementation)`.
   */
  readonly grpcServices: readonly GrpcServices[
    'predictionService' | 'modelService' | 'inferenceService'][];
  /** What is served now, and what failed. */
  status(): ModelServerStatus;
  /**
   * Stops serving: new requests are refused, requests in flight finish, every model unloads.
   * Stop the REST and gRPC servers this server is mounted in first. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds a model server from the options of a config.json and resolves once every model has
 * been loaded (a model that fails to load is reported by `status()`, as OVMS serves the rest).
 * Rejects, with nothing left running, when the config is invalid (JSON_INVALID with the JSON
 * path of each problem) or a plugin cannot load. The same composition as the `ovms` command.
 */
export async function createModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const {
    baseDir = process.cwd(),
    engines,
    storage,
    logger = silentLogger,
    pollIntervalMs = 1000,
    cacheDir,
    version = packageVersion(),
    env = process.env,
    configPath,
    ...json
  } = options;
  const inlineKeys = Object.entries(json).flatMap(([key, value]) =>
    value === undefined ? [] : [key],
  );
  if (configPath !== undefined && inlineKeys.length > 0)
    throw new ServingError(
      StatusCode.CONFIG_FILE_INVALID,
      `give configPath or the config inline, not both; got configPath and ${inlineKeys.join(', ')}`,
    );
  const file =
    configPath === undefined ? undefined : await readConfigFile(resolve(baseDir, configPath));
  const config = file?.config ?? parseInlineConfig(json, baseDir);
  const stack = await createServingStack({
    config,
    ...(file !== undefined && { configPath: file.path }),
    ...(cacheDir !== undefined && { cacheDir }),
    metrics: resolveMetricsSettings({ metricsEnable: false }, config),
    restEnabled: true,
    pollIntervalMs,
    env,
    projectRoot: baseDir,
    storage: { env, logger, ...storage },
    logger,
    version,
    ...(engines !== undefined && { engines }),
  });
  try {
    await stack.start();
  } catch (error) {
    await stack.close();
    throw error;
  }

  const { manager, restApp } = stack;
  const restHandler = async (request: Request): Promise<Response> => restApp.fetch(request);
  return {
    async infer(name, inputs, inferOptions = {}) {
      await using lease = await manager.acquire(name, inferOptions.version);
      const outputs = await lease.servable.infer({
        inputs: toTensorMap(inputs, lease.servable.inputs),
        ...(inferOptions.outputs !== undefined && { outputs: inferOptions.outputs }),
        ...(inferOptions.signal !== undefined && { signal: inferOptions.signal }),
      });
      return fromTensorMap(outputs);
    },
    restHandler,
    // The host's own Request and Response stay as they are: this server is a guest there.
    restListener: getRequestListener(restHandler, { overrideGlobalObjects: false }),
    grpcServices: [
      stack.grpcServices.predictionService,
      stack.grpcServices.modelService,
      stack.grpcServices.inferenceService,
    ],
    status() {
      const servables = Object.fromEntries(
        manager.servableNames().map((name) => [name, manager.status(name)]),
      );
      const { error, repositoryErrors } = manager.configStatus();
      return {
        ready: manager.isReady(),
        servables,
        repositoryErrors,
        ...(error !== undefined && { configError: error.message }),
      };
    },
    close: () => stack.close(),
  };
}

/** Parses an inline config as the config file it stands for (`<baseDir>/config.json`). */
function parseInlineConfig(json: object, baseDir: string): ServerConfig {
  if ((json as { model_config_list?: unknown }).model_config_list === undefined)
    throw new ServingError(
      StatusCode.CONFIG_FILE_INVALID,
      'createModelServer needs model_config_list (the content of a config.json) or configPath',
    );
  return parseConfigText(JSON.stringify(json), { configPath: join(baseDir, 'config.json') });
}
