import { describe, expect, it } from 'vitest';
import { createLogConsole } from './log-console.js';

/** A log line as pino writes it for the server (level number, msg, the package's fields). */
const line = (level: number, msg: string, fields: object = {}): string =>
  JSON.stringify({ level, time: '2026-01-01T00:00:00.000Z', name: 'ovms', ...fields, msg });

const status = (model: string, version: number, state: string, reason?: string): string =>
  reason === undefined
    ? line(30, `Version ${version} of model ${model} status change: ${state} (OK)`, {
        model,
        version,
        state,
        errorCode: 'OK',
      })
    : line(50, `Version ${version} of model ${model} failed to load: ${reason}`, {
        model,
        version,
        state,
        errorCode: 'UNKNOWN',
        reason,
      });

describe('createLogConsole', () => {
  it('says nothing for ordinary lines, non-JSON lines and what is not an object', () => {
    const logConsole = createLogConsole();
    for (const text of [
      status('add', 1, 'LOADING'),
      status('add', 1, 'AVAILABLE'),
      'plain text from a native library',
      '{ not json',
      '42',
      '',
    ]) {
      expect(logConsole.lines(text)).toEqual([]);
    }
  });

  it('prints a failed load as one plain line, then a summary of what serves at ready', () => {
    const logConsole = createLogConsole();
    const out = [
      line(30, 'gRPC server listening', { port: 9000 }),
      line(30, 'REST server listening', {
        address: '0.0.0.0',
        port: 8000,
        tls: false,
        dashboard: '/dashboard',
      }),
      status('add', 1, 'AVAILABLE'),
      status('add', 2, 'AVAILABLE'),
      status('broken', 1, 'LOADING', 'Cannot read model file'),
      line(30, 'Pipeline ocr status change: AVAILABLE', { pipeline: 'ocr', state: 'AVAILABLE' }),
      line(30, 'Server ready'),
    ].flatMap((text) => logConsole.lines(text));
    expect(out).toEqual([
      '✗ model broken version 1 failed to load: Cannot read model file',
      '✓ server ready (gRPC :9000, REST :8000, dashboard http://localhost:8000/dashboard); serving 3',
      '    model add version 1',
      '    model add version 2',
      '    pipeline ocr',
      '✗ 1 failed to load:',
      '    model broken version 1: Cannot read model file',
    ]);
  });

  it('names the dashboard by the bind address and scheme of REST', () => {
    const ready = (fields: Record<string, unknown>) => {
      const logConsole = createLogConsole();
      logConsole.lines(
        line(30, 'REST server listening', { port: 8443, dashboard: '/d', ...fields }),
      );
      return logConsole.lines(line(30, 'Server ready'))[0];
    };
    expect(ready({ address: '127.0.0.1', tls: true })).toBe(
      '✓ server ready (REST :8443, dashboard https://127.0.0.1:8443/d); serving 0',
    );
    expect(ready({ address: '::1' })).toBe(
      '✓ server ready (REST :8443, dashboard http://[::1]:8443/d); serving 0',
    );
    expect(ready({ address: '::' })).toBe(
      '✓ server ready (REST :8443, dashboard http://localhost:8443/d); serving 0',
    );
  });

  it('forgets a failure once the version loads on a later attempt', () => {
    const logConsole = createLogConsole();
    logConsole.lines(status('m', 1, 'LOADING', 'half-copied file'));
    logConsole.lines(status('m', 1, 'LOADING'));
    logConsole.lines(status('m', 1, 'AVAILABLE'));
    expect(logConsole.lines(line(30, 'Server ready'))).toEqual([
      '✓ server ready; serving 1',
      '    model m version 1',
    ]);
  });

  it('reports pipelines and repositories that fail, and a failed reload of a serving version', () => {
    const logConsole = createLogConsole();
    const out = [
      line(30, 'Pipeline p status change: LOADING', { pipeline: 'p', state: 'LOADING' }),
      line(50, 'Pipeline p is not available: missing model', {
        pipeline: 'p',
        code: 'PIPELINE_NODE_REFERING_TO_MISSING_MODEL',
        reason: 'missing model',
      }),
      line(50, 'Listing model versions failed; the loaded versions keep serving', {
        model: 'gone',
        basePath: '/models/gone',
        error: 'ENOENT: no such file or directory',
      }),
      line(30, 'Server ready'),
      line(50, 'Version 1 of model add failed to reload; the previous files keep serving', {
        model: 'add',
        version: 1,
        state: 'AVAILABLE',
        reason: 'reload failed: bad file',
      }),
    ].flatMap((text) => logConsole.lines(text));
    expect(out).toEqual([
      '✗ pipeline p is not available: missing model',
      '✗ Listing model versions failed; the loaded versions keep serving: ENOENT: no such file or directory',
      '✓ server ready; serving 0',
      '✗ 2 failed to load:',
      '    pipeline p: missing model',
      '    model gone: ENOENT: no such file or directory',
      '✗ model add version 1: reload failed: bad file; the previous files keep serving',
    ]);
  });

  it('prints any other error with its message and cause, in red when asked', () => {
    const logConsole = createLogConsole({ color: true });
    expect(
      logConsole.lines(line(50, 'The server could not start', { error: 'port 9000 is in use' })),
    ).toEqual(['\u001b[31m✗ The server could not start: port 9000 is in use\u001b[0m']);
    expect(logConsole.lines(line(60, 'fatal'))).toEqual(['\u001b[31m✗ fatal\u001b[0m']);
  });
});
