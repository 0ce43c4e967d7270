import koffi from 'koffi';
import type { OutputTensor, OvInferRequest, PortInfo } from '../binding.js';
import type { CApi, Out, Ptr } from './bindings.js';
import { OpenvinoError } from '../openvino-error.js';
import { callAsync } from './call-async.js';
import { check, elementTypeCode, elementTypeName, taken } from './ports.js';

/**
 * Inputs up to this size are copied into a tensor the request owns instead of being wrapped:
 * wrapping costs three FFI calls (create, set, free; ~4 µs of main thread per input), a copy
 * of 64 KiB well under that. Larger inputs keep the zero-copy wrap (DESIGN.md).
 */
const COPY_LIMIT = 64 * 1024;

/** A tensor this request allocated, with a view of its memory (valid until the tensor is freed). */
interface OwnedTensor {
  readonly handle: Ptr;
  readonly elementType: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export class CInferRequest implements OvInferRequest {
  // The request reads these buffers when it runs; holding them keeps them alive for as long as
  // it points at them. They do not move: koffi's pointer lookup moves a small on-heap typed
  // array off-heap for good, and off-heap backing stores are never relocated.
  private readonly held: (Uint8Array | undefined)[] = [];
  /** Per input index: the owned tensor currently set as that input (small inputs). */
  private readonly inputs: (OwnedTensor | undefined)[] = [];
  /** Per output index: the owned tensor set as that output once (static output shapes). */
  private readonly outputs: (OwnedTensor | undefined)[] = [];
  /** Out-parameter scratch for the raw calls: [pointer] or [rank, dims pointer]. */
  private readonly scratch = new BigInt64Array(2);

  constructor(
    private readonly api: CApi,
    private handle: Ptr,
    private readonly outputPorts: readonly PortInfo[] = [],
    /** Compiled with INFERENCE_NUM_THREADS 1 (see inferSync). */
    private readonly oneThread = false,
  ) {
    try {
      // A static output always has the same shape, so OpenVINO can write every infer straight
      // into memory we mapped once: reading it then takes no FFI call at all.
      outputPorts.forEach((port, index) => {
        const shape = port.shape;
        if (shape === undefined || shape.some((d) => d < 0)) return;
        if (port.elementType === 'string' || port.elementType === 'dynamic') return;
        const owned = this.createTensor(port.elementType, shape, `output ${index}`);
        this.outputs[index] = owned;
        check(
          api,
          api.inferRequestSetOutputTensorByIndex(handle, index, owned.handle),
          `output ${index}`,
        );
      });
    } catch (error) {
      this.free();
      throw error;
    }
  }

  setInput(index: number, elementType: string, shape: readonly number[], data: Uint8Array): void {
    const owned = this.inputs[index];
    if (
      owned !== undefined &&
      owned.bytes.byteLength === data.byteLength &&
      owned.elementType === elementType &&
      sameDims(owned.shape, shape)
    ) {
      owned.bytes.set(data);
      return;
    }
    if (data.byteLength === 0 || data.byteLength > COPY_LIMIT) {
      this.wrapInput(index, elementType, shape, data);
      return;
    }
    const next = this.createTensor(elementType, shape, `input ${index}`);
    if (next.bytes.byteLength !== data.byteLength) {
      // A buffer that does not match its shape: leave the verdict to OpenVINO, as before.
      this.api.tensorFree(next.handle);
      this.wrapInput(index, elementType, shape, data);
      return;
    }
    next.bytes.set(data);
    this.setInputTensor(index, next.handle);
    this.inputs[index] = next;
  }

  /**
   * Starts the infer on OpenVINO's own stream threads and waits for it on a koffi worker. The
   * blocking `ov_infer_request_infer` on a pool thread ran each infer on that thread instead,
   * so with several in flight as many pool threads entered the engine's thread arena (pinning
   * and unpinning themselves each time) and competed with its workers for the cores; queued
   * on the streams, infers run back to back as in the engine's own benchmark (the heavy MLP at
   * 4 in flight: +6 % req/s, −150 µs of engine CPU per request; at 1 in flight +37 %).
   * `pool`: that blocking call, for short infers (InferPlacement.offloadToEngine).
   */
  infer(on: 'engine' | 'pool' = 'engine'): Promise<void> {
    const api = this.api;
    // On the pool thread the blocking call; not for a one-thread model (see inferSync).
    if (on === 'pool' && !this.oneThread) {
      return callAsync(api, api.inferRequestInfer, [this.handle], 'infer', false);
    }
    const status = api.inferRequestStartAsync(this.handle);
    if (status !== 0) return Promise.reject(inferError(api, status));
    return callAsync(api, api.inferRequestWait, [this.handle], 'infer', false);
  }

  /**
   * The blocking `ov_infer_request_infer`, except for a model compiled with one inference
   * thread (INFERENCE_NUM_THREADS 1): there that call returns OK for an infer that fails
   * (batches 2 and 3 that do not broadcast give a [0, 4] answer, OpenVINO 2026.4), so the
   * infer is started and waited for, which reports the failure but wakes a stream thread
   * (~25 µs more per tiny infer); with any other threads the blocking call reports it.
   */
  inferSync(): void {
    const api = this.api;
    let status: number;
    if (this.oneThread) {
      status = api.inferRequestStartAsync(this.handle);
      if (status === 0) status = api.inferRequestWait(this.handle);
    } else {
      status = api.inferRequestInfer(this.handle);
    }
    if (status !== 0) throw inferError(api, status);
  }

  getOutput(index: number): OutputTensor {
    const owned = this.outputs[index];
    if (owned !== undefined) {
      // The one copy of the output: the request reuses this memory on its next infer, and the
      // LoadedModel contract has no "done with outputs" call that would let us lend it out.
      return { elementType: owned.elementType, shape: [...owned.shape], data: owned.bytes.slice() };
    }
    const api = this.api;
    const out = this.scratch;
    const what = `output ${index}`;
    check(api, api.inferRequestGetOutputTensorRaw(this.handle, index, out), what);
    const tensor = out[0] ?? 0n;
    if (tensor === 0n) throw new Error(`${what}: OpenVINO returned null`);
    try {
      const shape = this.tensorShape(tensor, what);
      const sizeOut: Out<number> = [null];
      check(api, api.tensorGetByteSize(tensor, sizeOut), what);
      const byteSize = Number(sizeOut[0] ?? 0);
      let elementType = this.outputPorts[index]?.elementType ?? 'dynamic';
      if (elementType === 'dynamic') {
        const typeOut: Out<number> = [null];
        check(api, api.tensorGetElementType(tensor, typeOut), what);
        elementType = elementTypeName(typeOut[0] ?? 0);
      }
      if (byteSize === 0) return { elementType, shape, data: new Uint8Array(0) };
      check(api, api.tensorDataRaw(tensor, out), what);
      const data = new Uint8Array(koffi.view(out[0] ?? 0n, byteSize)).slice();
      return { elementType, shape, data };
    } finally {
      api.tensorFree(tensor);
    }
  }

  free(): void {
    if (this.handle === 0n) return;
    this.api.inferRequestFree(this.handle);
    this.handle = 0n;
    this.held.length = 0;
    for (const owned of [...this.inputs, ...this.outputs]) {
      if (owned !== undefined) this.api.tensorFree(owned.handle);
    }
    this.inputs.length = 0;
    this.outputs.length = 0;
  }

  /** Zero-copy: a tensor over the caller's buffer, set as input `index`. */
  private wrapInput(
    index: number,
    elementType: string,
    shape: readonly number[],
    data: Uint8Array,
  ) {
    const api = this.api;
    const tensorOut: Out<Ptr> = [null];
    const cShape = { rank: shape.length, dims: shape.map((d) => BigInt(d)) };
    const code = elementTypeCode(elementType);
    check(api, api.tensorCreateFromHostPtr(code, cShape, data, tensorOut), `input ${index}`);
    const tensor = taken(tensorOut, `input ${index}`);
    try {
      this.setInputTensor(index, tensor);
    } finally {
      // The request keeps its own reference to the tensor; our handle is no longer needed.
      api.tensorFree(tensor);
    }
    this.held[index] = data;
  }

  /** Sets `tensor` as input `index`, releasing the owned tensor it replaces. */
  private setInputTensor(index: number, tensor: Ptr): void {
    const api = this.api;
    check(api, api.inferRequestSetInputTensorByIndex(this.handle, index, tensor), `input ${index}`);
    const replaced = this.inputs[index];
    this.inputs[index] = undefined;
    this.held[index] = undefined;
    if (replaced !== undefined) api.tensorFree(replaced.handle);
  }

  private createTensor(elementType: string, shape: readonly number[], what: string): OwnedTensor {
    const api = this.api;
    const tensorOut: Out<Ptr> = [null];
    const cShape = { rank: shape.length, dims: shape.map((d) => BigInt(d)) };
    check(api, api.tensorCreate(elementTypeCode(elementType), cShape, tensorOut), what);
    const handle = taken(tensorOut, what);
    try {
      const sizeOut: Out<number> = [null];
      check(api, api.tensorGetByteSize(handle, sizeOut), what);
      const byteSize = Number(sizeOut[0] ?? 0);
      let bytes = new Uint8Array(0);
      if (byteSize > 0) {
        check(api, api.tensorDataRaw(handle, this.scratch), what);
        bytes = new Uint8Array(koffi.view(this.scratch[0] ?? 0n, byteSize));
      }
      return { handle, elementType, shape: [...shape], bytes };
    } catch (error) {
      api.tensorFree(handle);
      throw error;
    }
  }

  private tensorShape(tensor: Ptr, what: string): number[] {
    const api = this.api;
    const out = this.scratch;
    check(api, api.tensorGetShapeRaw(tensor, out), what);
    try {
      const rank = Number(out[0] ?? 0n);
      if (rank === 0) return [];
      return Array.from(new BigInt64Array(koffi.view(out[1] ?? 0n, rank * 8)), Number);
    } finally {
      api.shapeFreeRaw(out);
    }
  }
}

/** An infer's non-OK status, with the status' own text (not the process-wide last error). */
function inferError(api: CApi, status: number): OpenvinoError {
  return new OpenvinoError(`infer: ${api.getErrorInfo(status) ?? `status ${status}`}`, status);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
