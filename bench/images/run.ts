// `npm run bench:images`: JPEG inputs decoded by the server (OVMS's binary inputs) against the
// same model fed the tensor a client would make of the image, side by side in one run.
// - A 1920×1080 photo-like JPEG, made here with sharp, into a 224×224×3 NHWC FP32 model
//   (channel means: image-sized requests, classifier-sized answers) on ONNX Runtime.
// - Server throughput and p50/p99 over KServe gRPC at 1 and 8 in flight, JPEG vs FP32 tensor,
//   the load generator in its own process; request bytes of each.
// - In process: decode + resize + BGR/FP32 per image, @ovms/images against sharp alone
//   (decode + resize to raw RGB bytes), interleaved rounds; target ≥ 0.9× of sharp alone.
//   BENCH_SECONDS=3 per cell   BENCH_DECODES=60 images per in-process round
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createBytesTensor, type InputSpec, type TensorMap } from '@ovms/core';
import { createImageInputDecoder } from '@ovms/images';
import { encodeImageMeanOnnxModel } from '@ovms/testing';
import { forkBenchChild } from '../server/ipc.js';
import { startServerProcess } from '../server/server-process.js';
import type { CellResult } from '../server/workload.js';
import { inferRequest, type ImageClientRequest } from './client.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const decodes = Number(process.env['BENCH_DECODES'] ?? 60);
const [HEIGHT, WIDTH] = [224, 224];
const SHAPE = [1, HEIGHT, WIDTH, 3];

/** A 1920×1080 JPEG with a photo's mix of smooth areas and detail (gradient, noise, blur). */
async function photoJpeg(): Promise<Buffer> {
  const [width, height] = [1920, 1080];
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) - 128;
      const i = (y * width + x) * 3;
      pixels[i] = Math.max(0, Math.min(255, (x * 255) / width + noise / 4));
      pixels[i + 1] = Math.max(0, Math.min(255, (y * 255) / height + noise / 4));
      pixels[i + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 40) + noise / 8));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .blur(0.8)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** What a client sends instead: resized on its side, BGR, FP32 NHWC (602,112 bytes). */
async function clientTensor(jpeg: Buffer): Promise<Uint8Array> {
  const rgb = await sharp(jpeg)
    .resize(WIDTH, HEIGHT, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const values = new Float32Array(HEIGHT * WIDTH * 3);
  for (let i = 0; i < values.length; i += 3) {
    values[i] = rgb[i + 2] ?? 0;
    values[i + 1] = rgb[i + 1] ?? 0;
    values[i + 2] = rgb[i] ?? 0;
  }
  return new Uint8Array(values.buffer);
}

/** Milliseconds per image of `decode`, over `count` images one after another. */
async function msPerImage(count: number, decode: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await decode();
  return (performance.now() - started) / count;
}

async function decodeComparison(jpeg: Buffer): Promise<{ sharp: number; ours: number }> {
  const decoder = createImageInputDecoder();
  const spec: InputSpec = { name: 'image', dtype: 'FP32', shape: SHAPE, batchDim: 0 };
  const inputs: TensorMap = new Map([['image', createBytesTensor([1], [jpeg])]]);
  const alone = () => sharp(jpeg).resize(WIDTH, HEIGHT, { fit: 'fill' }).raw().toBuffer();
  const ours = () => decoder([spec], inputs);
  await msPerImage(5, alone);
  await msPerImage(5, ours);
  // Interleaved rounds: a machine busy with other work slows both alike; the best round counts.
  const rounds = { sharp: Infinity, ours: Infinity };
  for (let round = 0; round < 4; round++) {
    rounds.sharp = Math.min(rounds.sharp, await msPerImage(decodes / 4, alone));
    rounds.ours = Math.min(rounds.ours, await msPerImage(decodes / 4, ours));
  }
  return rounds;
}

const root = await mkdtemp(join(tmpdir(), 'ovms-bench-images-'));
const jpeg = await photoJpeg();
const tensor = await clientTensor(jpeg);
const files = { jpeg: join(root, 'photo.jpg'), tensor: join(root, 'photo.f32') };
await writeFile(files.jpeg, jpeg);
await writeFile(files.tensor, tensor);
const modelDir = join(root, 'classifier');
await mkdir(join(modelDir, '1'), { recursive: true });
await writeFile(join(modelDir, '1', 'model.onnx'), encodeImageMeanOnnxModel(HEIGHT, WIDTH));
const configPath = join(root, 'config.json');
await writeFile(
  configPath,
  JSON.stringify({
    model_config_list: [
      { config: { name: 'classifier', base_path: modelDir, engine: 'onnxruntime' } },
    ],
  }),
);

const decode = await decodeComparison(jpeg);
console.log(
  `decode + resize of a 1920×1080 JPEG to 224×224, per image: sharp alone ${decode.sharp.toFixed(2)} ms, @ovms/images (BGR FP32 NHWC) ${decode.ours.toFixed(2)} ms → ${(decode.sharp / decode.ours).toFixed(2)}× of sharp alone (target ≥ 0.9×)`,
);

const server = await startServerProcess({
  configPath,
  modelNames: ['classifier'],
  env: process.env,
});
const client = forkBenchChild<ImageClientRequest, CellResult>(
  fileURLToPath(new URL('./client.ts', import.meta.url)),
);
try {
  const base = { grpcPort: server.grpcPort, model: 'classifier', shape: SHAPE, seconds };
  const sizes = {
    jpeg: inferRequest({ ...base, send: 'jpeg', file: '', inflight: 1 }, jpeg).byteLength,
    tensor: inferRequest({ ...base, send: 'tensor', file: '', inflight: 1 }, tensor).byteLength,
  };
  console.log(
    `request bytes: JPEG ${sizes.jpeg}, FP32 tensor ${sizes.tensor} → ${(100 * (1 - sizes.jpeg / sizes.tensor)).toFixed(1)}% saved (${(sizes.tensor / sizes.jpeg).toFixed(1)}× smaller)`,
  );
  console.log('  in flight  input          req/s   p50 µs   p99 µs  server CPU µs/req');
  for (const inflight of [1, 8]) {
    for (const send of ['jpeg', 'tensor'] as const) {
      const cpuBefore = await server.cpuUs();
      const cell = await client.ask({ ...base, send, file: files[send], inflight });
      const cpu = (await server.cpuUs()) - cpuBefore;
      console.log(
        `  ${String(inflight).padStart(9)}  ${send.padEnd(12)} ${(cell.requests / cell.seconds).toFixed(0).padStart(7)} ${cell.p50Us.toFixed(0).padStart(8)} ${cell.p99Us.toFixed(0).padStart(8)} ${(cpu / cell.requests).toFixed(0).padStart(12)}`,
      );
    }
  }
} finally {
  await client.stop();
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
