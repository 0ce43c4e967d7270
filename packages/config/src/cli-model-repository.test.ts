import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { ArgsError } from './server-options.js';
import type { ServerOptions } from './server-options.js';

const ports = ['--port', '9000'];

function serve(argv: string[]): ServerOptions {
  const command = parseServerArgs([...argv, ...ports], { cwd: '/srv' });
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.options;
}

function argsError(argv: string[]): { message: string; flag: string | undefined } {
  try {
    parseServerArgs([...argv, ...ports]);
  } catch (error) {
    if (error instanceof ArgsError) return { message: error.message, flag: error.flag };
    throw error;
  }
  throw new Error('expected an ArgsError');
}

describe('parseServerArgs: --model_repository_path and --model_control_mode', () => {
  it('serves a repository alone, in none mode unless explicit is asked for', () => {
    expect(serve(['--model_repository_path', 'models'])).toMatchObject({
      models: { kind: 'repository' },
      modelRepository: { path: '/srv/models', controlMode: 'none' },
    });
    expect(
      serve(['--model_repository_path=/m', '--model_control_mode=explicit']).modelRepository,
    ).toEqual({ path: '/m', controlMode: 'explicit' });
  });

  it('serves a repository beside a config file', () => {
    expect(
      serve(['--config_path', '/c/config.json', '--model_repository_path', '/m']),
    ).toMatchObject({
      models: { kind: 'config-file', configPath: '/c/config.json' },
      modelRepository: { path: '/m', controlMode: 'none' },
    });
    expect(serve(['--config_path', '/c']).modelRepository).toBeUndefined();
  });

  it.each([
    [
      ['--model_repository_path', '/m', '--model_name', 'a', '--model_path', '/a'],
      'Use either model_repository_path or model_path with model_name',
      'model_repository_path',
    ],
    [
      ['--config_path', '/c', '--model_control_mode', 'explicit'],
      'model_control_mode needs model_repository_path: the models it loads are its folders',
      'model_control_mode',
    ],
    [
      ['--model_repository_path', '/m', '--model_control_mode', 'poll'],
      '--model_control_mode: expected none or explicit; got "poll"',
      'model_control_mode',
    ],
  ])('refuses %j', (argv, message, flag) => {
    expect(argsError(argv)).toEqual({ message, flag });
  });
});
