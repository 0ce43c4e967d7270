import type { BatchingBenchOptions } from './bench.js';

/** The batching bench's settings from the BENCH_* variables both runners document. */
export function batchingOptionsFromEnv(env: NodeJS.ProcessEnv): BatchingBenchOptions {
  return {
    settings: {
      seconds: Number(env['BENCH_SECONDS'] ?? 2),
      widths: (env['BENCH_BATCHING_CONCURRENCY'] ?? '1,4,16,64').split(',').map(Number),
      nireq: Number(env['BENCH_OV_NIREQ'] ?? 2),
      batchingNireq: Number(env['BENCH_BATCHING_NIREQ'] ?? 1),
      maxBatchSize: Number(env['BENCH_BATCHING_MAX'] ?? 16),
      maxQueueDelayUs: Number(env['BENCH_BATCHING_DELAY_US'] ?? 1000),
      rounds: Number(env['BENCH_BATCHING_ROUNDS'] ?? 2),
    },
    env,
    log: (line) => console.error(line),
  };
}
