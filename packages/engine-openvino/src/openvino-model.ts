import {
  ServingError,
  StatusCode,
  type InferTiming,
  type InputSpec,
  type LoadedModel,
  type NumericTensor,
  type TensorMap,
  type TensorSpec,
} from '@ovms/core';
import type { OvModel } from './binding.js';
import {
  buildGeneration,
  retireGeneration,
  type Generation,
  type GenerationOptions,
} from './generation.js';
import { refuseBytesInputs, reshapeTargets } from './reshape-targets.js';
import { messageOf } from './openvino-error.js';

/** What `usage()` reports: the current generation's pool and the compiled model's streams. */
export interface OpenvinoUsage {
  readonly active: number;
  readonly queued: number;
  readonly nireq: number;
  readonly streams?: number;
}

/**
 * A model loaded through OpenVINO: reshapes where an `auto` input's request differs from the
 * compiled shape, lends each request an infer request from the pool, sets the request's own buffers as inputs (no copy), infers off the event loop (inline
 * when the model is measured tiny: InferPlacement) and returns outputs copied once out of
 * OpenVINO's memory.
 */
export class OpenvinoLoadedModel implements LoadedModel {
  private current: Generation;
  private reshaping: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly model: OvModel,
    first: Generation,
    private readonly options: GenerationOptions,
  ) {
    this.current = first;
  }

  get inputs(): readonly InputSpec[] {
    return this.current.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.current.outputs;
  }

  /**
   * For the OVMS gauges. During a reshape the previous generation may still finish a few
   * requests; they are not counted, as they no longer hold the version's infer requests.
   */
  usage(): OpenvinoUsage {
    const { pool, nireq, streams } = this.current;
    const usage = { active: pool.inUse, queued: pool.queued, nireq };
    return streams === undefined ? usage : { ...usage, streams };
  }

  async infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap> {
    if (this.closing !== undefined) throw retired();
    refuseBytesInputs(inputs);
    let generation = this.current;
    let reshape = reshapeTargets(inputs, generation.autoInputs);
    // Another request may reshape to its own shape meanwhile; check again against the result.
    while (reshape !== undefined) {
      await this.reshapeTo(reshape);
      generation = this.current;
      reshape = reshapeTargets(inputs, generation.autoInputs);
    }
    // Timed only when asked, so an untimed infer reads no clock.
    const calledAt = timing === undefined ? 0 : performance.now();
    const request = await generation.pool.acquire(signal);
    if (timing !== undefined) timing.waitUs = (performance.now() - calledAt) * 1000;
    try {
      const { inputs: specs, inputTypes, placement } = generation;
      let inputBytes = 0;
      for (let i = 0; i < specs.length; i++) {
        // The servable checked every input is present; refuseBytesInputs that it is numeric.
        const tensor = inputs.get((specs[i] as InputSpec).name) as NumericTensor;
        request.setInput(i, inputTypes[i] ?? 'dynamic', tensor.shape, tensor.data);
        inputBytes += tensor.data.byteLength;
      }
      const startedAt = performance.now();
      if (placement.inline(inputBytes) && request.inferSync !== undefined) {
        request.inferSync();
        placement.recordInline((performance.now() - startedAt) * 1000);
      } else {
        await request.infer(placement.offloadToEngine() ? 'engine' : 'pool');
        placement.recordOffloaded((performance.now() - startedAt) * 1000, inputBytes);
      }
      if (timing !== undefined) timing.inferenceUs = (performance.now() - startedAt) * 1000;
      const outputs: TensorMap = new Map();
      for (let i = 0; i < generation.outputs.length; i++) {
        const spec = generation.outputs[i] as TensorSpec;
        const output = request.getOutput(i);
        // Generations refuse BYTES outputs at load, so every output here is numeric.
        const dtype = spec.dtype as NumericTensor['dtype'];
        outputs.set(spec.name, { dtype, shape: output.shape, data: output.data });
      }
      return outputs;
    } catch (error) {
      if (error instanceof ServingError) throw error;
      throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, messageOf(error), {
        cause: error,
      });
    } finally {
      generation.pool.release(request);
    }
  }

  async reshape(shapes: Readonly<Record<string, readonly number[]>>): Promise<void> {
    if (this.closing !== undefined) throw retired();
    const names = new Set(this.current.inputs.map((input) => input.name));
    for (const name of Object.keys(shapes)) {
      if (!names.has(name)) {
        throw new ServingError(
          StatusCode.RESHAPE_ERROR,
          `input ${name} is not in the model; inputs: ${[...names].join(', ')}`,
        );
      }
    }
    await this.reshapeTo(new Map(Object.entries(shapes)));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.reshaping;
      await retireGeneration(this.current);
      this.model.free();
    })();
    return this.closing;
  }

  /** Reshapes one at a time, in arrival order. */
  private reshapeTo(shapes: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const run = this.reshaping.then(() => this.rebuild(shapes));
    this.reshaping = run.catch(() => undefined);
    return run;
  }

  private async rebuild(shapes: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const current = this.current;
    const unchanged = [...shapes].every(([name, dims]) => {
      const spec = current.inputs.find((input) => input.name === name);
      return spec !== undefined && sameShape(spec.shape, dims);
    });
    if (unchanged) return;
    let next: Generation;
    try {
      this.model.reshape(shapes);
      next = await buildGeneration(this.model, this.options);
    } catch (error) {
      throw new ServingError(StatusCode.RESHAPE_ERROR, messageOf(error), { cause: error });
    }
    this.current = next;
    await retireGeneration(current);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function retired(): ServingError {
  return new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE, 'the model is closing');
}
