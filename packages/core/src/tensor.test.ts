import { describe, expect, it } from 'vitest';
import {
  createBytesTensor,
  createNumericTensor,
  elementCount,
  MAX_TENSOR_ELEMENTS,
  typedView,
} from './tensor.js';
import { ServingError } from './status.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

describe('elementCount', () => {
  it('multiplies dimensions, including bigint dims from proto decoders', () => {
    expect(elementCount([1, 3, 224, 224])).toBe(150528);
    expect(elementCount([2n, 5n])).toBe(10);
    expect(elementCount([])).toBe(1);
    expect(elementCount([4, 0])).toBe(0);
  });

  it('refuses negative dimensions with INVALID_SHAPE', () => {
    const error = thrown(() => elementCount([1, -3]));
    expect(error.code).toBe('INVALID_SHAPE');
    expect(error.message).toBe(
      'Invalid input shape - dimensions must be non-negative integers; actual (1,-3)',
    );
  });

  it('refuses shapes beyond 2^31 - 1 elements before allocating anything', () => {
    const error = thrown(() => elementCount([65536, 65536]));
    expect(error.code).toBe('INVALID_SHAPE');
    expect(error.message).toContain(`more than ${MAX_TENSOR_ELEMENTS} elements`);
    expect(thrown(() => elementCount([2n ** 62n])).code).toBe('INVALID_SHAPE');
  });
});

describe('typedView', () => {
  it('shares the buffer when the offset is aligned', () => {
    const backing = new Uint8Array(16);
    const bytes = backing.subarray(4, 12);
    const view = typedView('FP32', bytes);
    expect(view).toBeInstanceOf(Float32Array);
    expect(view.buffer).toBe(backing.buffer);
    view[0] = 1.5;
    expect(new Float32Array(backing.buffer, 4, 1)[0]).toBe(1.5);
  });

  it('copies once when the offset is misaligned, with the same values', () => {
    const backing = new Uint8Array(17);
    new DataView(backing.buffer).setFloat32(1, 2.25, true);
    const view = typedView('FP32', backing.subarray(1, 9));
    expect(view.buffer).not.toBe(backing.buffer);
    expect(view[0]).toBe(2.25);
  });

  it('refuses byte lengths that are not whole elements', () => {
    const error = thrown(() => typedView('INT64', new Uint8Array(12)));
    expect(error.code).toBe('INVALID_CONTENT_SIZE');
    expect(error.message).toBe(
      'Invalid content size of tensor proto - 12 bytes is not a whole number of INT64 elements',
    );
  });
});

describe('tensor constructors', () => {
  it('check byte size against shape × dtype', () => {
    expect(createNumericTensor('INT16', [2, 2], new Uint8Array(8)).shape).toEqual([2, 2]);
    const error = thrown(() => createNumericTensor('INT16', [2, 2], new Uint8Array(7)));
    expect(error.message).toBe(
      'Invalid content size of tensor proto - expected 8 bytes for INT16 (2,2); actual 7',
    );
  });

  it('check element count for BYTES', () => {
    const error = thrown(() => createBytesTensor([3], [new Uint8Array(1)]));
    expect(error.code).toBe('INVALID_VALUE_COUNT');
    expect(error.message).toBe(
      'Invalid number of values in tensor proto container - expected 3 elements for BYTES (3); actual 1',
    );
  });
});
