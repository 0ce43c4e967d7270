/** The API family a request used, as OVMS labels it in `ovms_requests_*`. */
export type ServingApi = 'TensorFlowServing' | 'KServe';
/** The transport a request came in on. */
export type ServingInterface = 'gRPC' | 'REST';

/**
 * The methods that run a model, as OVMS labels them: OVMS times only these in
 * `ovms_request_time_us`, and Triton's statistics count only these.
 */
export const INFERENCE_METHODS: ReadonlySet<string> = new Set([
  'Predict',
  'ModelInfer',
  'ModelStreamInfer',
]);

/** One finished request, as the transports report it. */
export interface RequestRecord {
  readonly api: ServingApi;
  readonly interface: ServingInterface;
  /** OVMS method label, e.g. Predict, GetModelMetadata, ModelInfer, ModelReady. */
  readonly method: string;
  readonly name: string;
  /** The version that served it; undefined when none was resolved. */
  readonly version: number | undefined;
  readonly ok: boolean;
  /** Wall time from request arrival to response, in microseconds. */
  readonly durationUs: number;
}

/** One inference run, as the model manager reports it. */
export interface InferenceRecord {
  readonly name: string;
  readonly version: number;
  /** Time inside the engine, in microseconds. */
  readonly inferenceUs: number;
  /** Time waiting for a free infer request, in microseconds. */
  readonly waitUs: number;
}

/**
 * Where transports and the model manager report what OVMS exposes as metrics
 * (`ovms_requests_success`, `ovms_request_time_us`, `ovms_inference_time_us`, …). @ovms/metrics
 * implements it with prom-client; `noopMetrics` is the default when metrics are off.
 */
export interface MetricsRecorder {
  /**
   * A request started; `requestDone` follows when it ends. (OVMS's `ovms_current_requests` is
   * per model version, so @ovms/metrics derives it from model usage instead.)
   */
  requestStarted(): void;
  requestDone(record: RequestRecord): void;
  inferenceDone(record: InferenceRecord): void;
}

export const noopMetrics: MetricsRecorder = {
  requestStarted() {},
  requestDone() {},
  inferenceDone() {},
};
