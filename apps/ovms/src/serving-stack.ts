import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcServices } from '@ovms/api-grpc';
import type { GrpcServices } from '@ovms/api-grpc';
import { createOpenAiRoutes } from '@ovms/api-openai';
import { createRestApp } from '@ovms/api-rest';
import type { RestApp, RestCorsOptions } from '@ovms/api-rest';
import { DEFAULT_LIMITS } from '@ovms/config';
import type { LimitSettings, ModelRepositorySettings, ServerConfig } from '@ovms/config';
import { StatisticsRecorder, createSharedMemoryBudget } from '@ovms/core';
import type { Engine, Logger, ModelControl, SharedMemoryBudget } from '@ovms/core';
import { createDashboard } from '@ovms/dashboard';
import { createImageInputDecoder } from '@ovms/images';
import { ModelManager, createEngineSelector } from '@ovms/lifecycle';
import { createStorageRepository } from '@ovms/storage';
import { createEngines } from './engines.js';
import { configFileLoader, toManagerConfig } from './manager-config.js';
import { createMetrics } from './metrics.js';
import {
  checkRepositoryFolder,
  createModelRepositoryFolder,
  createServedModelControl,
} from './model-repository.js';
import type { MetricsSettings } from './metrics.js';
import { createDagPipelineFactory } from './pipelines.js';
import { loadPlugins } from './plugins.js';
import { createStorageRegistry } from './repository.js';
import type { StorageOptions } from './repository.js';

/** The name KServe ServerMetadata and `GET /v2` report, as OVMS. */
const SERVER_NAME = 'OpenVINO Model Server';

export interface ServingStackOptions {
  /** The config as read at start: from flags, a config file or an embedding's options. */
  readonly config: ServerConfig;
  /** The config file to follow (polls, reload requests); absent: `config` is served as it is. */
  readonly configPath?: string;
  /** `--cache_dir`: the compiled-model cache engines may use. */
  readonly cacheDir?: string;
  /** Plugin modules given besides config.json's `plugins` (`--plugins`), loaded first. */
  readonly plugins?: readonly string[];
  readonly metrics: MetricsSettings;
  /** Whether a REST front serves `/metrics` (metrics without one are refused). */
  readonly restEnabled: boolean;
  /** How often the config file and the repositories are polled; 0 = never. */
  readonly pollIntervalMs: number;
  /** Engines to serve with instead of the default choice; plugins add theirs. */
  readonly engines?: readonly Engine[];
  /** Environment of the OpenVINO lookup (OPENVINO_LIB_DIR, PYTHONPATH). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `.cache/python` (the OpenVINO wheel) is looked for. */
  readonly projectRoot: string;
  readonly storage?: StorageOptions;
  readonly logger: Logger;
  /** Version reported by KServe ServerMetadata and `GET /v2`. */
  readonly version: string;
  /** Body size limit and memory budget (`settings.limits`); DEFAULT_LIMITS when absent. */
  readonly limits?: Pick<LimitSettings, 'maxMessageBytes' | 'memoryBudgetBytes'>;
  /** REST's CORS answers and API key (docs/security.md; gRPC's is set on its server); absent: open. */
  readonly access?: { readonly cors?: RestCorsOptions; readonly apiKey?: string };
  /** `--model_repository_path` and `--model_control_mode` (docs/model-control.md); absent: none. */
  readonly modelRepository?: ModelRepositorySettings;
}

/**
 * Everything that serves models, without ports: the model manager over storage, engines and
 * the DAG, and the gRPC services and REST app over it. `startServer` binds them to ports;
 * `createModelServer` hands them to the embedding service.
 */
