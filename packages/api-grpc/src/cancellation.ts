/** The part of a grpc-js server call that reports cancellation (unary and streaming alike). */
export interface CancellableCall {
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/**
 * An AbortSignal that fires when the client cancels the call or its deadline passes, so the
 * servable can drop work nobody will read.
 */
export function abortSignalOf(call: CancellableCall): AbortSignal {
  return watchCancellation(call).signal;
}

/** A call's abort signal, and the way to stop watching once the call is answered. */
export interface CallCancellation {
  readonly signal: AbortSignal;
  /**
   * The call has been answered: stop listening. grpc-js emits `cancelled` whenever the HTTP/2
   * stream closes, after a normal answer too; aborting then would build a DOMException (with
   * a stack trace) per request for nothing — a few percent of a tiny model's server CPU.
   */
  readonly settle: () => void;
}

/** Like `abortSignalOf`, for unary calls that know when they have answered. */
export function watchCancellation(call: CancellableCall): CallCancellation {
  const controller = new AbortController();
  if (call.cancelled) {
    controller.abort();
    return { signal: controller.signal, settle: () => {} };
  }
  const onCancelled = (): void => controller.abort();
  call.once('cancelled', onCancelled);
  return {
    signal: controller.signal,
    settle: () => void call.removeListener('cancelled', onCancelled),
  };
}
