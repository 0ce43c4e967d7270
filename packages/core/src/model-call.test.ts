import { describe, expect, it } from 'vitest';
import { inferenceFailure, requestedOutputs, selectOutputs } from './model-call.js';
import { ServingError, StatusCode } from './status.js';
import { createNumericTensor, type TensorMap } from './tensor.js';

const outputs = [
  { name: 'y', dtype: 'FP32', shape: [-1] },
  { name: 'z', dtype: 'FP32', shape: [-1] },
] as const;

const produced: TensorMap = new Map([
  ['y', createNumericTensor('FP32', [1], new Uint8Array(4))],
  ['z', createNumericTensor('FP32', [1], new Uint8Array(4))],
]);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as ServingError).code;
  }
  return 'no error';
}

describe('requestedOutputs', () => {
  it('means every output when none is named', () => {
    expect(requestedOutputs(outputs, undefined)).toBeUndefined();
    expect(requestedOutputs(outputs, [])).toBeUndefined();
  });

  it('drops repeats and keeps the request order', () => {
    expect(requestedOutputs(outputs, ['z', 'y', 'z'])).toEqual(['z', 'y']);
  });

  it('refuses an output the servable does not have, naming it', () => {
    expect(() => requestedOutputs(outputs, ['y', 'w'])).toThrow(
      'Missing output with specific name - Required output: w',
    );
    expect(codeOf(() => requestedOutputs(outputs, ['w']))).toBe(StatusCode.INVALID_MISSING_OUTPUT);
  });
});

describe('selectOutputs', () => {
  it('answers exactly the wanted outputs in their order', () => {
    expect([...selectOutputs(produced, ['z']).keys()]).toEqual(['z']);
    expect(selectOutputs(produced, undefined)).toBe(produced);
  });

  it('reports a wanted output the engine did not produce as an inference error', () => {
    expect(codeOf(() => selectOutputs(produced, ['w']))).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
  });
});

describe('inferenceFailure', () => {
  it('keeps a ServingError and wraps anything else with its cause', () => {
    const known = new ServingError(StatusCode.RESHAPE_ERROR, 'x');
    expect(inferenceFailure(known)).toBe(known);
    const native = new Error('segfault avoided');
    const wrapped = inferenceFailure(native) as ServingError;
    expect(wrapped.code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
    expect(wrapped.message).toBe('Internal inference error');
    expect(wrapped.cause).toBe(native);
  });

  it("leaves the request's own abort reason as it is", () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    controller.abort(reason);
    expect(inferenceFailure(reason, controller.signal)).toBe(reason);
    const other = new Error('engine broke');
    expect((inferenceFailure(other, controller.signal) as ServingError).code).toBe(
      StatusCode.INTERNAL_INFERENCE_ERROR,
    );
  });
});
