import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServingError, TYPED_ARRAY_OF, bytesOf, typedView } from '@ovms/core';
import type { DataType, NumericDataType } from '@ovms/core';
import { InferTensorContents, ModelInferRequest } from '@ovms/proto';
import { decodeInferInputs } from './decode-infer-inputs.js';

type Value = number | bigint | boolean | Uint8Array;
type TypedDataType = Exclude<DataType, 'FP16' | 'BF16'>;

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const int = (min: number, max: number) => fc.integer({ min, max });
const VALUES: { readonly [T in TypedDataType]: fc.Arbitrary<Value> } = {
  BOOL: fc.boolean(),
  UINT8: int(0, 255),
  UINT16: int(0, 65535),
  UINT32: int(0, 2 ** 32 - 1),
  UINT64: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(2n ** 53n + 1n)),
  INT8: int(-128, 127),
  INT16: int(-32768, 32767),
  INT32: int(-(2 ** 31), 2 ** 31 - 1),
  INT64: fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constant(2n ** 60n + 7n),
  ),
  FP32: fc.float(),
  FP64: fc.double(),
  BYTES: fc.uint8Array({ maxLength: 8 }),
};

const CONTENTS_KEY = {
  BOOL: 'boolContents',
  UINT8: 'uintContents',
  UINT16: 'uintContents',
  UINT32: 'uintContents',
  UINT64: 'uint64Contents',
  INT8: 'intContents',
  INT16: 'intContents',
  INT32: 'intContents',
  INT64: 'int64Contents',
  FP32: 'fp32Contents',
  FP64: 'fp64Contents',
  BYTES: 'bytesContents',
} as const satisfies Record<TypedDataType, keyof InferTensorContents>;

function caseArb(dtype: TypedDataType) {
  return fc.array(int(0, 4), { maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc
      .array(VALUES[dtype], { minLength: n, maxLength: n })
      .map((values) => ({ shape, values }));
  });
}

function expectedBytes(dtype: NumericDataType, values: readonly Value[]): number[] {
  const out = new TYPED_ARRAY_OF[dtype](values.length);
  values.forEach((v, i) => (out[i] = typeof v === 'boolean' ? Number(v) : (v as never)));
  return [...bytesOf(out)];
}

function input(
  name: string,
  datatype: string,
  shape: number[],
  contents?: Partial<InferTensorContents>,
) {
  return {
    name,
    datatype,
    shape: shape.map(BigInt),
    ...(contents === undefined ? {} : { contents: InferTensorContents.fromPartial(contents) }),
  };
}

function failure(partial: Parameters<typeof ModelInferRequest.fromPartial>[0]): [string, string] {
  const error = thrown(() => decodeInferInputs(ModelInferRequest.fromPartial(partial)));
  return [error.code, error.message];
}

const TYPED = Object.keys(CONTENTS_KEY) as TypedDataType[];

