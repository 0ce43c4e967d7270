import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { ArgsError } from './server-options.js';
import type { ServerSettings } from './server-options.js';

const base = ['--config_path', 'config.json', '--port', '9000'];

function settings(argv: string[]): ServerSettings {
  const command = parseServerArgs([...base, ...argv], { cwd: '/srv' });
  if (command.kind !== 'serve') throw new Error(`unexpected ${command.kind}`);
  return command.options.settings;
}

function argsError(argv: string[]): ArgsError {
  try {
    parseServerArgs([...base, ...argv], { cwd: '/srv' });
  } catch (error) {
    if (error instanceof ArgsError) return error;
    throw error;
  }
  throw new Error('expected an ArgsError');
}

describe('transport security flags', () => {
  it('are unset by default: plaintext, no API key', () => {
    const s = settings([]);
    expect([s.tlsCert, s.tlsKey, s.tlsClientCa, s.apiKeyFile]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('resolve their paths against the working directory', () => {
    const s = settings([
      ...['--tls_cert', 'tls/server.pem', '--tls_key=/etc/ovms/server.key'],
      ...['--tls_client_ca', 'tls/ca.pem', '--api_key_file', 'key.txt'],
    ]);
    expect(s).toMatchObject({
      tlsCert: '/srv/tls/server.pem',
      tlsKey: '/etc/ovms/server.key',
      tlsClientCa: '/srv/tls/ca.pem',
      apiKeyFile: '/srv/key.txt',
    });
  });

  it.each([
    [['--tls_cert', 'c.pem'], 'tls_cert is set but tls_key is not: TLS needs both', 'tls_key'],
    [['--tls_key', 'k.pem'], 'tls_key is set but tls_cert is not: TLS needs both', 'tls_cert'],
    [
      ['--tls_client_ca', 'ca.pem'],
      'tls_client_ca needs tls_cert and tls_key: mutual TLS is served over TLS',
      'tls_client_ca',
    ],
    [['--tls_cert='], '--tls_cert: expected a file path', 'tls_cert'],
    [['--api_key_file', ' '], '--api_key_file: expected a file path', 'api_key_file'],
    [['--api_key_file'], '--api_key_file: missing value', 'api_key_file'],
  ])('%j is refused naming the flag', (argv, message, flag) => {
    const error = argsError(argv);
    expect([error.message, error.flag]).toEqual([message, flag]);
  });
});
