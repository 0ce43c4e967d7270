import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { ArgsError } from './server-options.js';

const single = ['--model_name', 'resnet', '--model_path', '/models/resnet', '--port', '9000'];

function argsError(argv: string[], options: { cpuCount?: number } = {}): ArgsError {
  try {
    parseServerArgs(argv, options);
  } catch (error) {
    if (error instanceof ArgsError) return error;
    throw error;
  }
  throw new Error('expected an ArgsError');
}

describe('parseServerArgs: errors name the flag', () => {
  it.each([
    [['--bad_option'], 'unknown flag --bad_option', 'bad_option'],
    [['--config_path=/c', 'extra'], 'unexpected argument "extra" - flags start with --', undefined],
    [['--', '--port=1'], 'unexpected argument "--" - flags start with --', undefined],
    [['--config_path'], '--config_path: missing value', 'config_path'],
    [['--model_name', '--model_path', '/m'], '--model_name: missing value', 'model_name'],
    [['--port', 'abc'], '--port: expected an integer from 0 to 4294967295; got "abc"', 'port'],
    [['--port=-1'], '--port: expected an integer from 0 to 4294967295; got "-1"', 'port'],
    [
      ['--nireq=4294967296'],
      '--nireq: expected an integer from 0 to 4294967295; got "4294967296"',
      'nireq',
    ],
    [
      ['--metrics_enable=yes'],
      '--metrics_enable: expected true or false; got "yes"',
      'metrics_enable',
    ],
    [
      ['--config_path', '/c', '--model_name', 'm'],
      'Use either config_path or model_path with model_name',
      'config_path',
    ],
    [['--port', '9000'], 'Use config_path or model_path with model_name', 'model_name'],
    [
      ['--model_name', 'm', '--port', '9000'],
      'Use config_path or model_path with model_name',
      'model_path',
    ],
    [
      ['--config_path', '/c', '--batch_size', '5', '--port', '1'],
      'Model parameters in CLI are exclusive with the config file - --batch_size applies to single-model mode only',
      'batch_size',
    ],
    [
      ['--config_path', '/c', '--shape', '(1,2)', '--port', '1'],
      'Model parameters in CLI are exclusive with the config file - --shape applies to single-model mode only',
      'shape',
    ],
    [
      [...single, '--batch_size', 'big'],
      '--batch_size: invalid batch size "big" - expected a non-negative integer or "auto"',
      'batch_size',
    ],
    [
      [...single, '--shape', '(1,x)'],
      '--shape: invalid shape "(1,x)" - dimension "x" must be -1, a non-negative integer or a range min:max',
      'shape',
    ],
    [
      [...single, '--layout', 'NHWC:'],
      '--layout: invalid layout "NHWC:" - expected a layout like "NCHW" or "NHWC:NCHW" (letters N, C, H, W, D, ?, ...)',
      'layout',
    ],
    [
      [...single, '--model_version_policy', '{"latest": 1}'],
      '--model_version_policy: invalid model_version_policy {"latest":1} - "latest" takes {"num_versions": N} with N a positive integer',
      'model_version_policy',
    ],
    [
      [...single, '--plugin_config', '[1]'],
      '--plugin_config: plugin_config must be a JSON object; got [1]',
      'plugin_config',
    ],
    [
      [...single, '--dynamic_batching', '{"max_batch_size":-4}'],
      '--dynamic_batching: max_batch_size must be an integer >= 1; got -4',
      'dynamic_batching',
    ],
    [
      [...single, '--log_level', 'VERBOSE'],
      'log_level should be one of: TRACE, DEBUG, INFO, WARNING, ERROR',
      'log_level',
    ],
    [
      [...single, '--grpc_channel_arguments', 'novalue'],
      '--grpc_channel_arguments: expected key=value pairs separated by commas; got "novalue"',
      'grpc_channel_arguments',
    ],
    [
      [...single, '--grpc_workers', '0'],
      'grpc_workers count should be from 1 to CPU core count',
      'grpc_workers',
    ],
    [
      [...single, '--metrics_enable'],
      'rest_port setting is missing, metrics are enabled on rest port',
      'rest_port',
    ],
    [
      [...single, '--rest_port=8000', '--metrics_list=a'],
      'metrics_enable setting is missing, required when metrics_list is provided',
      'metrics_enable',
    ],
    [
      ['--model_name', 'm', '--model_path', '/m'],
      'port and rest_port cannot both be unset',
      'port',
    ],
    [
      [...single, '--rest_port=8000', '--rest_workers=1'],
      'rest_workers count should be at least 2',
      'rest_workers',
    ],
    [
      [...single, '--rest_workers=4'],
      'rest_workers is set but rest_port is not set. rest_port is required to start rest servers',
      'rest_workers',
    ],
    [[...single, '--port', '70000'], 'port number out of range from 0 to 65535', 'port'],
    [
      [...single, '--rest_port', '70000'],
      'rest_port number out of range from 0 to 65535',
      'rest_port',
    ],
    [
      [...single, '--grpc_bind_address', 'bad host!'],
      'grpc_bind_address has invalid format: proper hostname or IP address expected.',
      'grpc_bind_address',
    ],
    [
      [...single, '--rest_port=8000', '--rest_bind_address=-x'],
      'rest_bind_address has invalid format: proper hostname or IP address expected.',
      'rest_bind_address',
    ],
    [
      [...single, '--rest_port', '9000'],
      'port and rest_port cannot have the same values',
      'rest_port',
    ],
    [
      [...single, '--max_sequence_number', '5'],
      'Setting low_latency_transformation, max_sequence_number and idle_sequence_cleanup require setting stateful flag for the model.',
      'stateful',
    ],
  ])('%j', (argv, message, flag) => {
    const error = argsError(argv);
    expect(error.message).toBe(message);
    expect(error.flag).toBe(flag);
  });

  it('bounds grpc_workers by the CPU count when given, as OVMS', () => {
    expect(argsError([...single, '--grpc_workers=5'], { cpuCount: 4 }).message).toBe(
      'grpc_workers count should be from 1 to CPU core count : 4',
    );
  });
});
