import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { parseDynamicBatching } from './dynamic-batching.js';
import { parseConfigText } from './parse-config.js';
import { ArgsError } from './server-options.js';

const at = { configPath: '/etc/ovms/config.json' };

const model = (dynamicBatching: unknown) =>
  JSON.stringify({
    model_config_list: [
      { config: { name: 'm', base_path: '/m', dynamic_batching: dynamicBatching } },
    ],
  });

const single = ['--model_name', 'm', '--model_path', '/models/m', '--port', '9000'];

describe('parseDynamicBatching', () => {
  it('reads the three keys, the delay defaulting to 0 as in Triton', () => {
    expect(parseDynamicBatching({ max_batch_size: 8 })).toEqual({
      ok: true,
      value: { maxBatchSize: 8, maxQueueDelayUs: 0 },
    });
    expect(
      parseDynamicBatching(
        '{"max_batch_size":16,"max_queue_delay_microseconds":500,"preferred_batch_size":[4,16]}',
      ),
    ).toEqual({
      ok: true,
      value: { maxBatchSize: 16, maxQueueDelayUs: 500, preferredBatchSizes: [4, 16] },
    });
  });

  it.each([
    [{}, 'max_batch_size must be an integer >= 1; got undefined'],
    [{ max_batch_size: 0 }, 'max_batch_size must be an integer >= 1; got 0'],
    [{ max_batch_size: 2.5 }, 'max_batch_size must be an integer >= 1; got 2.5'],
    [
      { max_batch_size: 4, max_queue_delay_microseconds: -1 },
      'max_queue_delay_microseconds must be an integer >= 0; got -1',
    ],
    [
      { max_batch_size: 4, preferred_batch_size: [2, 8] },
      'preferred_batch_size must be an array of integers from 1 to max_batch_size (4); got [2,8]',
    ],
    [
      { max_batch_size: 4, preferred_batch_size: 2 },
      'preferred_batch_size must be an array of integers from 1 to max_batch_size (4); got 2',
    ],
    [
      { max_batch_size: 4, max_delay: 1 },
      'unknown key "max_delay"; expected max_batch_size, max_queue_delay_microseconds, preferred_batch_size',
    ],
    [
      [16],
      'expected an object like {"max_batch_size": 16, "max_queue_delay_microseconds": 500}; got [16]',
    ],
    ['{16', expect.stringMatching(/^dynamic_batching is not valid JSON: /) as string],
  ])('refuses %j', (value, message) => {
    expect(parseDynamicBatching(value)).toEqual({ ok: false, message });
  });
});

describe('dynamic_batching in config.json and on the command line', () => {
  it('becomes ModelConfig.dynamicBatching', () => {
    const file = parseConfigText(
      model({ max_batch_size: 16, max_queue_delay_microseconds: 500 }),
      at,
    );
    expect(file.models[0]!.dynamicBatching).toEqual({
      maxBatchSize: 16,
      maxQueueDelayUs: 500,
    });
    expect(parseConfigText(model(undefined), at).models[0]).not.toHaveProperty('dynamicBatching');
  });

  it('is the --dynamic_batching flag in single-model mode', () => {
    const command = parseServerArgs([
      ...single,
      '--dynamic_batching',
      '{"max_batch_size":4,"preferred_batch_size":[2]}',
    ]);
    if (command.kind !== 'serve' || command.options.models.kind !== 'single-model')
      throw new Error('expected a single-model serve command');
    expect(command.options.models.config.models[0]!.dynamicBatching).toEqual({
      maxBatchSize: 4,
      maxQueueDelayUs: 0,
      preferredBatchSizes: [2],
    });
  });

  it('is refused beside --config_path, as every single-model flag', () => {
    expect(() =>
      parseServerArgs([
        '--config_path',
        '/c',
        '--port',
        '9000',
        '--dynamic_batching',
        '{"max_batch_size":4}',
      ]),
    ).toThrow(
      new ArgsError(
        'Model parameters in CLI are exclusive with the config file - --dynamic_batching applies to single-model mode only',
        'dynamic_batching',
      ),
    );
  });
});
