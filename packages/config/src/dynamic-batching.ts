import type { DynamicBatchingSettings } from '@ovms/core';
import { isPlainObject, parseJsonObject } from './shape-layout.js';
import { fail, ok, show } from './setting-result.js';
import type { SettingResult } from './setting-result.js';

const KEYS = ['max_batch_size', 'max_queue_delay_microseconds', 'preferred_batch_size'];

const isInteger = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/**
 * `dynamic_batching` (ovms-ts extension, Triton's key): `{"max_batch_size": N ≥ 1,
 * "max_queue_delay_microseconds": D ≥ 0, "preferred_batch_size": [sizes ≤ N]}`, the delay
 * defaulting to 0 as in Triton; also accepted as a JSON string, as the CLI passes it.
 */
export function parseDynamicBatching(value: unknown): SettingResult<DynamicBatchingSettings> {
  if (typeof value === 'string') {
    const parsed = parseJsonObject(value, 'dynamic_batching');
    return parsed.ok ? parseDynamicBatching(parsed.value) : parsed;
  }
  if (!isPlainObject(value))
    return fail(
      `expected an object like {"max_batch_size": 16, "max_queue_delay_microseconds": 500}; got ${show(value)}`,
    );
  const unknown = Object.keys(value).find((key) => !KEYS.includes(key));
  if (unknown !== undefined)
    return fail(`unknown key ${show(unknown)}; expected ${KEYS.join(', ')}`);
  const max = value['max_batch_size'];
  if (!isInteger(max, 1)) return fail(`max_batch_size must be an integer >= 1; got ${show(max)}`);
  const delay = value['max_queue_delay_microseconds'] ?? 0;
  if (!isInteger(delay, 0))
    return fail(`max_queue_delay_microseconds must be an integer >= 0; got ${show(delay)}`);
  const preferred = value['preferred_batch_size'];
  if (preferred === undefined) return ok({ maxBatchSize: max, maxQueueDelayUs: delay });
  if (!Array.isArray(preferred) || !preferred.every((size) => isInteger(size, 1) && size <= max))
    return fail(
      `preferred_batch_size must be an array of integers from 1 to max_batch_size (${max}); got ${show(preferred)}`,
    );
  return ok({
    maxBatchSize: max,
    maxQueueDelayUs: delay,
    preferredBatchSizes: preferred as number[],
  });
}
