import type { ChannelOptions } from '@grpc/grpc-js';
import type {
  InputsError,
  LoopInferred,
  LoopLifecycleMessage,
  ServerTls,
  WireTensor,
} from '@ovms/core';

export { fromWireTensors, toWireTensors } from '@ovms/core';
export type { InputsError, WireTensor } from '@ovms/core';

/** A gRPC status as the main thread decided it, for the loop to answer with. */
export interface WireStatus {
  readonly code: number;
  readonly details: string;
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
  | LoopInferred
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
