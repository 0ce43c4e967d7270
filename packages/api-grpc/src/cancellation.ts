/** The part of a grpc-js server call that reports cancellation (unary and streaming alike). */
export interface CancellableCall {
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
}

/**
 * An AbortSignal that fires when the client cancels the call or its deadline passes, so the
 * servable can drop work nobody will read.
 */
export function abortSignalOf(call: CancellableCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.once('cancelled', () => controller.abort());
  return controller.signal;
}
