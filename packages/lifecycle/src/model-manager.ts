import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import type {
  Logger,
  MetricsRecorder,
  Module,
  ServableAdmin,
  ServableLease,
  ServableProvider,
} from '@ovms/core';
import { buildConfigView } from './config-view.js';
import type { ConfigView } from './config-view.js';
import { acquireLease } from './lease-resolver.js';
import type { ModelVersionUsage } from './model-instance.js';
import { ModelRegistry } from './model-registry.js';
import { pipelineStatus } from './pipeline-status.js';
import { reconcile } from './reconcile.js';
import { RepositoryWatcher } from './repository-watcher.js';
import { scanModel } from './repository-scan.js';
import { SerialQueue } from './serial-queue.js';
import type { ConfigLoader, EngineSelector, ManagerConfig, ModelRepository } from './types.js';
import { VersionLoader } from './version-loader.js';
import type { ManagedVersionStatus } from './version-state.js';

export interface ModelManagerOptions {
  readonly repository: ModelRepository;
  readonly engines: EngineSelector;
  /** A fixed config (single-model CLI mode); `loadConfig` takes precedence when given. */
  readonly config?: ManagerConfig;
  /** Reads the config file; called at start, every poll and on `reloadConfig()`. */
  readonly loadConfig?: ConfigLoader;
  readonly logger?: Logger;
  /** OVMS `file_system_poll_wait_seconds` in ms (default 1000); 0 disables polling. */
  readonly pollIntervalMs?: number;
  /** How long a request waits for a LOADING version (OVMS: 10 s). */
  readonly loadingWaitMs?: number;
  /** Receives `inferenceDone` for every successful model inference (OVMS's time histograms). */
  readonly metrics?: MetricsRecorder;
}

/** The config file's health, for `/v1/config` consumers and operators. */
export interface ConfigStatus {
  /** Hash of the config in force; undefined with a fixed config. */
  readonly appliedHash: string | undefined;
  /** Why the last read failed; the config in force keeps serving meanwhile. */
  readonly error: ServingError | undefined;
  readonly repositoryErrors: readonly { readonly model: string; readonly message: string }[];
}

const EMPTY_CONFIG: ManagerConfig = { models: [], pipelines: [] };

