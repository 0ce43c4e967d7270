import type { InputSpec, TensorSpec } from './engine.js';
import type { TensorMap } from './tensor.js';
import type { TextGenerator } from './text-generation.js';

/** Model version states with the numbers TF Serving's GetModelStatus reports. */
export const VersionState = {
  UNKNOWN: 0,
  START: 10,
  LOADING: 20,
  AVAILABLE: 30,
  UNLOADING: 40,
  END: 50,
} as const;
export type VersionState = keyof typeof VersionState;

export interface VersionStatus {
  readonly version: number;
  readonly state: VersionState;
  /** tensorflow.error.Code of the last transition (0 = OK). */
  readonly errorCode: number;
  /** "OK" when fine, else what went wrong. */
  readonly errorMessage: string;
}

export interface InferRequest {
  readonly inputs: TensorMap;
  /** Names of the outputs wanted; empty or absent = all. */
  readonly outputs?: readonly string[];
  readonly signal?: AbortSignal;
}

/** Something a request can be served by: a model version or a pipeline. */
export interface Servable {
  readonly name: string;
  readonly version: number;
  readonly kind: 'model' | 'pipeline';
  /** The inputs as requests are checked against them now (an `auto` reshape changes them). */
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * The one model call: checks the request against the current inputs and the requested
   * outputs, runs it, answers exactly the requested outputs (all when none are named) and
   * reports every failure as a ServingError (unknown ones as INTERNAL_INFERENCE_ERROR).
   * Transports call it with decoded tensors and check nothing themselves.
   */
  infer(request: InferRequest): Promise<TensorMap>;
  /** A text-generation model version's generator (`/v3` routes); absent on other servables. */
  readonly textGenerator?: TextGenerator | undefined;
}

/** A servable held for the length of one request; disposing it releases the hold. */
export interface ServableLease extends AsyncDisposable {
  readonly servable: Servable;
}

/** What the transports see of the model manager. */
export interface ServableProvider {
  /**
   * Resolves a name and version and holds it until disposed. `version` undefined is the default
   * version (the highest AVAILABLE); the wire edges turn TF Serving's 0 and KServe's "" into it.
   */
  acquire(name: string, version?: number): Promise<ServableLease>;
  /** Status of every version of `name`, or of one version. */
  status(name: string, version?: number): readonly VersionStatus[];
  /** Whether every configured servable finished its initial load. */
  isReady(): boolean;
}

/**
 * The administrative side of the model manager that transports expose: GET /v1/config lists
 * every servable's statuses; POST /v1/config/reload and TF Serving's HandleReloadConfigRequest
 * re-read the config file.
 */
export interface ServableAdmin {
  /** Names of every configured model and pipeline, in config order. */
  servableNames(): readonly string[];
  /**
   * Re-reads the config file and applies it. Resolves true when anything changed (REST 201),
   * false when nothing did (200); rejects with a ServingError when the file is invalid, and the
   * models serving now keep serving.
   */
  reloadConfig(): Promise<boolean>;
}
