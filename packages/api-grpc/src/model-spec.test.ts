import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import type { ModelSpec } from '@ovms/proto';
import { parseKServeVersion, requestedServable, servedModelSpec } from './model-spec.js';

describe('requestedServable', () => {
  it('reads the Int64Value; none, 0 and a version_label mean the default version', () => {
    const spec = (versionChoice: ModelSpec['versionChoice']): ModelSpec => ({
      name: 'm',
      versionChoice,
      signatureName: '',
    });
    expect(requestedServable(spec({ $case: 'version', version: 3n }))).toEqual({
      name: 'm',
      version: 3,
    });
    expect(requestedServable(spec({ $case: 'version', version: 0n }))).toEqual({
      name: 'm',
      version: undefined,
    });
    expect(requestedServable(spec(undefined))).toEqual({ name: 'm', version: undefined });
    expect(requestedServable(spec({ $case: 'versionLabel', versionLabel: 'stable' }))).toEqual({
      name: 'm',
      version: undefined,
    });
  });

  it('refuses a missing model_spec with MODEL_SPEC_MISSING', () => {
    expect(() => requestedServable(undefined)).toThrow(new ServingError('MODEL_SPEC_MISSING'));
  });

  it('names the served version and signature in responses', () => {
    expect(servedModelSpec('m', 2)).toEqual({
      name: 'm',
      versionChoice: { $case: 'version', version: 2n },
      signatureName: 'serving_default',
    });
  });
});

describe('parseKServeVersion', () => {
  it('reads base-10 int64 strings; "" and "0" are the default', () => {
    expect(parseKServeVersion('')).toBeUndefined();
    expect(parseKServeVersion('0')).toBeUndefined();
    expect(parseKServeVersion('-0')).toBeUndefined();
    expect(parseKServeVersion('17')).toBe(17);
    expect(parseKServeVersion('-1')).toBe(-1);
    expect(parseKServeVersion('9223372036854775807')).toBe(2 ** 63);
  });

  it.each(['v1', '1.0', ' 1', '+1', '9223372036854775808', '1e3', '0x10'])('refuses %j', (text) => {
    expect(() => parseKServeVersion(text)).toThrow(
      `invalid model version format in request - Actual: ${JSON.stringify(text)}`,
    );
  });
});
