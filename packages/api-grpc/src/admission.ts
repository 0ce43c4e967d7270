import { ServerInterceptingCall, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServerInterceptor, ServiceDefinition } from '@grpc/grpc-js';
import { toServingError } from '@ovms/core';
import type { MemoryBudget, MemoryLease } from '@ovms/core';

/**
 * The wire size of each request message, remembered by the deserializer (the only place that
 * sees the bytes) for the admission interceptor, which sees only the decoded message.
 */
export type MessageSizes = WeakMap<object, number>;

/** `definition` with request deserializers that record each message's size in `sizes`. */
export function measuredDefinition(
  definition: ServiceDefinition,
  sizes: MessageSizes,
): ServiceDefinition {
  const measure = (method: ServiceDefinition[string]): ServiceDefinition[string] => {
    const deserialize = method.requestDeserialize;
    return {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        const message: unknown = deserialize(bytes);
        if (typeof message === 'object' && message !== null) sizes.set(message, bytes.length);
        return message;
      },
    };
  };
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [name, measure(method)]),
  );
}

/**
 * Admits every request message against the server-wide memory budget: a message the budget
 * cannot hold ends its call at once with RESOURCE_EXHAUSTED and OVMS's message, before any
 * handler sees it. A message's lease lasts until its answer is serialized (answers come in
 * request order, streams included), the call ends, or the client cancels.
 */
export function admissionInterceptor(budget: MemoryBudget, sizes: MessageSizes): ServerInterceptor {
  return (_method, call) => {
    const leases: MemoryLease[] = [];
    let refused = false;
    const releaseAll = (): void => {
      for (const lease of leases.splice(0)) lease.release();
    };
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMessage: (message: object, nextMessage) => {
            if (refused) return;
            try {
              leases.push(budget.admit(sizes.get(message) ?? 0));
            } catch (error) {
              refused = true;
              releaseAll();
              call.sendStatus({
                code: GrpcStatus.RESOURCE_EXHAUSTED,
                details: toServingError(error).message,
              });
              return;
            }
            nextMessage(message);
          },
          // A refused call has answered: its handler must not run on a missing message.
          onReceiveHalfClose: (nextHalfClose) => {
            if (!refused) nextHalfClose();
          },
          onCancel: releaseAll,
        });
      },
      sendMessage: (message: unknown, next) => {
        // `next` serializes the answer synchronously; the request's bytes are free after it.
        next(message);
        leases.shift()?.release();
      },
      sendStatus: (status, next) => {
        releaseAll();
        next(status);
      },
    });
  };
}
