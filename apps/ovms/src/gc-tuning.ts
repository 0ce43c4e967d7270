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

const GROWING_FLAG = '--heap-growing-percent';
const PRETENURING_FLAG = '--allocation-site-pretenuring';

/** What `tuneGarbageCollector` did; `source: 'user'` where a node flag already chose. */
export interface GcTuning {
  readonly heapGrowingPercent: number | 'v8-default';
  readonly source: 'ovms' | 'user';
  /**
   * V8's allocation-site pretenuring (objects of a site that once survived are allocated old).
   * Off unless a node flag turns it on: a request's objects come from the same sites as the
   * long-lived ones of start-up, and pretenured they reach the old generation, where only full
   * collections free them. Measured on a tiny model at 1 in flight (docs/performance.md): with
   * it, ~10 KB per request landed there, scavenges took 7–8 ms instead of ~1 and a full
   * collection ran every ~2.5 s.
   */
  readonly pretenuring: boolean;
  readonly pretenuringSource: 'ovms' | 'user';
}

/** The last of `execArgv`'s flags named `name` (or `--no-` it), either spelling; undefined if none. */
function lastFlag(execArgv: readonly string[], name: string): string | undefined {
  const negated = `--no-${name.slice(2)}`;
  return execArgv
    .map((flag) => flag.replaceAll('_', '-'))
    .findLast(
      (flag) =>
        flag.startsWith(`${name}=`) ||
        flag === name ||
        flag === negated ||
        flag.startsWith(`${negated}=`),
    );
}

/**
 * Sets HEAP_GROWING_PERCENT and turns pretenuring off, each unless the user chose with a node
 * flag (`node --heap-growing-percent=N`, 0 = V8's own choice; `node
 * --allocation-site-pretenuring`). V8 reads both flags each time it uses them, so setting them
 * at start-up applies to the whole run. NODE_OPTIONS cannot carry them (Node refuses them
 * there), so only the command line is looked at.
 */
export function tuneGarbageCollector(execArgv: readonly string[]): GcTuning {
  const growing = lastFlag(execArgv, GROWING_FLAG);
  const pretenuring = lastFlag(execArgv, PRETENURING_FLAG);
  if (pretenuring === undefined) setFlagsFromString(`--no-${PRETENURING_FLAG.slice(2)}`);
  const pretenuringTuning = {
    pretenuring: pretenuring !== undefined && !pretenuring.startsWith('--no-'),
    pretenuringSource: pretenuring === undefined ? 'ovms' : 'user',
  } as const;
  if (growing !== undefined) {
    const value = Number(growing.slice(GROWING_FLAG.length + 1));
    return {
      heapGrowingPercent: value > 0 ? value : 'v8-default',
      source: 'user',
      ...pretenuringTuning,
    };
  }
  setFlagsFromString(`${GROWING_FLAG}=${HEAP_GROWING_PERCENT}`);
  return { heapGrowingPercent: HEAP_GROWING_PERCENT, source: 'ovms', ...pretenuringTuning };
}
