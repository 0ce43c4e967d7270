import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ovms/core';
import type { S3RetryOptions } from './s3-options.js';
import { classifyS3Error, isRetryable, s3ServingError } from './s3-errors.js';
import type { S3ErrorContext } from './s3-errors.js';

export interface RetryContext extends Omit<S3ErrorContext, 'attempts'> {
  readonly retry: Required<S3RetryOptions>;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
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
      const failure = classifyS3Error(error);
      if (!isRetryable(failure) || attempt >= retry.attempts)
        throw s3ServingError(error, { ...context, attempts: attempt });
      const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      logger.warn(
        { uri: context.uri, attempt, attempts: retry.attempts, delayMs, code: failure.code },
        `S3 request for ${context.uri} failed (${failure.code}); retrying in ${delayMs} ms`,
      );
      try {
        await sleep(delayMs, undefined, signal ? { signal } : {});
      } catch {
        throw signal?.reason;
      }
    }
  }
}
