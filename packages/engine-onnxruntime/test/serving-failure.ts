import { expect } from 'vitest';
import { ServingError } from '@ovms/core';

/** The ServingError `fn` throws; fails the test when it throws anything else or nothing. */
export function servingFailure(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ServingError);
    return error as ServingError;
  }
  throw new Error('expected a ServingError');
}
