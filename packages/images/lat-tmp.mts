import sharp from 'sharp';
import { performance } from 'node:perf_hooks';
import { createImageInputDecoder } from './src/index.ts';
const big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png({ compressionLevel: 1 }).toBuffer();
const decoder = createImageInputDecoder();
const small = await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toBuffer();
await decoder([{ name: 'x', dtype: 'FP32', shape: [1, -1, -1, 3], batchDim: 0 }], new Map([['x', { dtype: 'BYTES', shape: [1], data: [small] }]]) as any);
for (let round = 0; round < 5; round++) {
  let latest = 0;
  let last = performance.now(); const t0 = last;
  const elu0 = performance.eventLoopUtilization();
  const timer = setInterval(() => { const now = performance.now(); latest = Math.max(latest, now - last - 2); last = now; }, 2);
  await decoder([{ name: 'x', dtype: 'FP32', shape: [1, 3000, 4000, 3], batchDim: 0 }], new Map([['x', { dtype: 'BYTES', shape: [1], data: [big] }]]) as any);
  clearInterval(timer);
  const elu = performance.eventLoopUtilization(elu0);
  console.log('round', round, Math.round(performance.now() - t0), 'ms late', latest.toFixed(1), 'active ms', elu.active.toFixed(1), 'util', elu.utilization.toFixed(3));
}
(decoder as any).close?.();
