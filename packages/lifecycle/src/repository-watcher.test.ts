import { describe, expect, it } from 'vitest';
import { createRecordingLogger } from '@ovms/testing';
import { eventually } from '../test/fakes.js';
import { RepositoryWatcher } from './repository-watcher.js';

describe('RepositoryWatcher', () => {
  it('runs passes one at a time and keeps polling after a failed pass', async () => {
    const logger = createRecordingLogger();
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const watcher = new RepositoryWatcher({
      intervalMs: 5,
      logger,
      pass: async () => {
        running += 1;
        overlapped ||= running > 1;
        passes += 1;
        await new Promise((resolve) => setTimeout(resolve, 15));
        running -= 1;
        if (passes === 1) throw new Error('bucket unreachable');
      },
    });
    watcher.start();
    await eventually(() => expect(passes).toBeGreaterThanOrEqual(3));
    await watcher.stop();
    expect(overlapped).toBe(false);
    expect(running).toBe(0);
    expect(logger.records[0]).toMatchObject({
      level: 'error',
      msg: 'Repository poll failed',
      fields: { error: 'bucket unreachable' },
    });
  });

  it('stop waits for the pass in progress and schedules no more', async () => {
    let passes = 0;
    let finished = false;
    const watcher = new RepositoryWatcher({
      intervalMs: 1,
      logger: createRecordingLogger(),
      pass: async () => {
        passes += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
    });
    watcher.start();
    await eventually(() => expect(passes).toBe(1));
    await watcher.stop();
    expect(finished).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(passes).toBe(1);
  });

  it('does nothing when polling is disabled (interval 0)', async () => {
    let passes = 0;
    const watcher = new RepositoryWatcher({
      intervalMs: 0,
      logger: createRecordingLogger(),
      pass: () => Promise.resolve(void (passes += 1)),
    });
    watcher.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await watcher.stop();
    expect(passes).toBe(0);
  });
});
