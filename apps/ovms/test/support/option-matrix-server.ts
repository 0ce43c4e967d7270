import { expect } from 'vitest';
import { escapeRegExp } from './option-matrix.js';

/**
 * Why loads of `model` failed, from the server's JSON log: OVMS status replies carry only the
 * code (UNKNOWN), the log line says what was wrong.
 */
function loadFailureReasons(log: string, model: string): string[] {
  const reasons: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { model?: unknown; reason?: unknown };
    if (entry.model === model && typeof entry.reason === 'string') reasons.push(entry.reason);
  }
  return reasons;
}

/** `GET /metrics` samples of `metric` for `model`, e.g. `{name="m",version="1"} 2` lines. */
export async function metricSamples(
  restUrl: string,
  metric: string,
  model: string,
): Promise<string[]> {
  const response = await fetch(`${restUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(`name="${model}"`));
}

/** Asserts that a load of `model` failed with a reason that holds every one of `words`. */
export function expectLoadRefused(log: string, model: string, words: readonly string[]): void {
  const naming = words.map((word) => `(?=.*${escapeRegExp(word)})`).join('');
  expect(loadFailureReasons(log, model), `why ${model} did not load`).toEqual(
    expect.arrayContaining([expect.stringMatching(new RegExp(naming))]),
  );
}
