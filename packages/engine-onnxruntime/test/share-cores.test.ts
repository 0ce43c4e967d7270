import { describe, expect, it } from 'vitest';
import { sessionOptionsFromPluginConfig, shareCores } from '../src/session-options.js';

describe('intra-op threads shared between a model’s sessions', () => {
  const defaults = sessionOptionsFromPluginConfig({});

  it('gives each of nireq sessions cores / nireq threads, at least one', () => {
    expect(shareCores(defaults, 1, 2).intraOpNumThreads).toBe(2);
    expect(shareCores(defaults, 4, 2).intraOpNumThreads).toBe(1);
    expect(shareCores(defaults, 4, 16).intraOpNumThreads).toBe(4);
    expect(shareCores(defaults, 3, 8).intraOpNumThreads).toBe(2);
    expect(shareCores(defaults, 0, 8).intraOpNumThreads).toBe(8);
  });

  it('keeps what plugin_config sets, 0 (ORT’s own default) included, and the other options', () => {
    for (const threads of [0, 3]) {
      const set = sessionOptionsFromPluginConfig({ INFERENCE_NUM_THREADS: threads });
      expect(shareCores(set, 4, 2)).toEqual(set);
    }
    expect(shareCores(defaults, 4, 2)).toEqual({ ...defaults, intraOpNumThreads: 1 });
  });
});
