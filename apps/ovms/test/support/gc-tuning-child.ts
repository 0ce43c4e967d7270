// Run by gc-tuning.test.ts (with --expose-gc): applies the server's GC tuning unless a node flag
// overrides it, then lets tensor-sized buffers reach the old generation as in-flight requests'
// buffers do, and prints how many full collections freeing them took.
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { tuneGarbageCollector } from '../../src/gc-tuning.js';

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const tuning = tuneGarbageCollector(process.execArgv);
// A live JS heap of a server's size (its modules, tables, caches): what a full GC marks.
const live = Array.from({ length: 200_000 }, (_, i) => ({ i, name: `entry ${i}` }));
gc(); // as start-up's collections would have: limits now follow the live heap
let fullCollections = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections += 1;
  }
});
observer.observe({ entryTypes: ['gc'] });
for (let request = 0; request < 250; request += 1) {
  const tensor = Buffer.allocUnsafe(2_000_000).fill(request);
  // Two scavenges while the request is in flight promote its buffer to the old generation.
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  await new Promise((resolve) => setTimeout(resolve, 1));
  if (tensor[0] !== request % 256) throw new Error('unreachable: keeps the buffer alive');
}
observer.disconnect();
process.stdout.write(JSON.stringify({ tuning, fullCollections, live: live.length }));
