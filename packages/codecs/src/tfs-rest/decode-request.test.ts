import { describe, expect, it } from 'vitest';
import type { StatusCode } from '@ovms/core';
import { ServingError, type TensorSpec } from '@ovms/core';
import { elementsOf, thrown } from '../../test/support/tensor-arbitrary.js';
import { decodeTfsPredictRequest } from './decode-request.js';

const text = (s: string) => [...new TextEncoder().encode(s)];

// api_rest.md, "Request format": the three-input example model.
const EXAMPLE: TensorSpec[] = [
  { name: 'tag', dtype: 'BYTES', shape: [-1] },
  { name: 'signal', dtype: 'INT32', shape: [-1, 5] },
  { name: 'sensor', dtype: 'FP32', shape: [-1, 2, 2] },
];
const ONE: TensorSpec[] = [{ name: 'x', dtype: 'FP32', shape: [-1, 3] }];

describe('decodeTfsPredictRequest', () => {
  it('decodes the documented row-format example', () => {
    const request = decodeTfsPredictRequest(
      `{"signature_name": "serving_default", "instances": [
        {"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]},
        {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]}`,
      EXAMPLE,
    );
    expect(request.format).toBe('row');
    expect(request.signatureName).toBe('serving_default');
    expect(request.inputs.get('tag')?.shape).toEqual([2]);
    expect(elementsOf(request.inputs.get('tag')!)).toEqual([text('foo'), text('bar')]);
    expect(request.inputs.get('signal')?.shape).toEqual([2, 5]);
    expect(elementsOf(request.inputs.get('signal')!)).toEqual([1, 2, 3, 4, 5, 3, 4, 1, 2, 5]);
    expect(request.inputs.get('sensor')?.shape).toEqual([2, 2, 2]);
    expect(elementsOf(request.inputs.get('sensor')!)).toEqual([1, 2, 3, 4, 4, 5, 6, 8]);
  });

  it('decodes the documented column-format example', () => {
    const request = decodeTfsPredictRequest(
      `{"inputs": {"tag": ["foo", "bar"], "signal": [[1, 2, 3, 4, 5], [3, 4, 1, 2, 5]],
        "sensor": [[[1, 2], [3, 4]], [[4, 5], [6, 8]]]}}`,
      EXAMPLE,
    );
    expect(request.format).toBe('column');
    expect(request.signatureName).toBeUndefined();
    expect(request.inputs.get('signal')?.shape).toEqual([2, 5]);
    expect(request.inputs.get('sensor')?.shape).toEqual([2, 2, 2]);
  });

  it('reads {"b64"} sent to a numeric input as BYTES: a binary image for the servable', () => {
    const image: TensorSpec[] = [{ name: 'img', dtype: 'FP32', shape: [1, 2, 2, 3] }];
    const row = decodeTfsPredictRequest('{"instances": [{"b64": "aGVsbG8="}]}', image);
    expect(row.inputs.get('img')).toMatchObject({ dtype: 'BYTES', shape: [1] });
    const named = decodeTfsPredictRequest('{"instances": [{"img": {"b64": "aGk="}}]}', image);
    expect(elementsOf(named.inputs.get('img')!)).toEqual([text('hi')]);
    const column = decodeTfsPredictRequest('{"inputs": {"img": [ {"b64": "aGk="}]}}', image);
    expect(column.inputs.get('img')).toMatchObject({ dtype: 'BYTES', shape: [1] });
    const numbers = decodeTfsPredictRequest('{"inputs": {"img": [[1.5]]}}', image);
    expect(numbers.inputs.get('img')).toMatchObject({ dtype: 'FP32', shape: [1, 1] });
  });

  it('decodes the documented b64 example and bare values for a single input', () => {
    const spec: TensorSpec[] = [{ name: 'image_bytes', dtype: 'BYTES', shape: [-1] }];
    const row = decodeTfsPredictRequest('{"instances": [{"b64": "aGVsbG8="}]}', spec);
    expect(elementsOf(row.inputs.get('image_bytes')!)).toEqual([text('hello')]);
    const named = decodeTfsPredictRequest(
      '{"instances": [{"image_bytes": {"b64": "aGVsbG8="}}]}',
      spec,
    );
    expect(elementsOf(named.inputs.get('image_bytes')!)).toEqual([text('hello')]);
    const column = decodeTfsPredictRequest('{"inputs": {"b64": "aGVsbG8="}}', spec);
    expect(column.inputs.get('image_bytes')?.shape).toEqual([]);
    const bare = decodeTfsPredictRequest('{"instances": [[1, 2, 3], [4, 5, 6]]}', ONE);
    expect(bare.inputs.get('x')?.shape).toEqual([2, 3]);
    const scalar = decodeTfsPredictRequest('{"inputs": NaN}', ONE);
    expect(elementsOf(scalar.inputs.get('x')!)).toEqual([NaN]);
  });

  it('reads INT64 beyond 2^53 exactly and accepts NaN / Infinity for floats', () => {
    const specs: TensorSpec[] = [
      { name: 'i', dtype: 'INT64', shape: [-1] },
      { name: 'f', dtype: 'FP64', shape: [-1] },
    ];
    const request = decodeTfsPredictRequest(
      '{"inputs": {"i": [9007199254740993, -9007199254740993], "f": [NaN, Infinity, -Infinity]}}',
      specs,
    );
    expect(elementsOf(request.inputs.get('i')!)).toEqual([9007199254740993n, -9007199254740993n]);
    expect(elementsOf(request.inputs.get('f')!)).toEqual([NaN, Infinity, -Infinity]);
  });

  const errors: [string, string, TensorSpec[], StatusCode, string][] = [
    [
      'not an object',
      '[1, 2]',
      ONE,
      'REST_BODY_NOT_OBJECT',
      'Invalid JSON structure. Request body is not an object',
    ],
    [
      'not JSON',
      '{"instances": [1, 2}',
      ONE,
      'REST_BODY_NOT_JSON',
      "Request body is not a valid JSON - unexpected '}'; expected ',' or ']' at byte 19",
    ],
    [
      'neither format',
      '{"signature_name": "x"}',
      ONE,
      'REST_PREDICT_UNKNOWN_ORDER',
      'Invalid JSON structure. Could not detect row or column format - expected "instances" (row) or "inputs" (column)',
    ],
    [
      'both formats',
      '{"instances": [[1, 2, 3]], "inputs": [[1, 2, 3]]}',
      ONE,
      'REST_PREDICT_UNKNOWN_ORDER',
      'Invalid JSON structure. Could not detect row or column format - both "instances" and "inputs" are present',
    ],
    [
      'instances not a list',
      '{"instances": 5}',
      ONE,
      'REST_INSTANCES_NOT_ARRAY',
      'Invalid JSON structure. Instances field is not an array',
    ],
    [
      'instances empty',
      '{"instances": []}',
      ONE,
      'REST_INSTANCES_EMPTY',
      'Invalid JSON structure. Instances array is empty',
    ],
    [
      'bare instances for several inputs',
      '{"instances": [1]}',
      EXAMPLE,
      'REST_NAMED_INSTANCE_NOT_OBJECT',
      'Invalid JSON structure. Named instance is not an object - instances of a model with 3 inputs must be objects at byte 14',
    ],
    [
      'instance not an object',
      '{"instances": [{"signal": [1]}, 2]}',
      EXAMPLE,
      'REST_NAMED_INSTANCE_NOT_OBJECT',
      'Invalid JSON structure. Named instance is not an object - instance 1 is number at byte 32',
    ],
    [
      'batch differs',
      '{"instances": [{"tag": "a", "signal": [1], "sensor": [1]}, {"tag": "b", "sensor": [2]}]}',
      EXAMPLE,
      'REST_INSTANCES_BATCH_SIZE_DIFFER',
      'Invalid JSON structure. Instances batch size differ - input signal is in 1 of 2 instances',
    ],
    [
      'unexpected input',
      '{"inputs": {"x": [1], "y": [2]}}',
      ONE,
      'INVALID_UNEXPECTED_INPUT',
      "Unexpected input - y; the model's inputs are x",
    ],
    [
      'missing input',
      '{"inputs": {"tag": ["a"], "signal": [[1]]}}',
      EXAMPLE,
      'INVALID_MISSING_INPUT',
      'Missing input with specific name - missing input sensor',
    ],
    [
      'bare inputs for several inputs',
      '{"inputs": [1]}',
      EXAMPLE,
      'INVALID_NO_OF_INPUTS',
      'Invalid number of inputs - a bare "inputs" value fits a model with one input; this model has 3',
    ],
    [
      'ragged',
      '{"inputs": [[1, 2], [3]]}',
      ONE,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input x: arrays are ragged (not a rectangular ndarray) at byte 20',
    ],
    [
      'ragged across instances',
      '{"instances": [{"x": [1, 2]}, {"x": [3]}]}',
      ONE,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input x: arrays are ragged (not a rectangular ndarray) at byte 36',
    ],
    [
      'fraction for an integer',
      '{"inputs": {"signal": [0.5]}}',
      EXAMPLE,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input signal: expected an integer for INT32; actual 0.5 at byte 23',
    ],
    [
      'bad base64',
      '{"inputs": {"tag": [{"b64": "!!"}]}}',
      EXAMPLE,
      'REST_INVALID_BASE64',
      'Invalid base64 string - input tag at byte 20',
    ],
    [
      'input twice',
      '{"inputs": {"x": [1], "x": [2]}}',
      ONE,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input x is given twice at byte 26',
    ],
    [
      'signature not a string',
      '{"signature_name": 1, "inputs": [1]}',
      ONE,
      'INVALID_ARGUMENT',
      'Invalid argument - "signature_name" must be a string at byte 19',
    ],
    [
      'a body of digits, at its first byte',
      '1'.repeat(100_000),
      ONE,
      'REST_BODY_NOT_OBJECT',
      'Invalid JSON structure. Request body is not an object',
    ],
    [
      'a body that begins no JSON value',
      'x'.repeat(100),
      ONE,
      'REST_BODY_NOT_JSON',
      "Request body is not a valid JSON - unexpected 'x'; expected a JSON value at byte 0",
    ],
    [
      'a number token past the bound',
      `{"inputs": [1, ${'2'.repeat(100_000)}]}`,
      ONE,
      'INVALID_ARGUMENT',
      'Invalid argument - number longer than 64 characters at byte 15',
    ],
    [
      'a signature name past the bound',
      `{"signature_name": "${'s'.repeat(100_000)}", "inputs": [1]}`,
      ONE,
      'INVALID_ARGUMENT',
      'Invalid argument - "signature_name" longer than 4096 bytes at byte 19',
    ],
    [
      'an input name past the bound',
      `{"inputs": {"${'n'.repeat(100_000)}": [1]}}`,
      ONE,
      'INVALID_ARGUMENT',
      'Invalid argument - object key longer than 4096 bytes at byte 12',
    ],
    [
      'a string where numbers are expected',
      `{"inputs": {"x": "${'s'.repeat(100_000)}"}}`,
      ONE,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input x: expected a number for FP32; actual string at byte 17',
    ],
    [
      'nesting past the depth bound',
      `{"inputs": ${'['.repeat(100_000)}`,
      ONE,
      'REST_BODY_NOT_JSON',
      'Request body is not a valid JSON - nesting deeper than 64 levels at byte 74',
    ],
    [
      'an ignored key holding malformed JSON',
      '{"meta": {"a": [1, 2}, "inputs": [1]}',
      ONE,
      'REST_BODY_NOT_JSON',
      "Request body is not a valid JSON - unexpected '}'; expected ',' or ']' at byte 20",
    ],
  ];
  it.each(errors)('refuses %s', (_, body, specs, code, message) => {
    const error = thrown(() => decodeTfsPredictRequest(body, specs));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('skips keys TF Serving ignores, whatever their size', () => {
    const meta = `{"note": "${'n'.repeat(100_000)}", "deep": [[{"a": null}]], "n": -1.5e3}`;
    const request = decodeTfsPredictRequest(`{"meta": ${meta}, "inputs": [[1, 2, 3]]}`, ONE);
    expect(elementsOf(request.inputs.get('x')!)).toEqual([1, 2, 3]);
  });

  it('decodes {"b64"} with escapes, as JSON allows a base64 "/" to be written "\\/"', () => {
    const spec: TensorSpec[] = [{ name: 's', dtype: 'BYTES', shape: [-1] }];
    const request = decodeTfsPredictRequest('{"inputs": [{"b64": "\\/\\/8="}]}', spec);
    expect(elementsOf(request.inputs.get('s')!)).toEqual([[0xff, 0xff]]);
  });

  it('accepts a plain string for a BYTES input as its UTF-8 bytes', () => {
    const spec: TensorSpec[] = [{ name: 's', dtype: 'BYTES', shape: [-1] }];
    const request = decodeTfsPredictRequest('{"inputs": ["é\\n"]}', spec);
    expect(elementsOf(request.inputs.get('s')!)).toEqual([text('é\n')]);
  });

  it('never throws anything but a ServingError on malformed bodies', async () => {
    const fc = (await import('fast-check')).default;
    const pieces = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"instances"',
      '"inputs"',
      '"x"',
      '"tag"',
      '"signal"',
      '"b64"',
      '"aGVsbG8="',
      '1',
      '-2.5e3',
      'NaN',
      'true',
      'null',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        for (const specs of [ONE, EXAMPLE]) {
          try {
            decodeTfsPredictRequest(parts.join(''), specs);
          } catch (error) {
            expect(error).toBeInstanceOf(ServingError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
