import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ovms/core';
import { failureError, isRetryable } from './storage-failure.js';
import type { Failure, FailureContext } from './storage-failure.js';

/** Bounded retries of retryable failures (network errors, throttling, 5xx, corrupted transfers). */
export interface RetryOptions {
  /** Tries in all, the first included (default 4). */
  readonly attempts: number;
  /** Delay before the second try; each later one doubles it, with jitter (default 200 ms). */
  readonly baseDelayMs: number;
  /** Upper bound of one delay (default 5 s). */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

export interface RetryContext extends Omit<FailureContext, 'attempts'> {
  readonly retry: Required<RetryOptions>;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  readonly classify: (error: unknown) => Failure;
}

/**
 * Runs `operation` until it succeeds, fails for good, or has used `retry.attempts` tries; the
 * delay doubles from `baseDelayMs` (capped) with jitter, so a throttled store is not hammered
 * by every model at once. Failures become ServingErrors naming the location; an abort ends the
 * wait at once and throws the signal's reason, untranslated.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  context: RetryContext,
): Promise<T> {
  const { retry, logger, signal } = context;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = context.classify(error);
      if (!isRetryable(failure) || attempt >= retry.attempts)
        throw failureError(error, failure, { ...context, attempts: attempt });
      const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      logger.warn(
        { uri: context.uri, attempt, attempts: retry.attempts, delayMs, code: failure.code },
        `${context.service ?? 'storage'} request for ${context.uri} failed (${failure.code}); retrying in ${delayMs} ms`,
      );
      try {
        await sleep(delayMs, undefined, signal ? { signal } : {});
      } catch {
        throw signal?.reason;
      }
    }
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts: for SDK
 * calls that take no signal, so an abort is not held up by a slow request (which finishes, or
 * times out, in the background).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown as received
        reject(error);
      },
    );
  });
}
