import { describe, expect, it } from 'vitest';
import type { StatusCode } from '@ovms/core';
import { thrown } from '../../test/support/tensor-arbitrary.js';
import { decodeKServeInferRequest } from './decode-request.js';

const utf8 = new TextEncoder();

// Each malformed request, with the OVMS status and message it must be refused with.
describe('decodeKServeInferRequest refuses', () => {
  const x = (extra: string) =>
    `{"inputs": [{"name": "x", "shape": [2], "datatype": "INT32"${extra}}]}`;
  const errors: [string, string, string | undefined, StatusCode, string][] = [
    [
      'a header that is not a number',
      x(',"data":[1,2]'),
      'abc',
      'REST_INFERENCE_HEADER_LENGTH_INVALID',
      "Inference-Header-Content-Length header is invalid - expected an integer from 0 to the body length 75; actual 'abc'",
    ],
    [
      'a header beyond the body',
      x(',"data":[1,2]'),
      '76',
      'REST_INFERENCE_HEADER_LENGTH_INVALID',
      "Inference-Header-Content-Length header is invalid - expected an integer from 0 to the body length 75; actual '76'",
    ],
    [
      'a negative header',
      x(',"data":[1,2]'),
      '-1',
      'REST_INFERENCE_HEADER_LENGTH_INVALID',
      "Inference-Header-Content-Length header is invalid - expected an integer from 0 to the body length 75; actual '-1'",
    ],
    [
      'a bad binary_data_size',
      x(',"parameters":{"binary_data_size":-8}'),
      undefined,
      'REST_BINARY_DATA_SIZE_PARAMETER_INVALID',
      'binary_data_size parameter is invalid and cannot be parsed - input x: expected a non-negative integer; actual -8',
    ],
    [
      'binary data past the body',
      x(',"parameters":{"binary_data_size":8}'),
      undefined,
      'REST_BINARY_BUFFER_EXCEEDED',
      'Received buffer size is smaller than binary_data_size parameter indicates - input x has binary_data_size 8; 0 bytes remain',
    ],
    [
      'both data and binary',
      x(',"data":[1,2],"parameters":{"binary_data_size":0}'),
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - input x has both "data" and binary_data_size',
    ],
    [
      'no data at all',
      x(''),
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - input x has neither "data" nor binary_data_size',
    ],
    [
      'a value count mismatch',
      x(',"data":[1,2,3]'),
      undefined,
      'INVALID_VALUE_COUNT',
      'Invalid number of values in tensor proto container - input x: expected 2 values for shape (2); actual 3',
    ],
    [
      'an unknown datatype',
      '{"inputs":[{"name":"x","shape":[1],"datatype":"FP8","data":[1]}]}',
      undefined,
      'INVALID_PRECISION',
      'Invalid input precision - unknown datatype FP8 of input x',
    ],
    [
      'missing fields',
      '{"inputs":[{"datatype":"FP32","data":[1]}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0] is missing name, shape',
    ],
    [
      'missing inputs',
      '{"id":"1"}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - missing "inputs"',
    ],
    [
      'FP16 as JSON',
      '{"inputs":[{"name":"h","shape":[1],"datatype":"FP16","data":[1]}]}',
      undefined,
      'REST_UNSUPPORTED_PRECISION',
      'Could not parse input content. Unsupported data precision detected - input h: FP16 data cannot be sent as JSON; use the binary data extension',
    ],
    [
      'a wrong element type',
      x(',"data":[1,"2"]'),
      undefined,
      'REST_COULD_NOT_PARSE_INPUT',
      'Could not parse input content. Not valid ndarray detected - input x: expected a number for INT32; actual string at byte 70',
    ],
    [
      'a duplicate input',
      '{"inputs":[{"name":"x","shape":[1],"datatype":"BOOL","data":[true]},{"name":"x","shape":[1],"datatype":"BOOL","data":[true]}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - input x is given twice',
    ],
    [
      'a body that is not an object',
      '[]',
      undefined,
      'REST_BODY_NOT_OBJECT',
      'Invalid JSON structure. Request body is not an object',
    ],
    [
      'a body of digits, at its first byte',
      '1'.repeat(100_000),
      undefined,
      'REST_BODY_NOT_OBJECT',
      'Invalid JSON structure. Request body is not an object',
    ],
    [
      'an id that is not a string',
      `{"id": [${'1,'.repeat(10_000)}1], "inputs": []}`,
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - "id" must be a string',
    ],
    [
      'an id past the bound',
      `{"id": "${'i'.repeat(100_000)}", "inputs": []}`,
      undefined,
      'INVALID_ARGUMENT',
      'Invalid argument - "id" longer than 4096 bytes at byte 7',
    ],
    [
      'inputs that are not an array',
      '{"inputs": {"name": "x"}}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - "inputs" must be an array',
    ],
    [
      'an input that is not an object',
      '{"inputs": [[1, 2]]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0] must be an object',
    ],
    [
      'a name that is not a string',
      '{"inputs": [{"name": 5}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0].name must be a string',
    ],
    [
      'a name past the bound',
      `{"inputs": [{"name": "${'n'.repeat(100_000)}"}]}`,
      undefined,
      'INVALID_ARGUMENT',
      'Invalid argument - inputs[0].name longer than 4096 bytes at byte 21',
    ],
    [
      'a datatype that is not a string',
      '{"inputs": [{"name": "x", "datatype": ["FP32"]}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0].datatype must be a string',
    ],
    [
      'a shape that is not an array',
      '{"inputs": [{"name": "x", "shape": "2"}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0].shape must be an array of numbers',
    ],
    [
      'a shape with a non-number',
      '{"inputs": [{"name": "x", "shape": [1, [2]]}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0].shape must be an array of numbers',
    ],
    [
      'a shape with a number past the bound',
      `{"inputs": [{"name": "x", "shape": [${'9'.repeat(100_000)}]}]}`,
      undefined,
      'INVALID_ARGUMENT',
      'Invalid argument - number longer than 64 characters at byte 36',
    ],
    [
      'a data number past the bound',
      x(`,"data":[1,${'2'.repeat(100_000)}]`),
      undefined,
      'INVALID_ARGUMENT',
      'Invalid argument - number longer than 64 characters at byte 70',
    ],
    [
      'data that is a string',
      x(`,"data":"${'d'.repeat(100_000)}"`),
      undefined,
      'REST_BODY_NOT_JSON',
      `Request body is not a valid JSON - unexpected '"'; expected an array for "data" at byte 67`,
    ],
    [
      'parameters that are not an object',
      '{"parameters": [true], "inputs": []}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - parameters must be an object',
    ],
    [
      'a parameter that is not a scalar',
      x(',"parameters":{"binary_data_size":[8]}'),
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - inputs[0].parameters.binary_data_size must be a string, number or boolean',
    ],
    [
      'a parameter string past the bound',
      `{"parameters": {"p": "${'p'.repeat(100_000)}"}, "inputs": []}`,
      undefined,
      'INVALID_ARGUMENT',
      'Invalid argument - parameters.p longer than 65536 bytes at byte 21',
    ],
    [
      'outputs that are not an array',
      '{"inputs": [], "outputs": {"name": "y"}}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - "outputs" must be an array',
    ],
    [
      'an output that is not an object',
      '{"inputs": [], "outputs": ["y"]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - outputs[0] must be an object',
    ],
    [
      'an output name that is not a string',
      '{"inputs": [], "outputs": [{"name": null}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - outputs[0].name must be a string',
    ],
    [
      'an output without a name',
      '{"inputs": [], "outputs": [{"parameters": {"binary_data": true}}]}',
      undefined,
      'REST_INFER_REQUEST_INVALID',
      'Invalid inference request - outputs[0] is missing name',
    ],
    [
      'an unknown key holding malformed JSON',
      '{"extra": {"a" 1}, "inputs": []}',
      undefined,
      'REST_BODY_NOT_JSON',
      "Request body is not a valid JSON - unexpected '1'; expected ':' at byte 15",
    ],
    [
      'a raw request without a single input',
      'abcd',
      '0',
      'INVALID_NO_OF_INPUTS',
      'Invalid number of inputs - a raw binary request (Inference-Header-Content-Length: 0) needs a model with exactly one input',
    ],
  ];
  it.each(errors)('%s', (_, json, header, code, message) => {
    const error = thrown(() => decodeKServeInferRequest(utf8.encode(json), header));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });
});
