import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '@ovms/core';
import { registerAutoTests } from './conformance-auto.js';
import { registerErrorTests } from './conformance-errors.js';
import { registerParameterTests } from './conformance-params.js';
import {
  DEFAULT_CAPABILITIES,
  expectTensorsEqual,
  plainSpecs,
  useConformanceContext,
  type ConformanceContext,
  type EngineCapabilities,
} from './conformance-support.js';
import { MODEL_FIXTURE_NAMES } from './fixture-graphs.js';
import { fixtureSpec, type FixtureFormat } from './fixtures.js';

export type { EngineCapabilities } from './conformance-support.js';

export interface EngineConformanceOptions {
  /** Shown in the suite name, e.g. `onnxruntime` or `openvino (C API)`. */
  readonly name: string;
  readonly createEngine: () => Promise<Engine> | Engine;
  /** Fixture formats this engine loads. */
  readonly formats: readonly FixtureFormat[];
  /** When set, the suite registers one skipped test that carries this reason in its name. */
  readonly skipReason?: string;
  /** Defaults to every capability; an engine opts out explicitly, and the opt-out is tested. */
  readonly capabilities?: Partial<EngineCapabilities>;
}

/**
 * The conformance suite every engine passes: metadata, numerics per dtype, dynamic shapes,
 * OVMS load parameters (shape, batch_size, layout), concurrency through a small infer-request
 * pool, input validation errors before inference, load errors, and close. Call it at the top
 * level of a test file; it writes its fixture models to a temporary directory.
 */
export function describeEngineConformance(options: EngineConformanceOptions): void {
  describe(`engine conformance: ${options.name}`, () => {
    if (options.skipReason !== undefined) {
      it.skip(`NOT RUN — ${options.name} conformance skipped: ${options.skipReason}`, () => {});
      return;
    }
    const capabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
    for (const format of options.formats) {
      describe(`${format} fixtures`, () => {
        const context = useConformanceContext(format, capabilities, options.createEngine);
        registerCoreTests(context);
        registerParameterTests(context);
        if (capabilities.reshape) registerAutoTests(context);
        registerErrorTests(context);
      });
    }
  });
}

function registerCoreTests(context: ConformanceContext): void {
  it('canLoad accepts a fixture directory and refuses an empty one', async () => {
    const empty = join(context.root(), 'empty', '1');
    await mkdir(empty, { recursive: true });
    expect(await context.engine().canLoad(context.dir('add_f32'))).toBe(true);
    expect(await context.engine().canLoad(empty)).toBe(false);
  });

  describe('metadata', () => {
    it.each(MODEL_FIXTURE_NAMES)(
      '%s reports names, dtypes and shapes (-1 dynamic)',
      async (name) => {
        const spec = fixtureSpec(name);
        const model = await context.load(name);
        expect(plainSpecs(model.inputs)).toEqual(spec.inputs);
        expect(model.outputs).toEqual(spec.outputs);
      },
    );
  });

  describe('numerics', () => {
    it.each(MODEL_FIXTURE_NAMES)('%s answers exactly like the reference', async (name) => {
      const spec = fixtureSpec(name);
      const model = await context.load(name);
      const inputs = spec.sampleInputs({ seed: 1, dynamicSize: 3 });
      expectTensorsEqual(await model.infer(inputs), spec.reference(inputs));
    });
  });

  it('one loaded model serves two different dynamic shapes', async () => {
    const spec = fixtureSpec('dynamic_dims');
    const model = await context.load('dynamic_dims');
    for (const shape of [
      [2, 3],
      [5, 7],
    ]) {
      const inputs = spec.sampleInputs({ shapes: { x: shape } });
      const outputs = await model.infer(inputs);
      expect(outputs.get('y')?.shape).toEqual(shape);
      expectTensorsEqual(outputs, spec.reference(inputs));
    }
  });

  it('100 overlapping infers on a model with nireq 2 all answer correctly', async () => {
    const spec = fixtureSpec('add_f32');
    const model = await context.load('add_f32', { nireq: 2 });
    const requests = Array.from({ length: 100 }, (_, seed) =>
      spec.sampleInputs({ seed, dynamicSize: 1 + (seed % 4) }),
    );
    const answers = await Promise.all(requests.map((inputs) => model.infer(inputs)));
    answers.forEach((outputs, i) => {
      const inputs = requests[i];
      if (inputs === undefined) throw new Error('request missing');
      expectTensorsEqual(outputs, spec.reference(inputs));
    });
  });
}
