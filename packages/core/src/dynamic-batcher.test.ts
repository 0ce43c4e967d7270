import { describe, expect, it } from 'vitest';
import { createModelServable } from './model-servable.js';
import { ServingError, StatusCode } from './status.js';
import {
  answer,
  batcher,
  input,
  rejection,
  rowModel,
  settings,
  values,
} from '../test/batching-support.js';

describe('createDynamicBatcher', () => {
  it('joins requests into one infer once max rows are waiting, each answered with its own rows', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 4 }));
    const answers = await Promise.all([
      b.infer(input(1, 0)),
      b.infer(input(2, 10)),
      b.infer(input(1, 20)),
    ]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.inputs.get('x')!.shape).toEqual([4, 2]);
    expect(model.calls[0]!.signal).toBeUndefined();
    expect(answers.map((a) => a.get('y')!.shape)).toEqual([
      [1, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(values(answers[0], 'y')).toEqual([1, 4]);
    expect(values(answers[1], 'y')).toEqual([31, 34, 37, 40]);
    expect(values(answers[1], 's')).toEqual([21, 25]);
    expect(values(answers[2], 's')).toEqual([41]);
  });

  it('never exceeds max_batch_size: a request that would overflow waits for the next batch', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 3 }));
    const first = b.infer(input(2, 0));
    const second = b.infer(input(2, 4));
    const third = b.infer(input(1, 8));
    await Promise.all([first, second, third]);
    // 2 + 2 rows are due (past 3) but cannot share a batch; the third joins the second, in order.
    expect(model.calls.map((c) => c.inputs.get('x')!.shape[0])).toEqual([2, 3]);
    expect(values(await second, 'y')).toEqual([13, 16, 19, 22]);
    expect(values(await third, 's')).toEqual([17]);
  });

  it('starts a lone request once it has waited max_queue_delay_microseconds', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: 3000 }));
    const started = performance.now();
    const outputs = await b.infer(input(1, 1));
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(3);
    expect(waitedMs).toBeLessThan(1000);
    expect(model.calls).toHaveLength(1);
    expect(values(outputs, 'y')).toEqual([4, 7]);
  });

  it('does not hold requests for company while they arrive further apart than the delay', async () => {
    const model = rowModel({ autoRelease: true });
    const delayUs = 2000;
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: delayUs }));
    // One request at a time: each waits the delay until the mean gap between arrivals passes it.
    const elapsedMs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await b.infer(input(1, i));
      elapsedMs.push(performance.now() - started);
    }
    expect(elapsedMs[0]).toBeGreaterThanOrEqual(delayUs / 1000);
    expect(elapsedMs.some((ms) => ms < delayUs / 1000)).toBe(true);
    expect(model.calls.every((call) => call.inputs.get('x')!.shape[0] === 1)).toBe(true);
  });

  it('with delay 0 runs a request at once and joins only the backlog that gathers meanwhile', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: 0 }));
    const first = b.infer(input(1, 0));
    const busy = await model.called(1);
    const rest = [b.infer(input(1, 2)), b.infer(input(1, 4)), b.infer(input(1, 6))];
    expect(model.calls).toHaveLength(1);
    busy.release();
    const next = await model.called(2);
    expect(next.inputs.get('x')!.shape).toEqual([3, 2]);
    next.release();
    expect(values(await first, 's')).toEqual([1]);
    expect((await Promise.all(rest)).map((a) => values(a, 's'))).toEqual([[5], [9], [13]]);
  });

  it('starts the requests that queued behind a busy engine as soon as it frees, without their delay', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 8, preferredBatchSizes: [1] }));
    const first = b.infer(input(1, 0));
    const busy = await model.called(1);
    const queued = [b.infer(input(1, 2)), b.infer(input(1, 4))];
    busy.release();
    // The delay is a minute: only the freed slot can start them.
    const next = await model.called(2);
    expect(next.inputs.get('x')!.shape).toEqual([2, 2]);
    next.release();
    expect(values(await first, 's')).toEqual([1]);
    expect((await Promise.all(queued)).map((a) => values(a, 's'))).toEqual([[5], [9]]);
  });

  it('starts a batch as soon as its rows reach a preferred size', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 8, preferredBatchSizes: [2, 6] }));
    const pair = await Promise.all([b.infer(input(1, 0)), b.infer(input(1, 2))]);
    expect(model.calls.map((c) => c.inputs.get('x')!.shape[0])).toEqual([2]);
    expect(pair.map((a) => values(a, 's'))).toEqual([[1], [5]]);
  });

  it('runs at most maxBatchesInFlight batches (the engine nireq) and gathers the rest meanwhile', async () => {
    const model = rowModel({ nireq: 2 });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const answers = [0, 1, 2, 3, 4, 5].map((i) => b.infer(input(1, i * 2)));
    await model.called(2);
    expect(model.calls).toHaveLength(2);
    model.calls[0]!.release();
    (await model.called(3)).release();
    model.calls[1]!.release();
    expect((await Promise.all(answers)).map((a) => values(a, 's'))).toEqual(
      [1, 5, 9, 13, 17, 21].map((s) => [s]),
    );
  });

  it('keeps requests that differ in dtype or in a dimension past the first apart', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const narrow = b.infer(input(1, 0, 2));
    const wide = b.infer(input(1, 0, 3));
    const answers = await Promise.all([
      narrow,
      wide,
      b.infer(input(1, 0, 2)),
      b.infer(input(1, 0, 3)),
    ]);
    expect(model.calls.map((c) => c.inputs.get('x')!.shape)).toEqual([
      [2, 2],
      [2, 3],
    ]);
    expect(answers.map((a) => values(a, 's'))).toEqual([[1], [3], [1], [3]]);
  });

  it('runs a request larger than max_batch_size alone, unjoined', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const big = input(3, 0);
    const outputs = await b.infer(big);
    expect(model.calls[0]!.inputs).toBe(big);
    expect(values(outputs, 's')).toEqual([1, 5, 9]);
  });

  it('validates before joining: a bad request fails alone and never reaches the batch', async () => {
    const model = rowModel({ autoRelease: true });
    const servable = createModelServable({
      name: 'm',
      version: 1,
      loaded: model.loaded,
      dynamicBatching: { maxBatchSize: 2, maxQueueDelayUs: 60_000_000 },
    });
    const bad = servable.infer({ inputs: input(1, 0, 3) });
    const good = [servable.infer({ inputs: input(1, 2) }), servable.infer({ inputs: input(1, 4) })];
    const error = await rejection(bad);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.INVALID_SHAPE);
    expect((await Promise.all(good)).map((a) => values(a, 's'))).toEqual([[5], [9]]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.inputs.get('x')!.shape).toEqual([2, 2]);
  });

  it('under concurrency, distinct inputs each get exactly the unbatched answer', async () => {
    const model = rowModel({ autoRelease: true, nireq: 2 });
    const servable = createModelServable({
      name: 'm',
      version: 1,
      loaded: model.loaded,
      dynamicBatching: { maxBatchSize: 6, maxQueueDelayUs: 500 },
    });
    const requests = Array.from({ length: 60 }, (_, i) => input(1 + (i % 3), i * 100));
    const answers = await Promise.all(requests.map((inputs) => servable.infer({ inputs })));
    expect(model.calls.some((call) => call.inputs.get('x')!.shape[0]! > 3)).toBe(true);
    for (const [i, outputs] of answers.entries()) {
      const alone = answer(requests[i]!);
      expect(values(outputs, 'y')).toEqual(values(alone, 'y'));
      expect(values(outputs, 's')).toEqual(values(alone, 's'));
    }
  });
});
