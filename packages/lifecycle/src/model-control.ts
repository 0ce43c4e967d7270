import { ServingError, StatusCode } from '@ovms/core';
import type {
  ModelControl,
  ModelControlMode,
  ModelVersionStatistics,
  RepositoryIndexEntry,
  VersionCounters,
} from '@ovms/core';
import type { ModelManager } from './model-manager.js';
import type { ModelDefinition } from './types.js';
import type { ManagedVersionStatus } from './version-state.js';

/** What model control needs of the manager (any pipeline type: none of these involve it). */
export type ControlledManager = Pick<
  ModelManager,
  'serveModel' | 'removeModel' | 'status' | 'servableNames' | 'configuredModelNames'
>;

export interface ModelControlOptions {
  readonly manager: ControlledManager;
  readonly mode: ModelControlMode;
  /** The folder names of the model repository (`--model_repository_path`); none without one. */
  readonly listRepository: () => Promise<readonly string[]>;
  /**
   * The definition of repository folder `name`, with `config` (an OVMS model config object as
   * JSON text) applied; throws INVALID_ARGUMENT naming the JSON path of what is wrong.
   */
  readonly defineModel: (name: string, config: string | undefined) => ModelDefinition;
  /** The per-version totals the transports and the engines reported (the metrics' observations). */
  readonly statistics: { read(name: string, version: number): VersionCounters };
}

const ENABLE_HINT =
  'start ovms with --model_control_mode explicit and --model_repository_path to load and unload models by API';

/**
 * A model name is one plain folder name of the repository: anything that could leave it (a
 * separator, `.` or `..`) or that no folder can be called (empty, NUL) is refused.
 */
export function checkModelName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name))
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `model name must be one folder name of the model repository (no '/', '\\', '..' or empty name); got ${JSON.stringify(name)}`,
    );
}

/**
 * Triton's repository and statistics extensions over the model manager: loads and unloads go
 * through `serveModel`/`removeModel`, the same reconcile and leases as a config reload.
 */
export function createModelControl(options: ModelControlOptions): ModelControl {
  const { manager, mode } = options;

  /** Checks a load/unload request: its name, the mode, and that the config file does not own it. */
  const admit = (name: string): void => {
    checkModelName(name);
    if (mode !== 'explicit') throw new ServingError(StatusCode.MODEL_CONTROL_DISABLED, ENABLE_HINT);
    if (manager.configuredModelNames().has(name))
      throw new ServingError(
        StatusCode.MODEL_CONTROL_CONFLICT,
        `model ${JSON.stringify(name)} is served from --config_path; change it there`,
      );
  };
  const inRepository = async (name: string): Promise<boolean> =>
    (await options.listRepository()).includes(name);

  return {
    mode,

    async index(request = {}) {
      const names = new Set([...(await options.listRepository()), ...manager.servableNames()]);
      const entries = [...names].sort().flatMap((name) => indexEntries(manager, name));
      return request.ready === true ? entries.filter((entry) => entry.state === 'READY') : entries;
    },

    async load(name, request = {}) {
      admit(name);
      if (!(await inRepository(name)))
        throw new ServingError(
          StatusCode.MODEL_NAME_MISSING,
          `no folder ${JSON.stringify(name)} in the model repository`,
        );
      const statuses = await manager.serveModel(options.defineModel(name, request.config));
      const available = statuses.some((status) => status.state === 'AVAILABLE');
      const failure = statuses.find((status) => status.reason !== undefined);
      if (!available || failure !== undefined)
        throw new ServingError(
          StatusCode.MODEL_LOAD_FAILED,
          `failed to load '${name}': ${failure?.reason ?? 'no version found in the model folder'}`,
        );
    },

    async unload(name) {
      admit(name);
      if (!(await manager.removeModel(name)) && !(await inRepository(name)))
        throw new ServingError(
          StatusCode.MODEL_NAME_MISSING,
          `no folder ${JSON.stringify(name)} in the model repository`,
        );
    },

    statistics(name, version) {
      const names = name === undefined ? manager.servableNames() : [name];
      const stats = names.flatMap((each) =>
        manager
          .status(each, version)
          .filter((status) => status.state === 'AVAILABLE')
          .map((status) => toStatistics(each, status.version, options.statistics)),
      );
      if (name !== undefined && stats.length === 0)
        throw new ServingError(
          StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE,
          `model ${JSON.stringify(name)} has no version loaded`,
        );
      return stats;
    },
  };
}

function indexEntries(manager: ControlledManager, name: string): RepositoryIndexEntry[] {
  let statuses: readonly ManagedVersionStatus[];
  try {
    statuses = manager.status(name);
  } catch {
    // A repository folder the manager never saw.
    return [{ name, version: '', state: 'UNAVAILABLE', reason: 'not loaded' }];
  }
  if (statuses.length === 0)
    return [{ name, version: '', state: 'UNAVAILABLE', reason: 'no version found' }];
  return statuses.map((status) => ({ name, version: String(status.version), ...stateOf(status) }));
}

function stateOf(status: ManagedVersionStatus): Pick<RepositoryIndexEntry, 'state' | 'reason'> {
  switch (status.state) {
    case 'AVAILABLE':
      return { state: 'READY', reason: '' };
    case 'START':
    case 'LOADING':
      return status.reason === undefined
        ? { state: 'LOADING', reason: '' }
        : { state: 'UNAVAILABLE', reason: status.reason };
    case 'UNLOADING':
      return { state: 'UNLOADING', reason: '' };
    case 'END':
    case 'UNKNOWN':
      return { state: 'UNAVAILABLE', reason: status.reason ?? 'unloaded' };
  }
}

function toStatistics(
  name: string,
  version: number,
  statistics: ModelControlOptions['statistics'],
): ModelVersionStatistics {
  const none = { count: 0, ns: 0 };
  return {
    name,
    version,
    ...statistics.read(name, version),
    computeInput: none,
    computeOutput: none,
  };
}
