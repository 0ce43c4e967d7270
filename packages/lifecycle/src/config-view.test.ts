import { describe, expect, it } from 'vitest';
import { buildConfigView, versionStatusJson } from './config-view.js';
import { TF_ERROR_CODE_NAMES, tfErrorCodeName } from '@ovms/core';

describe('config view', () => {
  it('prints a version as OVMS GetModelStatus JSON: string version, enum names', () => {
    expect(
      versionStatusJson({ version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' }),
    ).toEqual({
      version: '1',
      state: 'AVAILABLE',
      status: { error_code: 'OK', error_message: 'OK' },
    });
    expect(
      versionStatusJson({ version: 3, state: 'LOADING', errorCode: 2, errorMessage: 'UNKNOWN' }),
    ).toEqual({
      version: '3',
      state: 'LOADING',
      status: { error_code: 'UNKNOWN', error_message: 'UNKNOWN' },
    });
  });

  it('sorts servables by name and versions ascending, and keeps empty models', () => {
    const view = buildConfigView([
      [
        'resnet',
        [
          { version: 2, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
          { version: 1, state: 'END', errorCode: 0, errorMessage: 'OK' },
        ],
      ],
      ['empty', []],
    ]);
    expect(Object.keys(view)).toEqual(['empty', 'resnet']);
    expect(view['empty']).toEqual({ model_version_status: [] });
    expect(view['resnet']?.model_version_status.map((s) => s.version)).toEqual(['1', '2']);
  });

  it('names every tensorflow.error.Code', () => {
    expect(TF_ERROR_CODE_NAMES).toHaveLength(17);
    expect(tfErrorCodeName(9)).toBe('FAILED_PRECONDITION');
    expect(tfErrorCodeName(14)).toBe('UNAVAILABLE');
    expect(tfErrorCodeName(99)).toBe('99');
  });
});
