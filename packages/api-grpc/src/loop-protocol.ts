import type { ChannelOptions } from '@grpc/grpc-js';
import type { LoopLifecycleMessage, ServerTls, StatusCode, Tensor, TensorMap } from '@ovms/core';

/**
 * A tensor as it crosses between a transport loop and the main thread: its bytes in one
 * ArrayBuffer of its own, transferred rather than cloned (a view's clone would copy the whole
 * buffer under it: the request message, or a pooled slab). BYTES elements are packed one after
 * the other, `lengths` telling them apart.
 */
export interface WireTensor {
  readonly name: string;
  readonly dtype: Tensor['dtype'];
  readonly shape: readonly number[];
  readonly data: Uint8Array;
  readonly lengths: readonly number[] | undefined;
}

/** A gRPC status as the main thread decided it, for the loop to answer with. */
export interface WireStatus {
  readonly code: number;
  readonly details: string;
}

/** Why a loop could not decode a request's inputs: a ServingError's code and detail. */
export interface InputsError {
  readonly code: StatusCode;
  readonly detail: string | undefined;
}

/** The model calls a loop runs in the main thread (OVMS's method labels). */
export type LoopInferMethod = 'Predict' | 'ModelInfer' | 'ModelInferStream';

/** Messages from a loop to the main thread. */
export type LoopMessage =
  | LoopLifecycleMessage
  | {
      readonly kind: 'infer';
      readonly id: number;
      readonly method: LoopInferMethod;
      readonly name: string;
      readonly version: number | undefined;
      /** The decoded inputs, or why they could not be decoded (answered after the lookup). */
      readonly inputs: readonly WireTensor[] | InputsError;
      readonly outputs: readonly string[];
    }
  | { readonly kind: 'cancel'; readonly id: number }
  | {
      readonly kind: 'call';
      readonly id: number;
      readonly service: ForwardedService;
      readonly method: string;
      readonly request: unknown;
    };

/** Messages from the main thread to a loop. */
export type HostMessage =
  | {
      readonly kind: 'inferred';
      readonly id: number;
      readonly name: string;
      readonly version: number;
      readonly outputs: readonly WireTensor[];
    }
  | { readonly kind: 'answered'; readonly id: number; readonly response: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly status: WireStatus }
  | { readonly kind: 'ready'; readonly ready: boolean }
  | { readonly kind: 'stop'; readonly graceMs: number };

/** The services whose unary RPCs a loop forwards whole to the main thread. */
export type ForwardedService = 'predictionService' | 'modelService' | 'inferenceService';

/** What a loop is started with (structured-cloned into the worker). */
export interface LoopWorkerData {
  readonly loop: number;
  readonly host: string;
  readonly port: number;
  readonly channelOptions: ChannelOptions;
  readonly maxMessageBytes: number;
  readonly tls: ServerTls | undefined;
  readonly apiKey: string | undefined;
  /** The shared memory budget's counter and cap (see createSharedMemoryBudget). */
  readonly budget: { readonly buffer: SharedArrayBuffer; readonly limitBytes: number };
  readonly ready: boolean;
}

/** `tensors` as WireTensors, each copied into a buffer of its own listed in `transfer`. */
export function toWireTensors(tensors: TensorMap, transfer: ArrayBuffer[]): WireTensor[] {
  const wire: WireTensor[] = [];
  for (const [name, tensor] of tensors) {
    let data: Uint8Array;
    let lengths: number[] | undefined;
    if (tensor.dtype === 'BYTES') {
      lengths = tensor.data.map((element) => element.byteLength);
      data = new Uint8Array(new ArrayBuffer(lengths.reduce((sum, length) => sum + length, 0)));
      let offset = 0;
      for (const element of tensor.data) {
        data.set(element, offset);
        offset += element.byteLength;
      }
    } else {
      data = new Uint8Array(new ArrayBuffer(tensor.data.byteLength));
      data.set(tensor.data);
    }
    transfer.push(data.buffer as ArrayBuffer);
    wire.push({ name, dtype: tensor.dtype, shape: tensor.shape, data, lengths });
  }
  return wire;
}

/** The TensorMap of WireTensors received (views of their buffers, no copy). */
export function fromWireTensors(wire: readonly WireTensor[]): TensorMap {
  const tensors: TensorMap = new Map();
  for (const tensor of wire) {
    if (tensor.dtype === 'BYTES') {
      const elements: Uint8Array[] = [];
      let offset = 0;
      for (const length of tensor.lengths ?? []) {
        elements.push(tensor.data.subarray(offset, offset + length));
        offset += length;
      }
      tensors.set(tensor.name, { dtype: 'BYTES', shape: tensor.shape, data: elements });
    } else {
      tensors.set(tensor.name, { dtype: tensor.dtype, shape: tensor.shape, data: tensor.data });
    }
  }
  return tensors;
}
