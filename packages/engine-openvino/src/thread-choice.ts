import { availableParallelism } from 'node:os';
import { byteSizeOf, elementCount, type InputSpec } from '@ovms/core';
import type { OvInferRequest } from './binding.js';
import type { Generation } from './generation.js';

/**
 * An ovms-ts default, not OVMS's: a tiny model on the CPU gets one inference thread. With
 * OpenVINO's default (every core for one stream) a second engine thread spins after each infer
 * waiting for the next one: 150–210 µs of CPU per request at 1 in flight and 60–76 µs at 8 for
 * an add of two 1×4 tensors, half or more of the server's CPU per request (docs/performance.md,
 * "Hot path"), while one thread infers such a model as fast. A compute-bound model needs its
 * threads, so the choice is measured at load: a few infers of zeros with the default threads,
 * and only where they are short, the same with one thread; one thread is kept when it is
 * barely slower. Dynamic dims are measured at their smallest size (1, or a range's minimum), so
 * a model tiny at batch 1 that is sent large batches should set its threads in plugin_config:
 * any threading key there leaves OpenVINO's default.
 */
export interface ThreadChoiceLimits {
  /** A default-thread infer (the fastest) over this is compute-bound: no one-thread compile. */
  readonly probeUs: number;
  /** One thread is kept while its fastest infer is within this factor of the default's... */
  readonly slowdown: number;
  /** ...or within this many µs of it (timer noise on tiny infers). */
  readonly slackUs: number;
  /** Timed infers per setting (after two untimed ones). */
  readonly samples: number;
  /** Infers over this stop the measuring (the model is not tiny): the loop is not held. */
  readonly abortUs: number;
}

export const DEFAULT_THREAD_CHOICE: ThreadChoiceLimits = {
  probeUs: 500,
  slowdown: 1.25,
  slackUs: 20,
  samples: 16,
  abortUs: 2_000,
};

/** plugin_config keys that set the CPU's threading: any of them means the user chose. */
const THREADING_KEYS = [
  'INFERENCE_NUM_THREADS',
  'CPU_THREADS_NUM',
  'NUM_STREAMS',
  'CPU_THROUGHPUT_STREAMS',
  'PERFORMANCE_HINT',
  'AFFINITY',
] as const;

/** Inputs of more bytes than this are not small enough to make a model tiny. */
const MAX_PROBE_INPUT_BYTES = 64 * 1024;

/** Whether a generation may have its threads chosen: CPU, no user threading, static inputs. */
export function threadChoiceApplies(
  device: string,
  properties: Readonly<Record<string, string>>,
  generation: Generation,
  cores: number = availableParallelism(),
): boolean {
  if (device !== 'CPU' || cores < 2) return false;
  if (THREADING_KEYS.some((key) => key in properties)) return false;
  let bytes = 0;
  for (const input of generation.inputs) {
    // Dynamic rank has no shape to measure with; strings are not numeric tensors.
    if (input.autoDims === 'all' || input.dtype === 'BYTES') return false;
    bytes += elementCount(probeShape(input)) * byteSizeOf(input.dtype);
  }
  const [request] = generation.pool.items();
  return bytes <= MAX_PROBE_INPUT_BYTES && request?.inferSync !== undefined;
}

/**
 * The fastest of `samples` infers of zeros on the calling thread, in µs: preemption on a busy
 * machine only ever adds time, so the fastest is what the model costs. Undefined where the
 * model is not small enough to time on the event loop: two infers run off the loop first (the
 * first of a compiled model is cold) and the second must take at most `abortUs`; on the loop,
 * a second infer over `abortUs` stops the measuring (one may be a preempted tiny one).
 */
export async function fastestInferUs(
  generation: Generation,
  samples: number,
  abortUs: number,
): Promise<number | undefined> {
  const request = generation.pool.items()[0] as OvInferRequest;
  const inferSync = request.inferSync?.bind(request);
  if (inferSync === undefined) return undefined;
  generation.inputs.forEach((input, index) => {
    const shape = probeShape(input);
    const bytes = elementCount(shape) * byteSizeOf(input.dtype);
    const type = generation.inputTypes[index] ?? 'dynamic';
    request.setInput(index, type, shape, new Uint8Array(bytes));
  });
  await request.infer();
  const offloadedAt = performance.now();
  await request.infer();
  if ((performance.now() - offloadedAt) * 1000 > abortUs) return undefined;
  let fastest = Infinity;
  let slow = 0;
  for (let i = 0; i < samples; i++) {
    const startedAt = performance.now();
    inferSync();
    const us = (performance.now() - startedAt) * 1000;
    if (us > abortUs && ++slow === 2) return undefined;
    fastest = Math.min(fastest, us);
  }
  return fastest;
}

/** The input's shape with each dynamic dim at its smallest size (a range's minimum, else 1). */
export function probeShape(input: InputSpec): number[] {
  return input.shape.map((dim, i) =>
    dim >= 0 ? dim : Math.max(1, input.dimRanges?.[i]?.min ?? 1),
  );
}

/** Whether one thread's time is close enough to the default's to keep one thread. */
export function oneThreadWins(
  defaultUs: number,
  oneThreadUs: number,
  limits: ThreadChoiceLimits,
): boolean {
  return oneThreadUs <= Math.max(defaultUs * limits.slowdown, defaultUs + limits.slackUs);
}
