// The main thread's side of the KServe infers REST transport loops decode themselves: the
// model call alone, with its lease, statistics and metrics, as the app's own infer route runs it.
import { ServingError, fromWireTensors, toServingError, toWireTensors } from '@ovms/core';
import type { ServableLease, TensorSpec } from '@ovms/core';
import type { RestDeps } from './context.js';
import type {
  LoopInferAccess,
  LoopInferApi,
  RestHostMessage,
  RestLoopMessage,
} from './rest-loop-protocol.js';
import { trackCall } from './request-metrics.js';
import type { ModelCall } from './request-metrics.js';

/** What loops need of an app to answer its infers as it would. */
export interface LoopInferSide {
  readonly deps: RestDeps;
  readonly access: LoopInferAccess;
}

// Keyed by the app itself, so that loops take the very options it was made with.
const sides = new WeakMap<object, LoopInferSide>();

/** Records what loops serving `app` need to decode its infers (createRestApp calls it). */
export function registerLoopInfer(app: object, side: LoopInferSide): void {
  sides.set(app, side);
}

/** The side registered for `app`; absent (an app made otherwise): loops forward every request. */
export function loopInferSide(app: object): LoopInferSide | undefined {
  return sides.get(app);
}

/** An answer for a loop and the buffers it hands over. */
export interface LoopInferAnswer {
  readonly message: RestHostMessage;
  readonly transfer: ArrayBuffer[];
}

/** OVMS method labels of the infers loops decode. */
const CALLS: Readonly<Record<LoopInferApi, Pick<ModelCall, 'api' | 'method'>>> = {
  KServe: { api: 'KServe', method: 'ModelInfer' },
  TensorFlowServing: { api: 'TensorFlowServing', method: 'Predict' },
};

// A key per input-spec list: a model version reloaded with other specs gets a new list.
const specKeys = new WeakMap<readonly TensorSpec[], number>();
let lastKey = 0;
function keyOf(inputs: readonly TensorSpec[]): number {
  let key = specKeys.get(inputs);
  if (key === undefined) specKeys.set(inputs, (key = lastKey += 1));
  return key;
}

/** The input specs of a model version for a loop; undefined when the lookup fails. */
export async function loopSpecs(
  deps: RestDeps,
  message: Extract<RestLoopMessage, { kind: 'specs' }>,
): Promise<RestHostMessage> {
  try {
    await using lease = await deps.provider.acquire(message.name, message.version);
    const { inputs } = lease.servable;
    // Only what decoding reads, as plain data the message can carry.
    const plain = inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
    return { kind: 'specs', id: message.id, specs: { key: keyOf(inputs), inputs: plain } };
  } catch {
    return { kind: 'specs', id: message.id, specs: undefined };
  }
}

/**
 * Runs an infer a loop decoded: the lookup first, then (if the loop decoded with specs the
 * model no longer has) `stale`, for the loop to send the request whole; then the loop's
 * decoding failure if any (OVMS's order, as in one thread), then the model. Outputs are copied
 * out of the engine's buffers while the lease holds them. A failure is answered whole, as the
 * app answers it.
 */
export async function runLoopInfer(
  deps: RestDeps,
  message: Extract<RestLoopMessage, { kind: 'infer' }>,
  signal: AbortSignal,
): Promise<LoopInferAnswer> {
  const { id, name, outputs: wanted } = message;
  // The request time counts the lookup, as the app's route does.
  const started = performance.now();
  let lease: ServableLease | undefined;
  let lookupFailure: unknown;
  try {
    lease = await deps.provider.acquire(name, message.version);
  } catch (thrown) {
    lookupFailure = thrown;
  }
  if (
    lease !== undefined &&
    message.specs !== undefined &&
    keyOf(lease.servable.inputs) !== message.specs
  ) {
    await lease[Symbol.asyncDispose]();
    return { message: { kind: 'stale', id }, transfer: [] };
  }
  const transfer: ArrayBuffer[] = [];
  const call: ModelCall = { ...CALLS[message.api], name, version: message.version };
  const outcome = await trackCall(
    deps.metrics,
    deps.logger,
    call,
    async (tracked) => {
      if (lease === undefined) throw toServingError(lookupFailure);
      await using held = lease;
      const servable = held.servable;
      tracked.version = servable.version;
      if (!Array.isArray(message.inputs)) {
        const failure = message.inputs as Exclude<typeof message.inputs, readonly unknown[]>;
        throw new ServingError(failure.code, failure.detail);
      }
      const outputs = await servable.infer({
        inputs: fromWireTensors(message.inputs),
        signal,
        ...(wanted !== undefined && { outputs: wanted }),
      });
      return {
        name: servable.name,
        version: servable.version,
        outputs: toWireTensors(outputs, transfer),
      };
    },
    started,
  );
  if (outcome.ok) return { message: { kind: 'inferred', id, ...outcome.value }, transfer };
  const { response } = outcome;
  const body = new Uint8Array(await response.arrayBuffer());
  return {
    message: { kind: 'refused', id, status: response.status, headers: [...response.headers], body },
    transfer: [body.buffer],
  };
}
