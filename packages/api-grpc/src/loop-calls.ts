import { status as GrpcStatus } from '@grpc/grpc-js';
import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { ServingError } from '@ovms/core';
import { observeModelCall } from './answer.js';
import type { MethodLabel } from './answer.js';
import { acquireServable, releaseSubject } from './handler-context.js';
import type { HandlerContext } from './handler-context.js';
import { fromWireTensors, toWireTensors } from './loop-protocol.js';
import type {
  ForwardedService,
  HostMessage,
  LoopInferMethod,
  LoopMessage,
} from './loop-protocol.js';

/** An answer for a loop and the buffers it hands over. */
export interface LoopAnswer {
  readonly message: HostMessage;
  readonly transfer: ArrayBuffer[];
}

/**
 * What the main thread does for transport loops: the model calls they decoded (leases,
 * statistics and metrics taken here, so they count across loops by construction) and the
 * unary RPCs they forward whole.
 */
export interface LoopCalls {
  infer(message: Extract<LoopMessage, { kind: 'infer' }>, signal: AbortSignal): Promise<LoopAnswer>;
  call(message: Extract<LoopMessage, { kind: 'call' }>): Promise<LoopAnswer>;
}

const LABELS: Record<LoopInferMethod, MethodLabel> = {
  Predict: { api: 'TensorFlowServing', method: 'Predict' },
  ModelInfer: { api: 'KServe', method: 'ModelInfer' },
  ModelInferStream: { api: 'KServe', method: 'ModelInferStream' },
};

type Implementations = Record<ForwardedService, { readonly implementation: object }>;

/** LoopCalls over the handlers' context and the services whose RPCs loops forward. */
export function createLoopCalls(ctx: HandlerContext, services: Implementations): LoopCalls {
  return {
    async infer(message, signal) {
      const transfer: ArrayBuffer[] = [];
      const outcome = await observeModelCall(ctx, LABELS[message.method], async (subject) => {
        const servable = await acquireServable(ctx, subject, message.name, message.version);
        // Decoding failed in the loop: answered after the lookup, as in one thread (OVMS order).
        if (!Array.isArray(message.inputs)) {
          const failure = message.inputs as Exclude<typeof message.inputs, readonly unknown[]>;
          throw new ServingError(failure.code, failure.detail);
        }
        const outputs = await servable.infer({
          inputs: fromWireTensors(message.inputs),
          outputs: message.outputs,
          signal,
        });
        // Copied out of the engine's buffers while the lease holds them.
        return {
          name: servable.name,
          version: servable.version,
          outputs: toWireTensors(outputs, transfer),
        };
      });
      releaseSubject(ctx, outcome.subject);
      return outcome.ok
        ? { message: { kind: 'inferred', id: message.id, ...outcome.response }, transfer }
        : { message: { kind: 'failed', id: message.id, status: outcome.status }, transfer: [] };
    },
    call(message) {
      const implementation = services[message.service].implementation as Record<
        string,
        handleUnaryCall<unknown, unknown> | undefined
      >;
      const handler = implementation[message.method];
      // The forwarded handlers read nothing of the call but its request.
      const call = { request: message.request } as ServerUnaryCall<unknown, unknown>;
      return new Promise<LoopAnswer>((resolve) => {
        if (handler === undefined) {
          const details = `${message.service} has no method ${message.method}`;
          resolve({
            message: {
              kind: 'failed',
              id: message.id,
              status: { code: GrpcStatus.UNIMPLEMENTED, details },
            },
            transfer: [],
          });
          return;
        }
        handler(call, (error, response) => {
          resolve({
            message:
              error === null || error === undefined
                ? { kind: 'answered', id: message.id, response }
                : {
                    kind: 'failed',
                    id: message.id,
                    status: {
                      code: error.code ?? GrpcStatus.UNKNOWN,
                      details: error.details ?? '',
                    },
                  },
            transfer: [],
          });
        });
      });
    },
  };
}
