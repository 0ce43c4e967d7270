import { describe, expect, it } from 'vitest';
import { rebaseConfigText } from '../src/bucket-config.js';

describe('rebaseConfigText', () => {
  const config = (...basePaths: string[]) =>
    JSON.stringify({
      model_config_list: basePaths.map((base_path, i) => ({
        config: { name: `m${i}`, base_path },
      })),
    });
  const basePaths = (text: string) =>
    (
      JSON.parse(text) as { model_config_list: { config: { base_path: string } }[] }
    ).model_config_list.map((entry) => entry.config.base_path);

  it('resolves relative base_paths against the config prefix and keeps the others', () => {
    const text = config('models/a', '../b', './c', 'gs://other/d', '/local/e');
    expect(basePaths(rebaseConfigText(text, 's3://bucket/repo/config.json'))).toEqual([
      's3://bucket/repo/models/a',
      's3://bucket/b',
      's3://bucket/repo/c',
      'gs://other/d',
      '/local/e',
    ]);
  });

  it('leaves text that is not a config for the server to report', () => {
    expect(rebaseConfigText('{ not json', 'az://c/config.json')).toBe('{ not json');
    expect(rebaseConfigText('[1]', 'az://c/config.json')).toBe('[1]');
  });
});
