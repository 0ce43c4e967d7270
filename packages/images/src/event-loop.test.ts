import { performance } from 'node:perf_hooks';
import type { InputSpec, TensorMap } from '@ovms/core';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { createImageInputDecoder } from './index.js';

// In a file of its own, so no other test's garbage is collected while the loop is watched.
const decoder = createImageInputDecoder();
afterAll(() => decoder.close());

function png(width: number, height: number): Promise<Buffer> {
  const background = { r: 10, g: 20, b: 30 };
  return sharp({ create: { width, height, channels: 3, background } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

const input = (shape: number[]): InputSpec => ({ name: 'x', dtype: 'FP32', shape, batchDim: 0 });
const images = (image: Buffer): TensorMap =>
  new Map([['x', { dtype: 'BYTES', shape: [1], data: [image] }]]);

it('keeps the event loop free while a 4000×3000 PNG is decoded to FP32', async () => {
  const big = await png(4000, 3000);
  // Warm up: sharp's threads and this code's first run are not what is measured.
  await decoder([input([1, -1, -1, 3])], images(await png(4, 3)));
  const before = performance.eventLoopUtilization();
  const cpuBefore = process.threadCpuUsage();
  const tensor = (await decoder([input([1, 3000, 4000, 3])], images(big))).get('x');
  // The loop thread's own CPU time, not timer lateness: on a machine other work shares, the
  // kernel may leave an idle loop waiting for a core for longer than any work of ours takes.
  const cpu = process.threadCpuUsage(cpuBefore);
  expect(tensor?.shape).toEqual([1, 3000, 4000, 3]);
  expect(tensor?.dtype === 'BYTES' ? 0 : tensor?.data.byteLength).toBe(4000 * 3000 * 3 * 4);
  // Converting 36 M values on the loop (as before) kept it busy 90% of the time, for well over
  // 100 ms of its CPU; off the loop it only hands the image over and takes the result.
  expect(performance.eventLoopUtilization(before).utilization).toBeLessThan(0.3);
  expect((cpu.user + cpu.system) / 1000).toBeLessThan(20);
}, 30_000);
