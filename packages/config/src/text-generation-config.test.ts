import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import { parseServerArgs } from './cli-args.js';
import { toModelLoadOptions } from './load-options.js';
import { parseConfigText } from './parse-config.js';

const at = { configPath: '/etc/ovms/config.json' };
const model = (config: Record<string, unknown>) =>
  JSON.stringify({
    model_config_list: [{ config: { name: 'chat', base_path: '/m/smol.gguf', ...config } }],
  });

describe('text generation models in config.json', () => {
  it('reads the task and the scheduler keys with their OVMS names', () => {
    const config = parseConfigText(
      model({
        task: 'text_generation',
        max_num_seqs: 16,
        max_num_batched_tokens: 512,
        cache_size: 2,
        enable_prefix_caching: true,
        plugin_config: { INFERENCE_NUM_THREADS: 2 },
      }),
      at,
    );
    const chat = config.models[0];
    expect(chat).toMatchObject({
      task: 'text_generation',
      textGeneration: {
        maxNumSeqs: 16,
        maxNumBatchedTokens: 512,
        cacheSize: 2,
        enablePrefixCaching: true,
      },
    });
    expect(toModelLoadOptions(chat!)).toMatchObject({
      targetDevice: 'CPU',
      pluginConfig: { INFERENCE_NUM_THREADS: 2 },
      textGeneration: { maxNumSeqs: 16, cacheSize: 2 },
    });
  });

  it.each([
    [
      model({ max_num_seqs: 4 }),
      'model_config_list[0].config.max_num_seqs: Scheduler settings (max_num_seqs, max_num_batched_tokens, cache_size, enable_prefix_caching) require "task": "text_generation".',
    ],
    [model({ task: 'embeddings' }), 'model_config_list[0].config.task: '],
    [
      model({ task: 'text_generation', max_num_seqs: 0 }),
      'model_config_list[0].config.max_num_seqs: expected a value >= 1; got 0',
    ],
  ])('refuses %s', (text, message) => {
    const error = (() => {
      try {
        parseConfigText(text, at);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServingError);
    expect((error as Error).message).toContain(`The file is not valid json - ${message}`);
  });
});

describe('text generation on the command line', () => {
  it('takes --task and the scheduler flags in single-model mode', () => {
    const command = parseServerArgs([
      '--model_name',
      'chat',
      '--model_path',
      '/m/smol.gguf',
      '--rest_port',
      '8000',
      '--task',
      'text_generation',
      '--max_num_seqs',
      '8',
      '--enable_prefix_caching',
    ]);
    if (command.kind !== 'serve') throw new Error(command.kind);
    const source = command.options.models;
    if (source.kind !== 'single-model') throw new Error(source.kind);
    expect(source.config.models[0]).toMatchObject({
      task: 'text_generation',
      textGeneration: { maxNumSeqs: 8, enablePrefixCaching: true },
    });
  });

  it('refuses a task it does not serve', () => {
    expect(() =>
      parseServerArgs(['--model_name', 'm', '--model_path', '/m', '--task', 'rerank']),
    ).toThrow('--task: expected text_generation (the only task ovms-ts serves); got rerank');
  });
});
