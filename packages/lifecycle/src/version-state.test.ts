import { TF_ERROR_CODE_NAMES, tfErrorCodeName } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { createRecordingLogger } from '@ovms/testing';
import { VersionEntry } from './version-state.js';

describe('VersionEntry', () => {
  it('starts in START with OK and logs one line per state change', () => {
    const logger = createRecordingLogger();
    const entry = new VersionEntry('resnet', 2, logger);
    entry.transition('LOADING');
    entry.transition('AVAILABLE');
    entry.transition('UNLOADING');
    entry.transition('END');
    expect(logger.records.map((line) => line.msg)).toEqual([
      'Version 2 of model resnet status change: START (OK)',
      'Version 2 of model resnet status change: LOADING (OK)',
      'Version 2 of model resnet status change: AVAILABLE (OK)',
      'Version 2 of model resnet status change: UNLOADING (OK)',
      'Version 2 of model resnet status change: END (OK)',
    ]);
    expect(entry.status()).toEqual({ version: 2, state: 'END', errorCode: 0, errorMessage: 'OK' });
  });

  it('reports a failed load as OVMS does: LOADING with error UNKNOWN (2)', () => {
    const logger = createRecordingLogger();
    const entry = new VersionEntry('m', 1, logger);
    entry.transition('LOADING');
    entry.transition('LOADING', { reason: 'bad file' });
    expect(entry.loadFailed).toBe(true);
    expect(entry.settling).toBe(false);
    expect(entry.status()).toEqual({
      version: 1,
      state: 'LOADING',
      errorCode: 2,
      errorMessage: 'UNKNOWN',
      reason: 'bad file',
    });
    expect(logger.records.at(-1)).toMatchObject({
      level: 'error',
      msg: 'Version 1 of model m failed to load: bad file; status: LOADING (UNKNOWN)',
      fields: { model: 'm', version: 1, from: 'LOADING', state: 'LOADING', reason: 'bad file' },
    });
    // A retry clears the error.
    entry.transition('LOADING');
    expect(entry.status()).toEqual({
      version: 1,
      state: 'LOADING',
      errorCode: 0,
      errorMessage: 'OK',
    });
  });

  it('refuses transitions outside the state machine', () => {
    const entry = new VersionEntry('m', 1, createRecordingLogger());
    expect(() => entry.transition('AVAILABLE')).toThrow(
      'Version 1 of model m: START -> AVAILABLE is not a valid transition',
    );
    entry.transition('LOADING');
    entry.transition('AVAILABLE');
    expect(() => entry.transition('END')).toThrow('AVAILABLE -> END is not a valid transition');
    expect(() => entry.transition('LOADING')).toThrow('AVAILABLE -> LOADING');
  });

  it('lets an ended version load again', () => {
    const entry = new VersionEntry('m', 1, createRecordingLogger());
    for (const state of ['LOADING', 'UNLOADING', 'END', 'LOADING', 'AVAILABLE'] as const) {
      entry.transition(state);
    }
    expect(entry.state).toBe('AVAILABLE');
  });

  it('wakes waiters at the next transition, or after their timeout', async () => {
    const entry = new VersionEntry('m', 1, createRecordingLogger());
    const waited = entry.waitForTransition(10_000);
    entry.transition('LOADING');
    await waited;
    const started = Date.now();
    await entry.waitForTransition(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('keeps AVAILABLE through a reload and reports a failed one in its reason', () => {
    const logger = createRecordingLogger();
    const entry = new VersionEntry('m', 1, logger);
    entry.transition('LOADING');
    entry.transition('AVAILABLE');
    entry.noteReload({ reason: 'corrupt' });
    expect(entry.status()).toEqual({
      version: 1,
      state: 'AVAILABLE',
      errorCode: 0,
      errorMessage: 'OK',
      reason: 'reload failed: corrupt',
    });
    entry.noteReload();
    expect(entry.status()).not.toHaveProperty('reason');
  });
});

// Statuses report the code's name as their message, so the names lifecycle relies on are pinned here.
describe('tfErrorCodeName', () => {
  it('names every tensorflow.error.Code', () => {
    expect(TF_ERROR_CODE_NAMES).toHaveLength(17);
    expect(tfErrorCodeName(9)).toBe('FAILED_PRECONDITION');
    expect(tfErrorCodeName(14)).toBe('UNAVAILABLE');
    expect(tfErrorCodeName(99)).toBe('99');
  });
});
