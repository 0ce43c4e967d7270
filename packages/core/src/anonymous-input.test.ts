import { describe, expect, it } from 'vitest';
import { resolveAnonymousInput } from './anonymous-input.js';
import { ANONYMOUS_INPUT_NAME } from './engine.js';
import { ServingError, StatusCode } from './status.js';

describe('resolveAnonymousInput', () => {
  it('gives an unnamed shape and layout to the only input', () => {
    const resolved = resolveAnonymousInput(
      {
        shape: { [ANONYMOUS_INPUT_NAME]: [3, 1024] },
        layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
        nireq: 2,
      },
      ['x'],
    );
    expect(resolved).toEqual({ shape: { x: [3, 1024] }, layout: { x: 'NHWC:NCHW' }, nireq: 2 });
  });

  it('keeps auto and leaves named settings alone', () => {
    expect(resolveAnonymousInput({ shape: { [ANONYMOUS_INPUT_NAME]: 'auto' } }, ['x'])).toEqual({
      shape: { x: 'auto' },
    });
    const named = { shape: { a: [1, 2] }, layout: { b: 'NCHW' } };
    expect(resolveAnonymousInput(named, ['a', 'b'])).toBe(named);
  });

  it('applies an unnamed shape auto to every input, a named shape winning', () => {
    const resolved = resolveAnonymousInput(
      { shape: { [ANONYMOUS_INPUT_NAME]: 'auto', b: [1, 2] } },
      ['a', 'b', 'c'],
    );
    expect(resolved.shape).toEqual({ a: 'auto', b: [1, 2], c: 'auto' });
  });

  it('refuses an unnamed shape on a model with several inputs, naming them', () => {
    const run = () =>
      resolveAnonymousInput({ shape: { [ANONYMOUS_INPUT_NAME]: [1, 2] } }, ['a', 'b']);
    expect(run).toThrow(ServingError);
    expect(run).toThrow(
      'Model could not be reshaped with requested shape - a shape without an input name needs a model with one input; this one has 2: a, b',
    );
    try {
      run();
    } catch (error) {
      expect((error as ServingError).code).toBe(StatusCode.RESHAPE_ERROR);
    }
  });

  it('refuses an unnamed layout on a model with several inputs as INVALID_ARGUMENT', () => {
    try {
      resolveAnonymousInput({ layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' } }, ['a', 'b']);
      expect.unreachable();
    } catch (error) {
      expect((error as ServingError).code).toBe(StatusCode.INVALID_ARGUMENT);
      expect((error as ServingError).message).toContain('this one has 2: a, b');
    }
  });
});
