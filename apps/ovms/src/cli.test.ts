import { describe, expect, it } from 'vitest';
import { readCommandLine } from './cli.js';

const options = { cwd: '/srv', cpuCount: 4, version: '1.2.3' };

describe('readCommandLine', () => {
  it('serves with the parsed options, paths resolved against cwd', () => {
    const outcome = readCommandLine(
      ['--config_path', 'models/config.json', '--port', '9000'],
      options,
    );
    expect(outcome).toMatchObject({
      kind: 'serve',
      options: { models: { kind: 'config-file', configPath: '/srv/models/config.json' } },
    });
  });

  it('prints the version and exits 0', () => {
    expect(readCommandLine(['--version'], options)).toEqual({
      kind: 'exit',
      code: 0,
      stdout: 'OpenVINO Model Server (ovms-ts) 1.2.3\n',
    });
  });

  it('exits 1 on a bad value, naming the flag, with a hint', () => {
    expect(readCommandLine(['--config_path', 'c', '--grpc_workers', '9'], options)).toEqual({
      kind: 'exit',
      code: 1,
      stderr:
        'ovms: grpc_workers count should be from 1 to CPU core count : 4\nRun "ovms --help" for the list of flags.\n',
    });
  });
});
