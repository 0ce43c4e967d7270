import { ServingError, StatusCode } from '@ovms/core';
import type {
  LoadedModel,
  Servable,
  ServableAdmin,
  ServableLease,
  ServableProvider,
  TensorMap,
  TensorSpec,
  VersionState,
  VersionStatus,
} from '@ovms/core';

/** One version a TestServableProvider knows: a state, and a servable where it serves. */
export interface TestVersion {
  readonly state: VersionState;
  readonly servable?: Servable;
}

/**
 * The smallest real ServableProvider / ServableAdmin for transport and pipeline tests: named
 * versions with states, counted leases, and the model manager's lookup rules and codes
 * (MODEL_NAME_MISSING; default = highest AVAILABLE; MODEL_VERSION_MISSING;
 * MODEL_VERSION_NOT_LOADED_YET while loading; MODEL_VERSION_NOT_LOADED_ANYMORE once retired).
 * Servables are core's model servables over real or JS models, so requests are checked as the
 * server checks them; the real model manager is wired in by the app.
 */
export class TestServableProvider implements ServableProvider, ServableAdmin {
  readonly #models = new Map<string, Map<number, TestVersion>>();
  ready = true;
  /** What reloadConfig answers: changed or not, or the error it rejects with. */
  reloadOutcome: boolean | Error = false;
  reloads = 0;
  leasesHeld = 0;

  add(name: string, version: number, entry: TestVersion): void {
    const versions = this.#models.get(name) ?? new Map<number, TestVersion>();
    versions.set(version, entry);
    this.#models.set(name, versions);
  }

  acquire(name: string, version?: number): Promise<ServableLease> {
    return Promise.resolve().then(() => this.#lease(name, version));
  }

  #lease(name: string, version: number | undefined): ServableLease {
    const servable = this.#resolve(name, version);
    this.leasesHeld += 1;
    let released = false;
    return {
      servable,
      [Symbol.asyncDispose]: () => {
        if (!released) this.leasesHeld -= 1;
        released = true;
        return Promise.resolve();
      },
    };
  }

  status(name: string, version?: number): readonly VersionStatus[] {
    const versions = this.#versions(name);
    const toStatus = ([number, entry]: [number, TestVersion]): VersionStatus => ({
      version: number,
      state: entry.state,
      errorCode: 0,
      errorMessage: 'OK',
    });
    if (version !== undefined) {
      const entry = versions.get(version);
      if (entry === undefined) throw new ServingError(StatusCode.MODEL_VERSION_MISSING);
      return [toStatus([version, entry])];
    }
    return [...versions].sort(([a], [b]) => a - b).map(toStatus);
  }

  isReady(): boolean {
    return this.ready;
  }

  servableNames(): readonly string[] {
    return [...this.#models.keys()];
  }

  reloadConfig(): Promise<boolean> {
    this.reloads += 1;
    const outcome = this.reloadOutcome;
    return typeof outcome === 'boolean' ? Promise.resolve(outcome) : Promise.reject(outcome);
  }

  #versions(name: string): Map<number, TestVersion> {
    const versions = this.#models.get(name);
    if (versions === undefined) throw new ServingError(StatusCode.MODEL_NAME_MISSING);
    return versions;
  }

  #resolve(name: string, version: number | undefined): Servable {
    const versions = this.#versions(name);
    let chosen = version === undefined ? undefined : versions.get(version);
    if (version === undefined) {
      let best = -1;
      for (const [number, entry] of versions) {
        if (entry.state === 'AVAILABLE' && number > best) [best, chosen] = [number, entry];
      }
      const settling = [...versions.values()].some((entry) => isLoading(entry.state));
      if (chosen === undefined && settling) {
        throw new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET);
      }
    }
    if (chosen === undefined) throw new ServingError(StatusCode.MODEL_VERSION_MISSING);
    if (isLoading(chosen.state)) throw new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET);
    if (chosen.state !== 'AVAILABLE' || chosen.servable === undefined) {
      throw new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE);
    }
    return chosen.servable;
  }
}

function isLoading(state: VersionState): boolean {
  return state === 'START' || state === 'LOADING';
}

/** A model whose inference is a JS function: for dtypes and failures no fixture model has. */
export function createJsModel(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
  run: (inputs: TensorMap) => TensorMap | Promise<TensorMap>,
): LoadedModel {
  return {
    inputs,
    outputs,
    infer: async (tensors) => run(tensors),
    close: () => Promise.resolve(),
  };
}