export interface ServingStack {
  readonly manager: ModelManager;
  readonly grpcServices: GrpcServices;
  readonly restApp: RestApp;
  /** Triton's repository index, load/unload and statistics, as the transports serve them. */
  readonly modelControl: ModelControl;
  /**
   * The one budget of bytes in flight: the REST app uses it; give it to the gRPC server too. Its
   * count is in shared memory, so gRPC transport loops (worker threads) hold the same budget.
   */
  readonly memoryBudget: SharedMemoryBudget;
  /** Loads the config and every model; resolves when the initial load is over (OVMS ready). */
  start(): Promise<void>;
  /**
   * Unloads every model once requests holding them finish, closes custom nodes and deletes the
   * work directory. Call after the transports stopped accepting. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds the serving stack in OVMS's order: plugins (a failing one stops the start), metrics
 * (an unknown family stops it), then the model manager and the transports over it. Nothing
 * loads until `start()`. Rejects with nothing left behind.
 */
export async function createServingStack(options: ServingStackOptions): Promise<ServingStack> {
  const { config, logger } = options;
  if (options.modelRepository !== undefined)
    await checkRepositoryFolder(options.modelRepository.path);
  const cacheOptions = options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir };
  const registry = createStorageRegistry(options.storage);
  const engines = await loadPlugins({
    paths: [...(options.plugins ?? []), ...(config.plugins ?? [])],
    storage: registry,
    engines:
      options.engines ??
      createEngines({
        env: options.env,
        projectRoot: options.projectRoot,
        logger,
        ...cacheOptions,
      }),
    logger,
  });
  const metrics = createMetrics({
    settings: options.metrics,
    restEnabled: options.restEnabled,
    // Read at scrape time, after the manager exists.
    usageSource: () => manager.usage(),
  });

  // Requests and inferences are observed once: Triton's statistics keep their totals and pass
  // every record on to the Prometheus metrics (when enabled).
  const statistics = new StatisticsRecorder(metrics === undefined ? {} : { forward: metrics });
  const repositoryFolder =
    options.modelRepository === undefined
      ? undefined
      : createModelRepositoryFolder(options.modelRepository, cacheOptions);

  const workDir = await mkdtemp(join(tmpdir(), 'ovms-'));
  // JPEG/PNG sent to numeric inputs, decoded as OVMS does, for models and pipelines alike.
  const decodeBinaryInputs = createImageInputDecoder();
  const pipelines = createDagPipelineFactory({
    provider: () => manager,
    logger,
    decodeBinaryInputs,
  });
  const manager = new ModelManager({
    pipelines,
    decodeBinaryInputs,
    repository: createStorageRepository({ registry, workDir }),
    engines: createEngineSelector(engines),
    logger,
    pollIntervalMs: options.pollIntervalMs,
    metrics: statistics,
    // Triton's `none` mode serves the whole repository from the start; `explicit` nothing of it.
    ...(repositoryFolder !== undefined &&
      options.modelRepository?.controlMode === 'none' && {
        initialModels: async () =>
          (await repositoryFolder.list()).map((name) => repositoryFolder.define(name, undefined)),
      }),
    ...(options.configPath === undefined
      ? { config: toManagerConfig(config, cacheOptions) }
      : { loadConfig: configFileLoader(options.configPath, cacheOptions) }),
  });

  const modelControl = createServedModelControl({
    manager,
    repository: repositoryFolder,
    settings: options.modelRepository,
    statistics,
  });
  const transport = {
    provider: manager,
    admin: manager,
    modelControl,
    serverName: SERVER_NAME,
    serverVersion: options.version,
    logger,
    metrics: statistics,
  };
  const limits = options.limits ?? DEFAULT_LIMITS;
  const memoryBudget = createSharedMemoryBudget(limits.memoryBudgetBytes);
  // OVMS's OpenAI-compatible API for text-generation models (docs/genai.md).
  const openAi = createOpenAiRoutes({
    provider: manager,
    admin: manager,
    logger,
    ...(metrics !== undefined && { observe: (record) => metrics.generationDone(record) }),
  });
  const restApp = createRestApp({
    ...transport,
    mounts: [{ prefix: '/v3', app: openAi }],
    maxBodyBytes: limits.maxMessageBytes,
    memoryBudget,
    ...options.access,
    page: createDashboard({
      pipelines: () => pipelines.definitions(),
      modelControlMode: options.modelRepository?.controlMode ?? 'none',
      metricsEnabled: metrics !== undefined,
      statisticsEnabled: true,
    }),
    ...(metrics !== undefined && {
      metricsText: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
    }),
  });

  const grpcServices = createGrpcServices(transport);
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    grpcServices.healthService.shutdown();
    // The manager cannot cancel a load in progress; stopping before it settles would race its
    // repository watcher starting, so wait for the initial load (failed or not) first.
    await started?.catch(() => {});
    await manager.stop();
    await pipelines.close();
    await decodeBinaryInputs.close();
    await rm(workDir, { recursive: true, force: true });
  };
  return {
    manager,
    grpcServices,
    restApp,
    modelControl,
    memoryBudget,
    // gRPC health Watch streams learn of readiness here (SERVING once the initial load is over).
    start: () => (started ??= manager.start().finally(() => grpcServices.healthService.refresh())),
    close: () => (closing ??= close()),
  };
}
