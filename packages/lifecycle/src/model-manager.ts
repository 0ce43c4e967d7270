import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import type {
  BinaryInputDecoder,
  Logger,
  MetricsRecorder,
  ServableAdmin,
  ServableLease,
  ServableProvider,
} from '@ovms/core';
import { ConfigFollower } from './config-follower.js';
import type { ConfigStatus } from './config-follower.js';
import { acquireLease } from './lease-resolver.js';
import type { ModelVersionUsage } from './model-instance.js';
import { ModelRegistry } from './model-registry.js';
import { PipelineRegistry } from './pipeline-registry.js';
import { reconcile } from './reconcile.js';
import { RepositoryWatcher } from './repository-watcher.js';
import { scanModel } from './repository-scan.js';
import { SerialQueue } from './serial-queue.js';
import type {
  ConfigLoader,
  EngineSelector,
  ManagerConfig,
  ModelDefinition,
  ModelRepository,
  PipelineFactory,
} from './types.js';
import { VersionLoader } from './version-loader.js';
import type { ManagedVersionStatus } from './version-state.js';

/**
 * `D` is the app's pipeline definition type: what `config`/`loadConfig` register and what the
 * `pipelines` factory builds from (opaque to lifecycle).
 */
export interface ModelManagerOptions<D = unknown> {
  readonly repository: ModelRepository;
  readonly engines: EngineSelector;
  /** A fixed config (single-model CLI mode); `loadConfig` takes precedence when given. */
  readonly config?: ManagerConfig<D>;
  /** Reads the config file; called at start, every poll and on `reloadConfig()`. */
  readonly loadConfig?: ConfigLoader<D>;
  readonly logger?: Logger;
  /** OVMS `file_system_poll_wait_seconds` in ms (default 1000); 0 disables polling. */
  readonly pollIntervalMs?: number;
  /** How long a request waits for a LOADING version (OVMS: 10 s). */
  readonly loadingWaitMs?: number;
  /** Receives `inferenceDone` for every successful model inference (OVMS's time histograms). */
  readonly metrics?: MetricsRecorder;
  /** Builds `pipeline_config_list` entries; absent: pipelines are reported, never served. */
  readonly pipelines?: PipelineFactory<D>;
  /** Decodes binary inputs (images) sent to numeric model inputs; absent: they are refused. */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
  /**
   * Models served beside the config's from the start (a model repository in Triton's `none`
   * control mode); read once, in `start()`. More come and go with `serveModel`/`removeModel`.
   */
  readonly initialModels?: () => Promise<readonly ModelDefinition[]>;
}

const EMPTY_CONFIG: ManagerConfig<never> = { models: [], pipelines: [] };

/**
 * The model manager: serves the versions each model's policy selects, follows the config
 * file and the repositories every poll, and hands out leases so that no swap fails a request.
 * Config applies and repository passes run one at a time, in order.
 */
export class ModelManager<D = unknown> implements ServableProvider, ServableAdmin {
  readonly #options: ModelManagerOptions<D>;
  readonly #logger: Logger;
  readonly #registry: ModelRegistry;
  readonly #pipelines: PipelineRegistry<D>;
  readonly #loader: VersionLoader;
  readonly #queue = new SerialQueue();
  readonly #watcher: RepositoryWatcher;
  readonly #follower: ConfigFollower<D> | undefined;
  /** Models served by request (model control), beside the config's; the config wins a name. */
  readonly #controlled = new Map<string, ModelDefinition>();
  #config: ManagerConfig<D> = EMPTY_CONFIG;
  #ready = false;

