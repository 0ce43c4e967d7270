import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { DEFAULT_LIMITS } from './limit-settings.js';
import { ArgsError } from './server-options.js';
import type { ServerSettings } from './server-options.js';

const base = ['--config_path', '/c/config.json', '--rest_port', '8000'];

function settings(argv: readonly string[]): ServerSettings {
  const command = parseServerArgs([...base, ...argv]);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.options.settings;
}

function argsError(argv: readonly string[]): ArgsError {
  try {
    parseServerArgs([...base, ...argv]);
  } catch (error) {
    if (error instanceof ArgsError) return error;
    throw error;
  }
  throw new Error('expected an ArgsError');
}

describe('limit flags', () => {
  it('default to 256 MiB messages, a 1 GiB budget and Node-like REST timeouts', () => {
    expect(settings([]).limits).toEqual({
      maxMessageBytes: 268435456,
      memoryBudgetBytes: 1073741824,
      restHeadersTimeoutSeconds: 60,
      restRequestTimeoutSeconds: 300,
      restKeepAliveTimeoutSeconds: 5,
    });
    expect(DEFAULT_LIMITS.maxMessageBytes).toBe(256 * 1024 * 1024);
  });

  it('reads every limit flag', () => {
    expect(
      settings([
        '--max_message_bytes=1000',
        '--memory_budget_bytes',
        '0',
        '--rest_headers_timeout_seconds=2',
        '--rest_request_timeout_seconds=3',
        '--rest_keep_alive_timeout_seconds=4',
      ]).limits,
    ).toEqual({
      maxMessageBytes: 1000,
      memoryBudgetBytes: 0,
      restHeadersTimeoutSeconds: 2,
      restRequestTimeoutSeconds: 3,
      restKeepAliveTimeoutSeconds: 4,
    });
  });

  it('allows byte counts past uint32 (OVMS allows 1 GiB; a budget may be larger)', () => {
    expect(settings(['--memory_budget_bytes=8589934592']).limits.memoryBudgetBytes).toBe(2 ** 33);
  });

  it('refuses a zero message limit', () => {
    const error = argsError(['--max_message_bytes=0']);
    expect(error.message).toBe('--max_message_bytes: expected at least 1 byte; got 0');
    expect(error.flag).toBe('max_message_bytes');
  });

  it('refuses a headers timeout longer than the request timeout, as Node would', () => {
    const error = argsError([
      '--rest_headers_timeout_seconds=10',
      '--rest_request_timeout_seconds=5',
    ]);
    expect(error.message).toBe(
      '--rest_headers_timeout_seconds must not exceed --rest_request_timeout_seconds; got 10 > 5',
    );
    expect(error.flag).toBe('rest_headers_timeout_seconds');
  });

  it('lets either timeout be 0 (none) whatever the other is', () => {
    const limits = settings([
      '--rest_headers_timeout_seconds=10',
      '--rest_request_timeout_seconds=0',
    ]).limits;
    expect(limits.restRequestTimeoutSeconds).toBe(0);
  });
});
