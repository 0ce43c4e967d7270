import { describe, expect, it } from 'vitest';
import { readControlParameters } from './model-control-parameters.js';
import { ServingError, StatusCode } from './status.js';

const refusal = (...args: Parameters<typeof readControlParameters>) => {
  try {
    readControlParameters(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(ServingError);
    return { code: (error as ServingError).code, message: (error as ServingError).message };
  }
  throw new Error('expected a refusal');
};

describe('readControlParameters', () => {
  it("takes a load's config text and an unload's unload_dependents", () => {
    expect(readControlParameters('load', [])).toEqual({});
    expect(readControlParameters('load', [['config', '{"nireq":1}']])).toEqual({
      config: '{"nireq":1}',
    });
    expect(readControlParameters('unload', [['unload_dependents', false]])).toEqual({});
  });

  it('refuses values of the wrong kind, file overrides and unknown keys', () => {
    expect(refusal('load', [['config', 3]])).toEqual({
      code: StatusCode.INVALID_ARGUMENT,
      message: 'Invalid argument - parameters.config: expected a string of JSON; got number',
    });
    expect(refusal('unload', [['unload_dependents', 'yes']]).message).toBe(
      'Invalid argument - parameters.unload_dependents: expected a boolean; got string',
    );
    expect(refusal('load', [['file:1/model.onnx', new Uint8Array(1)]]).message).toBe(
      'Invalid argument - parameters.file:1/model.onnx: model files cannot be sent with a load; put them in the model repository',
    );
    expect(refusal('unload', [['config', '{}']]).message).toBe(
      'Invalid argument - unknown unload parameter "config"',
    );
  });
});