  constructor(options: ModelManagerOptions<D>) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'lifecycle' });
    this.#registry = new ModelRegistry(this.#logger);
    this.#pipelines = new PipelineRegistry({
      models: this.#registry,
      logger: this.#logger,
      ...(options.pipelines !== undefined && { factory: options.pipelines }),
    });
    this.#loader = new VersionLoader({
      registry: this.#registry,
      repository: options.repository,
      engines: options.engines,
      logger: this.#logger,
      ...(options.metrics !== undefined && { metrics: options.metrics }),
      ...(options.decodeBinaryInputs !== undefined && {
        decodeBinaryInputs: options.decodeBinaryInputs,
      }),
    });
    this.#follower =
      options.loadConfig === undefined
        ? undefined
        : new ConfigFollower(options.loadConfig, this.#logger);
    this.#watcher = new RepositoryWatcher({
      intervalMs: options.pollIntervalMs ?? 1000,
      pass: () => this.#poll(),
      logger: this.#logger,
    });
  }

  /** Loads the config and every model; a config that cannot be read fails the start, as in OVMS. */
  async start(): Promise<void> {
    await this.#queue.run(async () => {
      for (const model of (await this.#options.initialModels?.()) ?? []) {
        this.#controlled.set(model.name, model);
      }
      if (this.#options.loadConfig === undefined) {
        this.#install(this.#options.config ?? EMPTY_CONFIG);
      } else {
        await this.#refreshConfig();
      }
      await this.#synchronize();
    });
    this.#ready = true;
    this.#watcher.start();
  }

  /**
   * Stops polling, retires every pipeline then every version, waits for their leases and
   * closes the models. Pipelines go first: their requests in flight still lease models.
   */
  async stop(): Promise<void> {
    this.#ready = false;
    await this.#watcher.stop();
    await this.#queue.run(async () => {
      this.#pipelines.retireAll();
      await this.#pipelines.drain();
      for (const record of this.#registry.models()) {
        for (const version of record.versions.keys()) {
          this.#loader.retire({ model: record.name, version });
        }
      }
      await this.#loader.drain();
    });
  }

  /** A pipeline ignores `version`, as OVMS: it is always served as version 1. */
  acquire(name: string, version?: number): Promise<ServableLease> {
    if (this.#pipelines.owns(name)) return this.#pipelines.acquire(name);
    return acquireLease(this.#registry, name, version, this.#options.loadingWaitMs ?? 10_000);
  }

  /** Every version of `name` (ascending), or one; throws MODEL_NAME_MISSING / MODEL_VERSION_MISSING. */
  status(name: string, version?: number): readonly ManagedVersionStatus[] {
    if (this.#pipelines.owns(name)) return [this.#pipelines.status(name)];
    const record = this.#registry.model(name);
    if (record === undefined) throw new ServingError(StatusCode.MODEL_NAME_MISSING);
    if (version !== undefined) {
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
    const models = [...this.#registry.models()].map((record) => record.name);
    const pipelines = [...this.#pipelines.records()].map((record) => record.name);
    return [...new Set([...models, ...pipelines])];
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

  /** Names of the models the config file (or the flags) serves: model control leaves them alone. */
  configuredModelNames(): ReadonlySet<string> {
    return new Set(this.#config.models.map((model) => model.name));
  }

  /**
   * Serves `definition` beside the config's models, through the same reconcile as a config
   * reload (a changed definition reloads it; leases keep the old instance until released), and
   * resolves with its version statuses once the load settled. A request is an explicit retry:
   * versions that failed before are tried again even when nothing changed. A failed version
   * stays, reporting its error, until `removeModel`.
   */
  serveModel(definition: ModelDefinition): Promise<readonly ManagedVersionStatus[]> {
    return this.#queue.run(async () => {
      for (const entry of this.#registry.model(definition.name)?.versions.values() ?? []) {
        entry.failedAttempt = undefined;
      }
      this.#controlled.set(definition.name, definition);
      this.#install(this.#config);
      await this.#synchronize();
      return this.status(definition.name);
    });
  }

  /**
   * Stops serving a model `serveModel` added: its versions go UNLOADING at once (no new
   * leases) and the returned promise resolves once the requests holding them finished and
   * they ended. Resolves false when the model was not served by request.
   */
  async removeModel(name: string): Promise<boolean> {
    const removed = await this.#queue.run(async () => {
      if (!this.#controlled.delete(name)) return false;
      this.#install(this.#config);
      await this.#synchronize();
      return true;
    });
    if (removed) await this.#loader.drain();
    return removed;
  }

  configStatus(): ConfigStatus {
    const repositoryErrors = [...this.#registry.models()].flatMap((record) =>
      record.repositoryError === undefined
        ? []
        : [{ model: record.name, message: record.repositoryError }],
    );
    const { appliedHash, error } = this.#follower ?? { appliedHash: undefined, error: undefined };
    return { appliedHash, error, repositoryErrors };
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
    const config = await this.#follower?.read();
    if (config !== undefined) this.#install(config);
    return config !== undefined;
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
    // Pipelines follow the models they use: (re)built once those settled (retired ones refuse leases).
    const pipelinesChanged = await this.#pipelines.synchronize();
    return changed || toRetire.length > 0 || pipelinesChanged;
  }

  #install(config: ManagerConfig<D>): void {
    this.#config = config;
    const configured = new Set(config.models.map((m) => m.name));
    const models = [
      ...config.models,
      ...[...this.#controlled.values()].filter((model) => !configured.has(model.name)),
    ];
    this.#registry.applyConfig(models);
    this.#pipelines.applyConfig(config.pipelines, new Set(models.map((m) => m.name)));
  }
}
