import type { DimRange, ShapeDim } from '@ovms/core';

/**
 * The small internal interface the engine needs from OpenVINO, implemented twice: over
 * openvino-node (node-binding.ts) and over the C API through koffi (c-api/binding.ts).
 * Element types use OpenVINO's names (`f32`, `i64`, `boolean`…), as core's DATA_TYPES does.
 */

export type BindingKind = 'openvino-node' | 'c-api';

/** An input or output port: tensor name, OpenVINO element type, dims with -1 for dynamic. */
export interface PortInfo {
  readonly name: string;
  readonly elementType: string;
  /** Dims, -1 where dynamic; `undefined` when even the rank is dynamic. */
  readonly shape: readonly number[] | undefined;
  /** Bounds of the dynamic dims that have them (OpenVINO intervals), index for index with `shape`. */
  readonly dimRanges?: readonly (DimRange | undefined)[];
}

/** A tensor the binding hands back: a fresh buffer the caller owns. */
export interface OutputTensor {
  readonly elementType: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** How one input's layout is declared: `tensor` is what clients send, `model` what it expects. */
export interface InputLayout {
  readonly tensor?: string;
  readonly model: string;
}

export interface OvBinding {
  readonly kind: BindingKind;
  availableDevices(): string[];
  /** Reads IR (`weightsPath` = the .bin) or ONNX (no weights path). */
  readModel(modelPath: string, weightsPath?: string): Promise<OvModel>;
}

export interface OvModel {
  /** Ports before compiling; openvino-node reports element type `dynamic` here. */
  inputs(): PortInfo[];
  outputs(): PortInfo[];
  /** Reshapes the named inputs; dims of -1 become dynamic, ranges bounded intervals. */
  reshape(shapes: ReadonlyMap<string, readonly ShapeDim[]>): void;
  /**
   * Declares layouts with pre/post-processing; where `tensor` differs from `model` OpenVINO
   * adds the transpose, so the input port afterwards has the tensor layout's order.
   */
  applyLayouts(layouts: ReadonlyMap<string, InputLayout>): void;
  compile(device: string, properties: Readonly<Record<string, string>>): Promise<OvCompiledModel>;
  free(): void;
}

export interface OvCompiledModel {
  /** Ports as compiled: the metadata the engine serves. */
  inputs(): PortInfo[];
  outputs(): PortInfo[];
  /** OPTIMAL_NUMBER_OF_INFER_REQUESTS of the compiled model. */
  optimalInferRequests(): number;
  /**
   * NUM_STREAMS of the compiled model (OVMS's `ovms_streams`); undefined where the device does
   * not report it (some AUTO/MULTI/HETERO combinations).
   */
  numStreams(): number | undefined;
  createInferRequest(): OvInferRequest;
  free(): void;
}

export interface OvInferRequest {
  /**
   * Sets `data` as input `index`: wrapped without a copy, or (C API, small inputs) copied into
   * a tensor the request owns. Either way the caller keeps `data` alive and unchanged until
   * `infer()` settles, and calls setInput before every infer.
   */
  setInput(index: number, elementType: string, shape: readonly number[], data: Uint8Array): void;
  /**
   * Runs inference off the event loop: started on the engine's own stream threads and waited
   * for on a pool thread (`engine`, the default), or run on the pool thread (`pool`). A
   * binding with one way ignores the choice.
   */
  infer(on?: 'engine' | 'pool'): Promise<void>;
  /**
   * Runs inference on the calling thread, blocking it (InferPlacement decides when that is
   * cheaper); absent where the binding has no synchronous call.
   */
  inferSync?(): void;
  /** Output `index` of the last infer, copied into a buffer the caller owns. */
  getOutput(index: number): OutputTensor;
  free(): void;
}
