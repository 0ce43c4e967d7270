import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchCancellation } from './cancellation.js';

/** The part of a grpc-js call cancellation reads: a flag and the `cancelled` event. */
class FakeCall extends EventEmitter {
  cancelled = false;
}

describe('watchCancellation', () => {
  it('aborts when the client cancels before the answer', () => {
    const call = new FakeCall();
    const { signal } = watchCancellation(call);
    call.emit('cancelled');
    expect(signal.aborted).toBe(true);
  });

  it('does not abort for the stream close that follows an answer', () => {
    // grpc-js emits `cancelled` on every stream close, a normal end included.
    const call = new FakeCall();
    const { signal, settle } = watchCancellation(call);
    settle();
    call.emit('cancelled');
    expect({ aborted: signal.aborted, listeners: call.listenerCount('cancelled') }).toEqual({
      aborted: false,
      listeners: 0,
    });
  });

  it('starts aborted for a call already cancelled', () => {
    const call = new FakeCall();
    call.cancelled = true;
    expect(watchCancellation(call).signal.aborted).toBe(true);
  });
});