function toConfigError(error: unknown): ServingError {
  if (error instanceof ServingError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ServingError(StatusCode.CONFIG_FILE_INVALID, detail, { cause: error });
}

/**
 * The model manager: serves the versions each model's policy selects, follows the config
 * file and the repositories every poll, and hands out leases so that no swap fails a request.
 * Config applies and repository passes run one at a time, in order.
 */
export class ModelManager implements ServableProvider, ServableAdmin, Module {
  readonly name = 'lifecycle';
  readonly #options: ModelManagerOptions;
  readonly #logger: Logger;
  readonly #registry: ModelRegistry;
  readonly #loader: VersionLoader;
  readonly #queue = new SerialQueue();
  readonly #watcher: RepositoryWatcher;
  #appliedHash: string | undefined;
  #configError: ServingError | undefined;
  #ready = false;

  constructor(options: ModelManagerOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'lifecycle' });
    this.#registry = new ModelRegistry(this.#logger);
    this.#loader = new VersionLoader({
      registry: this.#registry,
      repository: options.repository,
      engines: options.engines,
      logger: this.#logger,
      ...(options.metrics !== undefined && { metrics: options.metrics }),
    });
    this.#watcher = new RepositoryWatcher({
      intervalMs: options.pollIntervalMs ?? 1000,
      pass: () => this.#poll(),
      logger: this.#logger,
    });
  }

  /** Loads the config and every model; a config that cannot be read fails the start, as in OVMS. */
  async start(): Promise<void> {
    await this.#queue.run(async () => {
      if (this.#options.loadConfig === undefined) {
        this.#registry.applyConfig(this.#options.config ?? EMPTY_CONFIG);
      } else {
        await this.#refreshConfig();
      }
      await this.#synchronize();
    });
    this.#ready = true;
    this.#watcher.start();
  }

  /** Stops polling, retires every version, waits for their leases and closes the models. */
  async stop(): Promise<void> {
    this.#ready = false;
    await this.#watcher.stop();
    await this.#queue.run(async () => {
      for (const record of this.#registry.models()) {
        for (const version of record.versions.keys()) {
          this.#loader.retire({ model: record.name, version });
        }
      }
      await this.#loader.drain();
    });
  }

  acquire(name: string, version?: number): Promise<ServableLease> {
    return acquireLease(this.#registry, name, version, this.#options.loadingWaitMs ?? 10_000);
  }

  /** Every version of `name` (ascending), or one; throws MODEL_NAME_MISSING / MODEL_VERSION_MISSING. */
  status(name: string, version?: number): readonly ManagedVersionStatus[] {
    const record = this.#registry.model(name);
    if (record === undefined) {
      const pipeline = this.#registry.pipeline(name);
      if (pipeline !== undefined) return [pipelineStatus(pipeline)];
      throw new ServingError(StatusCode.MODEL_NAME_MISSING);
    }
    if (version !== undefined && version !== 0) {
      const entry = record.versions.get(version);
      if (entry === undefined) throw new ServingError(StatusCode.MODEL_VERSION_MISSING);
      return [entry.status()];
    }
    return [...record.versions.values()]
      .sort((a, b) => a.version - b.version)
      .map((entry) => entry.status());
  }

  /** Every model, then every pipeline, the manager knows (removed ones stay, in END). */
  servableNames(): readonly string[] {
    return [
      ...[...this.#registry.models()].map((record) => record.name),
      ...[...this.#registry.pipelines()].map((record) => record.name),
    ];
  }

  /**
   * Infer-request usage of every AVAILABLE model version, read at scrape time for the OVMS
   * gauges; versions whose engine cannot tell are left out.
   */
  usage(): Iterable<ModelVersionUsage> {
    return this.#registry.usage();
  }

  /** True once the initial load finished (failed versions included) and until stop. */
  isReady(): boolean {
    return this.#ready;
  }

  /**
   * `POST /v1/config/reload`: re-reads the config, then rescans every repository. Resolves
   * whether anything changed (201 vs 200); rejects with the config's ServingError when it
   * cannot be read, leaving the models in force serving.
   */
  reloadConfig(): Promise<boolean> {
    return this.#queue.run(async () => {
      const configChanged = await this.#refreshConfig();
      const versionsChanged = await this.#synchronize();
      return configChanged || versionsChanged;
    });
  }

  /** The body of `GET /v1/config`: every model and pipeline with its version statuses. */
  configView(): ConfigView {
    const models = [...this.#registry.models()].map(
      (record) => [record.name, this.status(record.name)] as const,
    );
    const pipelines = [...this.#registry.pipelines()].map(
      (record) => [record.name, [pipelineStatus(record)]] as const,
    );
    return buildConfigView([...models, ...pipelines]);
  }

  configStatus(): ConfigStatus {
    const repositoryErrors = [...this.#registry.models()].flatMap((record) =>
      record.repositoryError === undefined
        ? []
        : [{ model: record.name, message: record.repositoryError }],
    );
    return { appliedHash: this.#appliedHash, error: this.#configError, repositoryErrors };
  }

  #poll(): Promise<void> {
    return this.#queue.run(async () => {
      try {
        await this.#refreshConfig();
      } catch {
        // Recorded in configStatus() and logged once; the config in force keeps serving.
      }
      await this.#synchronize();
    });
  }

  /** Reads the config file and installs it when its hash changed; returns whether it did. */
  async #refreshConfig(): Promise<boolean> {
    const loadConfig = this.#options.loadConfig;
    if (loadConfig === undefined) return false;
    let snapshot;
    try {
      snapshot = await loadConfig();
    } catch (error) {
      const configError = toConfigError(error);
      if (this.#configError?.message !== configError.message) {
        this.#logger.error(
          { error: configError.message },
          'Reading the config failed; the models in force keep serving',
        );
      }
      this.#configError = configError;
      throw configError;
    }
    this.#configError = undefined;
    if (snapshot.hash === this.#appliedHash) return false;
    this.#registry.applyConfig(snapshot.config);
    this.#appliedHash = snapshot.hash;
    this.#logger.info(
      { hash: snapshot.hash, models: snapshot.config.models.length },
      'Config applied',
    );
    return true;
  }

  /** Reconciles every model with its repository; returns whether any version changed. */
  async #synchronize(): Promise<boolean> {
    const desired = await Promise.all(
      this.#registry
        .configuredModels()
        .map((record) => scanModel(record, this.#options.repository, this.#logger)),
    );
    // Each round either loads or marks a failure that the next round leaves out (the OVMS
    // fallback to an older version), so rounds are bounded by the versions found.
    const maxRounds = 1 + desired.reduce((sum, model) => sum + (model.repository?.size ?? 0), 0);
    let changed = false;
    for (let round = 0; round < maxRounds; round += 1) {
      const plan = reconcile(this.#registry.snapshot(), desired);
      if (plan.toLoad.length === 0 && plan.toReload.length === 0) break;
      changed = true;
      await Promise.all([
        ...plan.toLoad.map((target) => this.#loader.load(target)),
        ...plan.toReload.map((target) => this.#loader.reload(target)),
      ]);
    }
    // Retire only after the loads: the previous version serves until its successor is AVAILABLE.
    const { toRetire } = reconcile(this.#registry.snapshot(), desired);
    for (const ref of toRetire) this.#loader.retire(ref);
    return changed || toRetire.length > 0;
  }
}
