import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode, type TensorSpec } from '@ovms/core';
import { decodeKServeInferRequest, decodeTfsPredictRequest } from '../src/index.js';
import { thrown } from './support/tensor-arbitrary.js';

/**
 * Hostile JSON against both REST decoders: each must answer a ServingError, in time linear in
 * the body (never a hang, never a quadratic path) and without building what the body holds.
 * Timings are compared with JSON.parse of a valid body of the same size, measured in the same
 * test, never with absolute numbers: the machine may be slow, the ratio stays.
 */

const utf8 = new TextEncoder();
const FP32: TensorSpec[] = [{ name: 'x', dtype: 'FP32', shape: [-1, 3] }];
const MIXED: TensorSpec[] = [
  { name: 'tag', dtype: 'BYTES', shape: [-1] },
  { name: 'x', dtype: 'INT32', shape: [-1, 2] },
];

type Decode = (body: Uint8Array) => unknown;
const DECODERS: Record<string, Decode> = {
  'TFS REST, one FP32 input': (body) => decodeTfsPredictRequest(body, FP32),
  'TFS REST, BYTES and INT32 inputs': (body) => decodeTfsPredictRequest(body, MIXED),
  'KServe REST': (body) => decodeKServeInferRequest(body, undefined),
  'KServe REST, one input': (body) =>
    decodeKServeInferRequest(body, undefined, { singleInput: FP32[0]! }),
};

/** A valid request of `size` bytes or so: what a full parse of that size costs. */
function validBody(size: number): string {
  const row = '[0.25, -1.5, 3.125], ';
  const rows = Math.max(1, Math.floor((size - 20) / row.length));
  return `{"inputs": [${row.repeat(rows)}[1, 2, 3]]}`;
}

/** Fastest of a few runs of `fn`, in ms: scheduling noise only ever adds time. */
function fastest(fn: () => unknown, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    try {
      fn();
    } catch {
      // Timed either way: refusing is the work being measured.
    }
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('REST decoders on a 20 MB hostile body', () => {
  const SIZE = 20 * 1024 * 1024;
  const reference = validBody(SIZE);
  // Each refused within its first bytes: at byte 0, at a bound, at the depth limit.
  const failFast: Record<string, Uint8Array> = {
    digits: new Uint8Array(SIZE).fill(0x31),
    'a key of 20 MB': utf8.encode(`{"${'k'.repeat(SIZE)}": 1}`),
    '20 MB of [': new Uint8Array(SIZE).fill(0x5b),
    'a valid prefix, then 20 MB of digits': utf8.encode(`{"inputs": [[1, 2, ${'7'.repeat(SIZE)}`),
  };

  it.each(Object.keys(failFast))(
    'refuses %s long before a full parse would finish, allocating next to nothing',
    (name) => {
      const body = failFast[name]!;
      const parse = fastest(() => JSON.parse(reference), 2);
      for (const decode of Object.values(DECODERS)) {
        const before = process.memoryUsage();
        const error = thrown(() => decode(body));
        const after = process.memoryUsage();
        expect(error.code).not.toBe(StatusCode.INTERNAL_ERROR);
        expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(1024 * 1024);
        expect(after.heapUsed - before.heapUsed).toBeLessThan(4 * 1024 * 1024);
        expect(fastest(() => decode(body))).toBeLessThan(parse / 20);
      }
    },
  );

  it('skips a 20 MB string under an ignored key in one pass, building no string of it', () => {
    // Ignored keys must still be valid JSON, so this one is read to its end: in one pass.
    const body = utf8.encode(`{"meta": "${'m'.repeat(SIZE)}", "inputs": "s"}`);
    const parse = fastest(() => JSON.parse(reference), 2);
    for (const decode of Object.values(DECODERS)) {
      const before = process.memoryUsage();
      thrown(() => decode(body));
      const after = process.memoryUsage();
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(1024 * 1024);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(4 * 1024 * 1024);
      expect(fastest(() => decode(body))).toBeLessThan(parse);
    }
  });

  it('refuses a body of digits at byte 0 as not an object, in each decoder', () => {
    for (const decode of Object.values(DECODERS)) {
      const error = thrown(() => decode(failFast['digits']!));
      expect(error.code).toBe(StatusCode.REST_BODY_NOT_OBJECT);
      expect(error.message).toBe('Invalid JSON structure. Request body is not an object');
    }
  });
});

/** Places in each protocol's grammar where a hostile run of bytes can start. */
const PREFIXES = [
  '',
  '{',
  '{"meta": ',
  '{"meta": ["',
  '{"inputs": ',
  '{"inputs": [',
  '{"inputs": {"x": [[',
  '{"inputs": {"tag": [{"b64": "',
  '{"instances": [',
  '{"instances": [{"x": ',
  '{"signature_name": "',
  '{"id": ',
  '{"parameters": {"p": ',
  '{"outputs": [{"name": "',
  '{"inputs": [{"name": "',
  '{"inputs": [{"name": "x", "shape": [',
  '{"inputs": [{"name": "x", "shape": [2], "datatype": "INT32", "data": [',
  '{"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": ["',
  '{"inputs": [{"data": [',
];
/** What repeats: digits, open brackets, string bytes, escapes, separators, whole values. */
const UNITS = [
  '1',
  '-',
  '0.',
  '1e',
  '[',
  '{',
  '{"a":',
  '"',
  'a',
  '\\',
  '\\u00e9',
  '\\"',
  ' ',
  ',',
  '1,',
  '[1],',
  'é',
  'true,',
  '{"b64": "AAAA"},',
];
const SUFFIXES = ['', '"', ']', '}', ']}', '"]}]}', '}]}'];
const BOMB_BYTES = 256 * 1024;

const hostileBody = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    unit: fc.constantFrom(...UNITS),
    suffix: fc.constantFrom(...SUFFIXES),
  })
  .map(({ prefix, unit, suffix }) => {
    const run = unit.repeat(Math.ceil(BOMB_BYTES / unit.length)).slice(0, BOMB_BYTES);
    return utf8.encode(prefix + run + suffix);
  });

