import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesOf,
  createNumericTensor,
  typedView,
  type Logger,
  type ModelLoadOptions,
  type NumericTensor,
} from '@ovms/core';
import { writeFixtureModel } from '@ovms/testing';
import { createOpenvinoEngine, type OpenvinoEngineOptions } from '../src/index.js';
import { oneThreadWins, probeShape, DEFAULT_THREAD_CHOICE } from '../src/thread-choice.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

describe('thread choice rules', () => {
  it('keeps one thread when it is at most 25 % or 20 µs slower, else the default', () => {
    expect(oneThreadWins(18, 15, DEFAULT_THREAD_CHOICE)).toBe(true);
    expect(oneThreadWins(18, 38, DEFAULT_THREAD_CHOICE)).toBe(true);
    expect(oneThreadWins(18, 39, DEFAULT_THREAD_CHOICE)).toBe(false);
    expect(oneThreadWins(400, 500, DEFAULT_THREAD_CHOICE)).toBe(true);
    expect(oneThreadWins(400, 501, DEFAULT_THREAD_CHOICE)).toBe(false);
  });

  it('measures dynamic dims at their smallest size', () => {
    const input = { name: 'x', dtype: 'FP32' as const, shape: [-1, 4, -1] };
    expect(probeShape(input)).toEqual([1, 4, 1]);
    expect(probeShape({ ...input, dimRanges: [{ min: 3, max: 8 }, undefined, undefined] })).toEqual(
      [3, 4, 1],
    );
  });
});

interface Line {
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A logger that keeps what it is given, to read the engine's choice back. */
function recordingLogger(lines: Line[]): Logger {
  const keep = (fields: object, message?: string) => {
    lines.push({ fields: fields as Record<string, unknown>, message });
  };
  const logger: Logger = { debug: keep, info: keep, warn: keep, error: keep, child: () => logger };
  return logger;
}

describe('thread choice at load (OpenVINO CPU)', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — OpenVINO tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  const dir = () => join(root, 'add', '1');
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-threads-'));
    await writeFixtureModel('add_f32', 'onnx', dir());
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function loadAdd(
    engineOptions: OpenvinoEngineOptions,
    loadOptions: ModelLoadOptions = {},
  ): Promise<Line[]> {
    const lines: Line[] = [];
    const engine = createOpenvinoEngine({
      binding: 'c-api',
      libDir: openvinoLibDir ?? '',
      logger: recordingLogger(lines),
      ...engineOptions,
    });
    const model = await engine.load(dir(), { targetDevice: 'CPU', ...loadOptions });
    // Whatever was chosen, the model answers as before.
    const f32 = (values: number[]) =>
      createNumericTensor('FP32', [1, 4], bytesOf(new Float32Array(values)));
    const outputs = await model.infer(
      new Map([
        ['a', f32([1, 2, 3, 4])],
        ['b', f32([10, 20, 30, 40])],
      ]),
    );
    const sum = outputs.get('sum') as NumericTensor;
    expect([...typedView('FP32', sum.data)]).toEqual([11, 22, 33, 44]);
    await model.close();
    return lines;
  }

  it('gives a tiny model one inference thread, and logs both times', async () => {
    const lines = await loadAdd({});
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?.message).toBe(
      'Tiny model: one inference thread (INFERENCE_NUM_THREADS 1; set it in plugin_config to choose)',
    );
    expect(line?.fields).toMatchObject({
      path: dir(),
      defaultUs: expect.any(Number) as unknown,
      oneThreadUs: expect.any(Number) as unknown,
    });
  });

  it('keeps the default threads of a model measured over the probe limit, without a second compile', async () => {
    const lines = await loadAdd({ threadChoice: { probeUs: 0 } });
    expect(lines).toEqual([
      {
        fields: { path: dir(), defaultUs: expect.any(Number) as unknown },
        message: "Model keeps OpenVINO's default inference threads (not tiny)",
      },
    ]);
  });

  it('keeps the default threads where one thread is measured slower', async () => {
    const lines = await loadAdd({ threadChoice: { slowdown: 0, slackUs: -1e9 } });
    expect(lines.map((line) => line.message)).toEqual([
      "Model keeps OpenVINO's default inference threads (one is slower)",
    ]);
  });

  it('stops measuring where an infer takes over abortUs (the loop is not held)', async () => {
    const lines = await loadAdd({ threadChoice: { abortUs: 0 } });
    expect(lines).toEqual([
      {
        fields: { path: dir(), defaultUs: undefined },
        message: "Model keeps OpenVINO's default inference threads (not tiny)",
      },
    ]);
  });

  it('leaves the threads alone where plugin_config sets them, or the engine is told not to choose', async () => {
    expect(await loadAdd({}, { pluginConfig: { INFERENCE_NUM_THREADS: 2 } })).toEqual([]);
    expect(await loadAdd({}, { pluginConfig: { PERFORMANCE_HINT: 'THROUGHPUT' } })).toEqual([]);
    expect(await loadAdd({ threadChoice: false })).toEqual([]);
  });
});