describe('decodeInferInputs, typed contents', () => {
  it.each(TYPED)('decodes %s contents exactly, also after a wire round trip', (dtype) => {
    fc.assert(
      fc.property(caseArb(dtype), ({ shape, values }) => {
        const request = ModelInferRequest.fromPartial({
          inputs: [input('x', dtype, shape, { [CONTENTS_KEY[dtype]]: values })],
        });
        const wire = ModelInferRequest.decode(ModelInferRequest.encode(request).finish());
        for (const decoded of [request, wire].map((r) => decodeInferInputs(r).get('x'))) {
          expect(decoded?.shape).toEqual(shape);
          if (decoded?.dtype === 'BYTES') expect(decoded.data).toEqual(values);
          else if (decoded) expect([...decoded.data]).toEqual(expectedBytes(decoded.dtype, values));
          else throw new Error('input x lost');
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the request order and exact special floats', () => {
    const tensors = decodeInferInputs(
      ModelInferRequest.fromPartial({
        inputs: [
          input('b', 'FP32', [1, 3], { fp32Contents: [NaN, -Infinity, -0] }),
          input('a', 'INT64', [1], { int64Contents: [2n ** 63n - 1n] }),
        ],
      }),
    );
    expect([...tensors.keys()]).toEqual(['b', 'a']);
    const b = tensors.get('b');
    if (b?.dtype !== 'FP32') throw new Error('FP32 expected');
    expect([...typedView('FP32', b.data)]).toEqual([NaN, -Infinity, -0]);
  });
});

describe('decodeInferInputs errors', () => {
  it('refuses FP16 and BF16 in typed contents: they need raw_input_contents', () => {
    for (const dtype of ['FP16', 'BF16']) {
      expect(failure({ inputs: [input('x', dtype, [1], { uintContents: [1] })] })).toEqual([
        'INVALID_PRECISION',
        `Invalid input precision - ${dtype} data requires raw_input_contents; InferTensorContents has no ${dtype} field; input name: x`,
      ]);
    }
  });

  it('refuses an unknown datatype', () => {
    expect(failure({ inputs: [input('x', 'FLOAT32', [1])] })).toEqual([
      'INVALID_PRECISION',
      'Invalid input precision - Unsupported datatype "FLOAT32"; input name: x',
    ]);
  });

  it('refuses a value count that does not match the shape (no broadcast in KServe)', () => {
    expect(failure({ inputs: [input('x', 'FP32', [2, 2], { fp32Contents: [1] })] })).toEqual([
      'INVALID_VALUE_COUNT',
      'Invalid number of values in tensor proto container - Expected: 4; Actual: 1; input name: x',
    ]);
    expect(failure({ inputs: [input('x', 'BYTES', [2])] })).toEqual([
      'INVALID_VALUE_COUNT',
      'Invalid number of values in tensor proto container - Expected: 2; Actual: 0; input name: x',
    ]);
  });

  it('refuses duplicate input names', () => {
    const x = input('x', 'INT32', [1], { intContents: [1] });
    expect(failure({ inputs: [x, x] })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - Duplicate input name: x',
    ]);
  });

  it.each([
    ['UINT8', { uintContents: [256] }, 'UINT8 values in [0, 255]; Actual: 256 at uint_contents[0]'],
    [
      'UINT16',
      { uintContents: [1, 65536] },
      'UINT16 values in [0, 65535]; Actual: 65536 at uint_contents[1]',
    ],
    [
      'INT8',
      { intContents: [-200] },
      'INT8 values in [-128, 127]; Actual: -200 at int_contents[0]',
    ],
    [
      'INT16',
      { intContents: [32768] },
      'INT16 values in [-32768, 32767]; Actual: 32768 at int_contents[0]',
    ],
  ])('refuses out-of-range %s values', (dtype, contents, detail) => {
    const shape = [Object.values(contents)[0]?.length ?? 0];
    expect(failure({ inputs: [input('x', dtype, shape, contents)] })).toEqual([
      'INVALID_ARGUMENT',
      `Invalid argument - Expected: ${detail}; input name: x`,
    ]);
  });

  it("refuses values in a contents field that is not the datatype's own", () => {
    expect(failure({ inputs: [input('x', 'UINT8', [1], { intContents: [1] })] })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - UINT8 values go in uint_contents; int_contents is set; input name: x',
    ]);
  });

  it('refuses a negative dimension', () => {
    expect(failure({ inputs: [input('x', 'FP32', [-1, 3])] })).toEqual([
      'INVALID_SHAPE',
      'Invalid input shape - Dimensions must be non-negative; Actual: (-1,3); input name: x',
    ]);
  });
});

describe('decodeInferInputs errors, raw_input_contents', () => {
  const raw = (...sizes: number[]) => sizes.map((size) => new Uint8Array(size));

  it('refuses a raw entry count that differs from the input count', () => {
    const inputs = [input('a', 'FP32', [1]), input('b', 'FP32', [1])];
    expect(failure({ inputs, rawInputContents: raw(4) })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - raw_input_contents needs one entry per input, in input order - Expected: 2; Actual: 1',
    ]);
  });

  it('refuses contents on an input when raw_input_contents is used', () => {
    const inputs = [input('a', 'FP32', [1]), input('b', 'FP32', [1], { fp32Contents: [1] })];
    expect(failure({ inputs, rawInputContents: raw(4, 4) })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - raw_input_contents is used, so contents must be empty; fp32_contents is set; input name: b',
    ]);
  });

  it('refuses a raw entry whose size does not match shape and datatype', () => {
    expect(failure({ inputs: [input('x', 'FP16', [1, 3])], rawInputContents: raw(5) })).toEqual([
      'INVALID_CONTENT_SIZE',
      'Invalid content size of tensor proto - Expected: 6 bytes; Actual: 5 bytes; input name: x',
    ]);
  });

  it('refuses malformed length-prefixed BYTES', () => {
    const rawInputContents = [new Uint8Array([9, 0, 0, 0, 1])];
    expect(failure({ inputs: [input('x', 'BYTES', [1])], rawInputContents })).toEqual([
      'INVALID_CONTENT_SIZE',
      'Invalid content size of tensor proto - BYTES input x: element 0 declares 9 bytes; 1 remain',
    ]);
  });

  it('still refuses an unknown datatype with raw data', () => {
    expect(failure({ inputs: [input('x', 'STRING', [1])], rawInputContents: raw(1) })).toEqual([
      'INVALID_PRECISION',
      'Invalid input precision - Unsupported datatype "STRING"; input name: x',
    ]);
  });
});