describe('REST decoders on fuzzed hostile bodies (seeded)', () => {
  it.each(Object.entries(DECODERS))(
    '%s answers every one with a ServingError, in time linear in the body',
    (_, decode) => {
      const parse = fastest(() => JSON.parse(validBody(BOMB_BYTES)), 5);
      let decoding = 0;
      let runs = 0;
      fc.assert(
        fc.property(hostileBody, (body) => {
          const start = performance.now();
          const error = thrown(() => decode(body));
          decoding += performance.now() - start;
          runs += 1;
          expect(error.code).not.toBe(StatusCode.INTERNAL_ERROR);
        }),
        { seed: 13, numRuns: 120 },
      );
      // A quadratic path over 256 KiB would cost thousands of full parses per body.
      expect(decoding / runs).toBeLessThan(parse * 4);
    },
  );

  it.each(Object.entries(DECODERS))(
    '%s answers mutated valid bodies with a tensor or a ServingError, never anything else',
    (_, decode) => {
      const valid = [
        '{"inputs": {"x": [[1, 2, 3]], "tag": [{"b64": "aGk="}, "s"]}, "signature_name": "a"}',
        '{"instances": [{"x": [1, 2], "tag": "t"}, {"x": [3, 4], "tag": "u"}]}',
        '{"id": "7", "parameters": {"p": 1}, "inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "y"}]}',
      ].map((text) => utf8.encode(text));
      const mutation = fc.record({
        body: fc.constantFrom(...valid),
        edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
      });
      fc.assert(
        fc.property(mutation, ({ body, edits }) => {
          let bytes = Uint8Array.from(body);
          for (const [at, byte, insert] of edits) {
            const i = at % (bytes.length + 1);
            bytes = insert
              ? Uint8Array.from([...bytes.subarray(0, i), byte, ...bytes.subarray(i)])
              : Uint8Array.from(bytes.map((b, j) => (j === i ? byte : b)));
          }
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(ServingError);
          }
        }),
        { seed: 13, numRuns: 1000 },
      );
    },
  );
});
