import {
  inferenceFailure,
  requestedOutputs,
  selectOutputs,
  decodedInputs,
  silentLogger,
} from '@ovms/core';
import type {
  BinaryInputDecoder,
  InferRequest,
  InputSpec,
  Logger,
  Servable,
  ServableProvider,
  TensorMap,
  TensorSpec,
} from '@ovms/core';
import { createNodeInvoker } from './execution/node-invoker.js';
import type { CustomNodeExecutor, NodeInvoker } from './execution/node-invoker.js';
import { PipelineRun } from './execution/pipeline-run.js';
import { validatePipelineRequest } from './execution/request-validation.js';
import type { ValidatedPipeline } from './plan.js';

export interface PipelineServableOptions {
  /** Where model nodes lease their models: the model manager. */
  readonly provider: ServableProvider;
  /** The pipeline's initialized custom nodes (CustomNodeRegistry.instantiate). */
  readonly customNodes?: CustomNodeExecutor;
  readonly logger?: Logger;
  /**
   * Decodes binary inputs (images) sent to the numeric inputs of the first DL nodes, before
   * the request is validated; absent: they are refused.
   */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
}

/** OVMS serves every pipeline as version 1. */
export const PIPELINE_VERSION = 1;

class PipelineServable implements Servable {
  readonly kind = 'pipeline' as const;
  readonly version = PIPELINE_VERSION;
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly #pipeline: ValidatedPipeline;
  readonly #invoke: NodeInvoker;
  readonly #logger: Logger;
  readonly #decode: BinaryInputDecoder | undefined;
  /** The inputs a node declares (untyped pass-through inputs take no decoding). */
  readonly #typedInputs: readonly InputSpec[];

  constructor(pipeline: ValidatedPipeline, options: PipelineServableOptions) {
    this.#pipeline = pipeline;
    this.name = pipeline.definition.name;
    this.inputs = pipeline.inputs;
    this.outputs = pipeline.outputs;
    this.#invoke = createNodeInvoker(options.provider, options.customNodes);
    this.#logger = (options.logger ?? silentLogger).child({ pipeline: this.name });
    this.#decode = options.decodeBinaryInputs;
    this.#typedInputs = this.inputs.filter((spec) => !pipeline.untyped.has(spec.name));
  }

  /** Checks the request against the pipeline's inputs and outputs, then runs the graph. */
  async infer(original: InferRequest): Promise<TensorMap> {
    const specs = this.#typedInputs;
    const decoded = decodedInputs(original, specs, this.#decode);
    const request = decoded === undefined ? original : await decoded;
    validatePipelineRequest(this.#pipeline, request);
    const wanted = requestedOutputs(this.outputs, request.outputs);
    const run = new PipelineRun(this.#pipeline.plan, this.#invoke, request);
    try {
      return selectOutputs(await run.outputs(wanted ?? []), wanted);
    } catch (error) {
      this.#logger.debug({ error }, 'pipeline request failed');
      throw inferenceFailure(error, request.signal);
    }
  }
}

/**
 * Serves a validated pipeline like a model (kind 'pipeline', version 1): each infer runs the
 * DAG with model nodes leasing their models from `provider` for the length of their call.
 */
export function createPipelineServable(
  pipeline: ValidatedPipeline,
  options: PipelineServableOptions,
): Servable {
  return new PipelineServable(pipeline, options);
}
