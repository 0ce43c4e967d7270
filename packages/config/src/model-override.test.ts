import { ServingError, StatusCode } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { parseModelOverride } from './model-override.js';

const target = { name: 'resnet', basePath: '/models/resnet' };

const refusal = (text: string): { code: string; message: string } => {
  try {
    parseModelOverride(target, text);
  } catch (error) {
    expect(error).toBeInstanceOf(ServingError);
    const { code, message } = error as ServingError;
    return { code, message };
  }
  throw new Error('expected a refusal');
};

describe('parseModelOverride', () => {
  it('gives a repository folder OVMS defaults, or the override applied', () => {
    expect(parseModelOverride(target, undefined)).toMatchObject({
      name: 'resnet',
      basePath: '/models/resnet',
      versionPolicy: { kind: 'latest', numVersions: 1 },
      nireq: 0,
    });
    expect(
      parseModelOverride(target, '{"model_version_policy": {"all": {}}, "nireq": 2}'),
    ).toMatchObject({ name: 'resnet', versionPolicy: { kind: 'all' }, nireq: 2 });
  });

  it('refuses what the config.json schema refuses, with the JSON path of each issue', () => {
    expect(refusal('{"nireq": "x", "colour": 1}')).toEqual({
      code: StatusCode.INVALID_ARGUMENT,
      message:
        'Invalid argument - parameters.config.nireq: expected a number; got "x"; parameters.config.colour: unknown key',
    });
  });

  it('refuses text that is not a JSON object', () => {
    expect(refusal('{"nireq": ')).toEqual({
      code: StatusCode.INVALID_ARGUMENT,
      message:
        'Invalid argument - parameters.config is not valid JSON - Unexpected end of input at line 1, column 11',
    });
    for (const text of ['[]', '3', 'null'])
      expect(refusal(text).message).toBe(
        'Invalid argument - parameters.config: expected an OVMS model config object',
      );
  });

  it('refuses a name or base_path: the repository folder decides them', () => {
    expect(refusal('{"base_path": "/etc", "name": "x"}').message).toBe(
      'Invalid argument - parameters.config: name and base_path come from the model repository and cannot be set',
    );
  });
});
