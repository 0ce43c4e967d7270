import {
  ServingError,
  StatusCode,
  dataTypeFromOpenvino,
  type DataType,
  type InputSpec,
  type TensorSpec,
} from '@ovms/core';
import type { OvCompiledModel, OvInferRequest, OvModel, PortInfo } from './binding.js';
import { InferPlacement, type PlacementLimits } from './infer-placement.js';
import { InferPool } from './infer-pool.js';
import type { InputPlan, LoadPlan } from './load-options.js';
import type { AutoInput } from './reshape-targets.js';

/**
 * One compiled form of a model with its pool of infer requests. A reshape (OVMS `auto`, or
 * `LoadedModel.reshape`) builds the next generation, swaps it in, then frees this one once
 * the infers still using it are done.
 */
export interface Generation {
  readonly compiled: OvCompiledModel;
  readonly pool: InferPool<OvInferRequest>;
  /** Whether an infer runs off the event loop or, measured tiny and small, on it. */
  readonly placement: InferPlacement;
  /** In compiled-model order, as requests are checked against them. */
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
  /** The inputs whose shape follows requests (OVMS `auto`). */
  readonly autoInputs: readonly AutoInput[];
  readonly inputTypes: readonly string[];
  /** Infer requests in the pool (`ovms_infer_req_queue_size`). */
  readonly nireq: number;
  /** The compiled model's NUM_STREAMS (`ovms_streams`), read once: it cannot change. */
  readonly streams: number | undefined;
}

export interface GenerationOptions {
  readonly device: string;
  readonly plan: LoadPlan;
  /** Requested infer requests; 0 or undefined = OPTIMAL_NUMBER_OF_INFER_REQUESTS. */
  readonly nireq: number | undefined;
  readonly maxQueued: number;
  readonly placementLimits: PlacementLimits;
}

function dtypeOf(port: PortInfo, kind: string): DataType {
  const dtype = dataTypeFromOpenvino(port.elementType);
  // OpenVINO string tensors hold std::string objects, not bytes; not bridged yet.
  if (dtype === undefined || (dtype === 'BYTES' && kind === 'output')) {
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `${kind} ${port.name} has OpenVINO element type ${port.elementType}, which is not served`,
    );
  }
  return dtype;
}

// Dynamic rank has no TensorSpec form; [] with shape checks skipped is the closest. A range
// dim shows as -1, as OVMS's metadata shows it; its bounds go to the input's spec.
const specOf = (port: PortInfo, kind: string): TensorSpec => ({
  name: port.name,
  dtype: dtypeOf(port, kind),
  shape: port.shape ?? [],
});

/**
 * An input as requests are checked against it: its batch dim (from the layout), the dims that
 * follow requests, and any rank at all where the model's rank is dynamic.
 */
function inputSpecOf(port: PortInfo, plan: InputPlan | undefined): InputSpec {
  const spec = specOf(port, 'input');
  const auto = plan?.autoDims;
  const autoDims =
    port.shape === undefined || auto === 'all'
      ? 'all'
      : auto !== undefined && auto.size > 0
        ? [...auto]
        : undefined;
  const batchDim = plan?.batchDim ?? 0;
  return {
    ...spec,
    ...(batchDim < spec.shape.length ? { batchDim } : {}),
    ...(autoDims !== undefined ? { autoDims } : {}),
    ...(port.dimRanges !== undefined && autoDims !== 'all' ? { dimRanges: port.dimRanges } : {}),
    ...(plan?.layout !== undefined ? { layout: plan.layout } : {}),
  };
}

export async function buildGeneration(
  model: OvModel,
  options: GenerationOptions,
): Promise<Generation> {
  const compiled = await model.compile(options.device, options.plan.properties);
  const requests: OvInferRequest[] = [];
  try {
    const inputPorts = compiled.inputs();
    const plans = options.plan.inputs;
    const inputs = inputPorts.map((port) => inputSpecOf(port, plans.get(port.name)));
    const outputs = compiled.outputs().map((port) => specOf(port, 'output'));
    const autoInputs = inputPorts.flatMap((port): AutoInput[] => {
      const autoDims = plans.get(port.name)?.autoDims;
      const follows = autoDims === 'all' || (autoDims !== undefined && autoDims.size > 0);
      return follows ? [{ name: port.name, shape: port.shape, autoDims }] : [];
    });
    const nireq = options.nireq ? options.nireq : compiled.optimalInferRequests();
    for (let i = 0; i < nireq; i++) requests.push(compiled.createInferRequest());
    return {
      compiled,
      pool: new InferPool(requests, options.maxQueued),
      placement: new InferPlacement(
        requests.every((request) => request.inferSync !== undefined),
        options.placementLimits,
      ),
      inputs,
      outputs,
      autoInputs,
      inputTypes: inputPorts.map((port) => port.elementType),
      nireq,
      streams: compiled.numStreams(),
    };
  } catch (error) {
    for (const request of requests) request.free();
    compiled.free();
    throw error;
  }
}

/** Frees a generation once no infer uses it. */
export async function retireGeneration(generation: Generation): Promise<void> {
  await generation.pool.drain();
  for (const request of generation.pool.items()) request.free();
  generation.compiled.free();
}
