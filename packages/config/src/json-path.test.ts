import { describe, expect, it } from 'vitest';
import { formatJsonPath } from './json-path.js';

describe('formatJsonPath', () => {
  it('writes identifiers with dots, indices and odd keys in brackets', () => {
    expect(formatJsonPath(['model_config_list', 0, 'config', 'nireq'])).toBe(
      'model_config_list[0].config.nireq',
    );
    expect(formatJsonPath(['plugin_config', 'A-B', 'x'])).toBe('plugin_config["A-B"].x');
    expect(formatJsonPath([])).toBe('(root)');
    expect(formatJsonPath([0])).toBe('[0]');
  });
});
