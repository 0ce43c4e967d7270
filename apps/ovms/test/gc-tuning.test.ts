import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, tuneGarbageCollector } from '../src/gc-tuning.js';
import { run } from './support/process.js';

const CHILD = fileURLToPath(new URL('./support/gc-tuning-child.ts', import.meta.url));

interface ChildReport {
  readonly tuning: { heapGrowingPercent: number | string; source: string };
  readonly fullCollections: number;
}

async function runChild(nodeFlags: readonly string[]): Promise<ChildReport> {
  const result = await run(process.execPath, [
    '--expose-gc',
    ...nodeFlags,
    '--conditions=@ovms/source',
    '--import',
    'tsx',
    CHILD,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ChildReport;
}

describe('tuneGarbageCollector', () => {
  it("leaves a user's --heap-growing-percent alone, in either spelling; 0 is V8's own choice", () => {
    expect(tuneGarbageCollector(['--heap-growing-percent=50'])).toEqual({
      heapGrowingPercent: 50,
      source: 'user',
    });
    expect(tuneGarbageCollector(['--heap_growing_percent=0', '--inspect'])).toEqual({
      heapGrowingPercent: 'v8-default',
      source: 'user',
    });
  });

  it('frees promoted tensor buffers with far fewer full collections than V8 alone', async () => {
    const tuned = await runChild([]);
    const untuned = await runChild(['--heap-growing-percent=0']);
    expect(tuned.tuning).toEqual({ heapGrowingPercent: HEAP_GROWING_PERCENT, source: 'ovms' });
    expect(untuned.tuning).toEqual({ heapGrowingPercent: 'v8-default', source: 'user' });
    // 500 MB of buffers reach the old generation. Measured on Node 24: V8 alone 11-16 full
    // collections (its limit sits ~10% over the 20 MB live heap; fewer when the machine is busy,
    // as concurrent marking then finishes later), tuned 7 (every ~60 MB).
    expect(untuned.fullCollections).toBeGreaterThan(1.4 * Math.max(1, tuned.fullCollections));
  });
});
