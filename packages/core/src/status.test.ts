import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode, toServingError } from './status.js';

describe('ServingError', () => {
  it('appends the detail after " - " as OVMS does', () => {
    const error = new ServingError(StatusCode.INVALID_SHAPE, 'Expected: (-1,10); Actual: (1,11)');
    expect(error.message).toBe('Invalid input shape - Expected: (-1,10); Actual: (1,11)');
    expect(new ServingError('MODEL_NAME_MISSING').message).toBe(
      'Model with requested name is not found',
    );
  });

  it('toServingError keeps ServingErrors and hides the text of anything else', () => {
    const original = new ServingError('INVALID_PRECISION');
    expect(toServingError(original)).toBe(original);
    const wrapped = toServingError(new TypeError('secret internals'));
    expect(wrapped.code).toBe('INTERNAL_ERROR');
    expect(wrapped.message).toBe('Internal server error');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });
});
