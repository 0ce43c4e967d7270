// Run by gc-tuning.test.ts (with --expose-gc): applies the server's GC tuning unless a node flag
// overrides it, teaches V8 that one allocation site's objects survive (as start-up's do), then
// makes short-lived objects at the same site (as requests do) and prints how many megabytes of
// them the old generation took: pretenured, they skip the young generation.
import { getHeapSpaceStatistics } from 'node:v8';
import { tuneGarbageCollector } from '../../src/gc-tuning.js';

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const tuning = tuneGarbageCollector(process.execArgv);
const oldSpaceUsed = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
const make = (i: number) => ({ i, pair: [i, i + 1], name: `request ${i}` });

const kept: ReturnType<typeof make>[] = [];
for (let round = 0; round < 6; round += 1) {
  for (let i = 0; i < 200_000; i += 1) kept.push(make(i));
  gc({ type: 'minor' });
}
// Start-up's objects stay alive, as a server's do: a full collection during the requests then
// frees nothing of theirs; two scavenges promote the last of them, so the old generation's
// growth below is the requests' objects alone.
gc({ type: 'minor' });
gc({ type: 'minor' });
const before = oldSpaceUsed();
let sum = 0;
for (let i = 0; i < 2_000_000; i += 1) sum += make(i).pair[1] ?? 0;
const oldGrowthMb = (oldSpaceUsed() - before) / 1e6;
process.stdout.write(JSON.stringify({ tuning, oldGrowthMb, kept: kept.length, sum: sum > 0 }));
