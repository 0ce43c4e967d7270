import type {
  BinaryInputDecoder,
  InputSpec,
  InferTiming,
  LoadedModel,
  TensorSpec,
} from './engine.js';
import { checkBatchable, createDynamicBatcher } from './dynamic-batcher.js';
import type { DynamicBatcher, DynamicBatchingSettings } from './dynamic-batcher.js';
import type { InferenceRecord, MetricsRecorder } from './metrics-recorder.js';
import { inferenceFailure, requestedOutputs, selectOutputs, decodedInputs } from './model-call.js';
import { validateInputs } from './input-validation.js';
import type { InferRequest, Servable } from './servable.js';
import type { TensorMap } from './tensor.js';
import type { TextGenerator } from './text-generation.js';

export interface ModelServableOptions {
  readonly name: string;
  readonly version: number;
  readonly loaded: LoadedModel;
  /** Receives each successful inference's timing; absent: nothing is timed. */
  readonly metrics?: MetricsRecorder;
  /** Decodes binary inputs (images) sent to numeric inputs, before validation; absent: refused. */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
  /**
   * The model's `dynamic_batching` key: concurrent requests join batches after validation.
   * Absent: each request runs alone. A model whose batches cannot be joined or split is refused.
   */
  readonly dynamicBatching?: DynamicBatchingSettings;
}

/**
 * A model version as requests see it: the one place a request is checked against the model
 * (its inputs as they are now, after any `auto` reshape), the requested outputs are checked and
 * selected, and an engine failure becomes a ServingError.
 */
class ModelServable implements Servable {
  readonly name: string;
  readonly version: number;
  readonly kind = 'model' as const;
  readonly textGenerator: TextGenerator | undefined;
  readonly #loaded: LoadedModel;
  readonly #metrics: MetricsRecorder | undefined;
  readonly #decode: BinaryInputDecoder | undefined;
  /** In front of the engine when the model batches dynamically. */
  readonly #batcher: DynamicBatcher | undefined;

  constructor(options: ModelServableOptions) {
    this.name = options.name;
    this.version = options.version;
    this.#loaded = options.loaded;
    this.textGenerator = options.loaded.textGenerator;
    this.#metrics = options.metrics;
    this.#decode = options.decodeBinaryInputs;
    this.#batcher = batcherFor(options);
  }

  get inputs(): readonly InputSpec[] {
    return this.#loaded.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.#loaded.outputs;
  }

  async infer(original: InferRequest): Promise<TensorMap> {
    const specs = this.#loaded.inputs;
    const decoded = decodedInputs(original, specs, this.#decode);
    const request = decoded === undefined ? original : await decoded;
    validateInputs(specs, request.inputs);
    const wanted = requestedOutputs(this.#loaded.outputs, request.outputs);
    let produced: TensorMap;
    try {
      produced = await this.#run(request);
    } catch (error) {
      throw inferenceFailure(error, request.signal);
    }
    return selectOutputs(produced, wanted);
  }

  #infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap> {
    if (this.#batcher !== undefined) return this.#batcher.infer(inputs, signal, timing);
    return this.#loaded.infer(inputs, signal, timing);
  }

  async #run(request: InferRequest): Promise<TensorMap> {
    const metrics = this.#metrics;
    if (metrics === undefined) return this.#infer(request.inputs, request.signal);
    // One object is both the engine's timing and the metrics record: a single allocation per
    // request. It starts at -1 so an engine that fills nothing reports nothing, not zeros.
    const record: InferenceRecord & InferTiming = {
      name: this.name,
      version: this.version,
      waitUs: -1,
      inferenceUs: -1,
    };
    const outputs = await this.#infer(request.inputs, request.signal, record);
    if (record.inferenceUs >= 0 && record.waitUs >= 0) metrics.inferenceDone(record);
    return outputs;
  }
}

function batcherFor(options: ModelServableOptions): DynamicBatcher | undefined {
  if (options.dynamicBatching === undefined) return undefined;
  checkBatchable(options.name, options.loaded);
  return createDynamicBatcher({
    name: options.name,
    version: options.version,
    loaded: options.loaded,
    settings: options.dynamicBatching,
    ...(options.metrics !== undefined && { metrics: options.metrics }),
  });
}

/**
 * Serves one loaded model version as a Servable: the model call every transport, pipeline node
 * and embedding goes through (SPEC.md "Errors" order and wording).
 */
export function createModelServable(options: ModelServableOptions): Servable {
  return new ModelServable(options);
}
