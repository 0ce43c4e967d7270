import { describe, expect, it } from 'vitest';
import {
  ServingError,
  StatusCode,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
} from '@ovms/core';
import { refuseBytesInputs, reshapeTargets, type AutoInput } from './reshape-targets.js';

const f32 = (shape: number[]) =>
  createNumericTensor('FP32', shape, bytesOf(new Float32Array(shape.reduce((a, b) => a * b, 1))));

const auto = (overrides: Partial<AutoInput> = {}): AutoInput => ({
  name: 'x',
  shape: [1, 3, 4],
  autoDims: new Set([0]),
  ...overrides,
});

describe('reshapeTargets', () => {
  it('asks for nothing when the request fits the compiled shape', () => {
    expect(reshapeTargets(new Map([['x', f32([1, 3, 4])]]), [auto()])).toBeUndefined();
    expect(reshapeTargets(new Map([['x', f32([5, 3, 4])]]), [])).toBeUndefined();
  });

  it('asks for the request shape where a batch_size auto dim differs', () => {
    const targets = reshapeTargets(new Map([['x', f32([6, 3, 4])]]), [auto()]);
    expect(targets).toEqual(new Map([['x', [6, 3, 4]]]));
  });

  it('leaves dims that are not auto to the servable, which checked them', () => {
    expect(reshapeTargets(new Map([['x', f32([1, 3, 9])]]), [auto()])).toBeUndefined();
  });

  it('follows any size of a static dim under shape auto, never a dynamic compiled dim', () => {
    const all = auto({ autoDims: 'all', shape: [1, -1] });
    expect(reshapeTargets(new Map([['x', f32([1, 7])]]), [all])).toBeUndefined();
    expect(reshapeTargets(new Map([['x', f32([2, 7])]]), [all])).toEqual(new Map([['x', [2, 7]]]));
  });

  it('never reshapes an input whose rank is dynamic', () => {
    const dynamic = auto({ autoDims: 'all', shape: undefined });
    expect(reshapeTargets(new Map([['x', f32([2, 7])]]), [dynamic])).toBeUndefined();
  });
});

describe('refuseBytesInputs', () => {
  it('refuses BYTES inputs with INVALID_PRECISION, naming the input', () => {
    const inputs = new Map([['s', createBytesTensor([1], [new Uint8Array(1)])]]);
    try {
      refuseBytesInputs(inputs);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ServingError);
      expect((error as ServingError).code).toBe(StatusCode.INVALID_PRECISION);
      expect((error as ServingError).message).toContain('input name: s');
    }
    expect(() => refuseBytesInputs(new Map([['x', f32([1])]]))).not.toThrow();
  });
});
