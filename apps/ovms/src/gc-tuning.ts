import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past the live heap before the next full collection:
 * limit = live × (1 + percent/100). V8 picks the factor from its own allocation rate, which
 * does not see tensor buffers: a server allocates little JS but many megabytes of ArrayBuffers
 * per request, and V8 counts those bytes against the same limit. With its chosen factor (1.1
 * for this server's ~20 MB heap) a 4.9 MB PP-OCR request started a full mark of the heap on
 * every request; at 300 it is one in ~8 and det throughput rose ~1.4× (docs/performance.md).
 * The price is memory: up to ~3× the live JS heap of garbage (~60 MB here) before a collection.
 */
export const HEAP_GROWING_PERCENT = 300;

const FLAG = '--heap-growing-percent';

/** What `tuneGarbageCollector` did: `user` when a node flag already set the percentage. */
export interface GcTuning {
  readonly heapGrowingPercent: number | 'v8-default';
  readonly source: 'ovms' | 'user';
}

/**
 * Sets HEAP_GROWING_PERCENT unless the user chose a value with a node flag
 * (`node --heap-growing-percent=N`; 0 = V8's own choice). V8 reads the flag each time it
 * recomputes its limits, so setting it at start-up applies to the whole run. NODE_OPTIONS
 * cannot carry this flag (Node refuses it there), so only the command line is looked at.
 */
export function tuneGarbageCollector(execArgv: readonly string[]): GcTuning {
  const given = execArgv
    .map((flag) => flag.replaceAll('_', '-'))
    .findLast((flag) => flag.startsWith(`${FLAG}=`));
  if (given !== undefined) {
    const value = Number(given.slice(FLAG.length + 1));
    return { heapGrowingPercent: value > 0 ? value : 'v8-default', source: 'user' };
  }
  setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return { heapGrowingPercent: HEAP_GROWING_PERCENT, source: 'ovms' };
}
