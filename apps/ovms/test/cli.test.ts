import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ovms/storage/test-support';
import { ppOcrDetModelPath, writeFixtureModel } from '@ovms/testing';
import { MAIN_TS, PROJECT_ROOT } from './support/paths.js';
import { run } from './support/process.js';

// The `ovms` command as a child process, from source (no build needed).
const NODE_ARGS = ['--conditions=@ovms/source', '--import', 'tsx', MAIN_TS];
const ovms = (args: readonly string[]) =>
  run(process.execPath, [...NODE_ARGS, ...args], { cwd: PROJECT_ROOT, timeoutMs: 60_000 });
const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** Runs `use` with a port of 127.0.0.1 that another server holds meanwhile. */
async function withBusyPort(use: (port: number) => Promise<void>): Promise<void> {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    await use((busy.address() as AddressInfo).port);
  } finally {
    busy.close();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-cli-'));
  await writeFixtureModel('add_f32', 'onnx', join(dir, 'add', '1'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ovms flags', () => {
  it('--help prints the flags and exits 0', async () => {
    const result = await ovms(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--config_path');
    expect(result.stdout).toContain('--model_name');
  });

  it('--version prints the version and exits 0', async () => {
    const result = await ovms(['--version']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: `OpenVINO Model Server (ovms-ts) ${version}\n`,
    });
  });

  it.each([
    [['--bogus'], 'ovms: unknown flag --bogus'],
    [
      ['--model_name', 'm', '--model_path', '/m', '--port', 'abc'],
      'ovms: --port: expected an integer',
    ],
    [
      ['--model_name', 'm', '--port', '9000'],
      'ovms: Use config_path or model_path with model_name',
    ],
    [
      ['--config_path', '/c.json', '--port', '9000', '--log_level', 'LOUD'],
      'ovms: log_level should be one of',
    ],
  ])('%j exits 1 with a clear message before starting anything', async (args, message) => {
    const result = await ovms(args);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run "ovms --help"');
  });

  it('an invalid config file exits 1 naming the problem, before listening', async () => {
    const configPath = join(dir, 'broken.json');
    await writeFile(configPath, '{"model_config_list": [');
    const result = await ovms([
      '--config_path',
      configPath,
      '--rest_port',
      String(await freePort()),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ovms: The file is not valid json - /);
    expect(result.stdout).not.toContain('listening');
  });

  it('a port in use exits 1 with the bind error', async () => {
    await withBusyPort(async (port) => {
      const result = await ovms([
        ...['--model_name', 'add', '--model_path', join(dir, 'add')],
        ...['--rest_port', String(port), '--rest_bind_address', '127.0.0.1'],
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('EADDRINUSE');
    });
  });

  it.each([
    ['gRPC', ['--grpc_workers', '2', '--port'], ['--grpc_bind_address', '127.0.0.1']],
    ['REST', ['--rest_workers', '2', '--rest_port'], ['--rest_bind_address', '127.0.0.1']],
  ])(
    'a %s port in use exits 1 with the bind error when transport loops bind it',
    async (transport, [workers, count, portFlag], bind) => {
      await withBusyPort(async (port) => {
        const result = await ovms([
          ...['--model_name', 'add', '--model_path', join(dir, 'add')],
          ...[workers!, count!, portFlag!, String(port), ...bind],
        ]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
          `listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
        );
        expect(result.stdout).not.toContain(`${transport} server listening`);
      });
    },
  );
});

describe('signals and logs', () => {
  it('SIGTERM during the initial load exits 0 after unloading; the log has every state change', async () => {
    // The PP-OCR models take a few hundred ms each to load: a window to signal in.
    const ocrAssets = dirname(ppOcrDetModelPath());
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        model_config_list: [
          { config: { name: 'add', base_path: join(dir, 'add') } },
          { config: { name: 'det', base_path: join(ocrAssets, 'ch_PP-OCRv4_det_infer.onnx') } },
          { config: { name: 'rec', base_path: join(ocrAssets, 'ch_PP-OCRv4_rec_infer.onnx') } },
        ],
      }),
    );
    const logPath = join(dir, 'logs', 'ovms.log');
    const child = spawn(
      process.execPath,
      [
        ...NODE_ARGS,
        ...['--config_path', configPath, '--log_path', logPath, '--log_level', 'DEBUG'],
        ...['--port', String(await freePort()), '--grpc_bind_address', '127.0.0.1'],
      ],
      { cwd: PROJECT_ROOT, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const deadline = Date.now() + 30_000;
    let log = '';
    while (!log.includes('gRPC server listening') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      log = await readFile(logPath, 'utf8').catch(() => '');
    }
    child.kill('SIGTERM');
    const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timeout);
    expect(code).toBe(0);

    const lines = (await readFile(logPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; model?: string; state?: string });
    const messages = lines.map((line) => line.msg);
    const signalAt = messages.indexOf('Signal received');
    const readyAt = messages.indexOf('Server ready');
    // The signal arrived while models were still loading: ready (if at all) comes after it.
    expect(signalAt).toBeGreaterThan(-1);
    expect(readyAt === -1 || readyAt > signalAt).toBe(true);
    expect(messages.at(-1)).toBe('Server stopped');
    const states = (model: string) =>
      lines
        .filter((line) => line.model === model && line.state !== undefined)
        .map((line) => line.state);
    expect(states('rec')).toEqual(
      expect.arrayContaining(['LOADING', 'AVAILABLE', 'UNLOADING', 'END']),
    );
    expect(states('add').at(-1)).toBe('END');
  }, 90_000);
});
