import { describe, expect, it } from 'vitest';
import { toModelLoadOptions } from './load-options.js';
import { ANONYMOUS_INPUT_NAME } from '@ovms/core';
import type { ModelConfig } from './server-config.js';

const base: ModelConfig = {
  name: 'm',
  basePath: '/m',
  versionPolicy: { kind: 'latest', numVersions: 1 },
  nireq: 0,
  targetDevice: 'CPU',
  pluginConfig: {},
  stateful: false,
  lowLatencyTransformation: false,
  idleSequenceCleanup: true,
};

describe('toModelLoadOptions', () => {
  it('maps a default model to device and nireq only', () => {
    expect(toModelLoadOptions(base)).toEqual({ targetDevice: 'CPU', nireq: 0 });
  });

  it('keeps shape/layout keys (ANONYMOUS_INPUT_NAME included) and passes ranges on as {min, max}', () => {
    const options = toModelLoadOptions(
      {
        ...base,
        shape: { [ANONYMOUS_INPUT_NAME]: [1, { min: 1, max: 8 }, -1], other: 'auto' },
        layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
        batchSize: 4,
        pluginConfig: { PERFORMANCE_HINT: 'LATENCY' },
        nireq: 2,
        targetDevice: 'GPU',
      },
      { cacheDir: '/cache' },
    );
    expect(options).toEqual({
      shape: { [ANONYMOUS_INPUT_NAME]: [1, { min: 1, max: 8 }, -1], other: 'auto' },
      layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
      batchSize: 4,
      pluginConfig: { PERFORMANCE_HINT: 'LATENCY' },
      nireq: 2,
      targetDevice: 'GPU',
    });
  });

  it('uses the cache unless allow_cache is false or the model reshapes per request', () => {
    const cache = { cacheDir: '/cache' };
    expect(toModelLoadOptions(base, cache).cacheDir).toBe('/cache');
    expect(toModelLoadOptions(base).cacheDir).toBeUndefined();
    expect(toModelLoadOptions({ ...base, allowCache: false }, cache).cacheDir).toBeUndefined();
    expect(toModelLoadOptions({ ...base, batchSize: 'auto' }, cache).cacheDir).toBeUndefined();
    expect(toModelLoadOptions({ ...base, shape: { x: 'auto' } }, cache).cacheDir).toBeUndefined();
    expect(
      toModelLoadOptions({ ...base, shape: { x: 'auto' }, allowCache: true }, cache).cacheDir,
    ).toBe('/cache');
  });
});
