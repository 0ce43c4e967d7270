import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from '@ovms/core';
import { MAX_NUMBER_CHARS } from './number-token.js';
import { JsonReader, MAX_JSON_NAME_BYTES } from './reader.js';
import { parseJson, skipJsonValue } from './value.js';
import { thrown } from '../../test/support/tensor-arbitrary.js';

describe('parseJson', () => {
  it('reads what JSON.parse reads, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(text)).toEqual(JSON.parse(text));
        expect(parseJson(new TextEncoder().encode(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('accepts the NaN, Infinity and -Infinity tokens TF Serving emits', () => {
    expect(parseJson('[NaN, Infinity, -Infinity, -0, 1e400, 5e-324]')).toEqual([
      NaN,
      Infinity,
      -Infinity,
      -0,
      Infinity,
      5e-324,
    ]);
  });

  it('reads numbers to the nearest double, as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = String(value);
        expect(parseJson(text)).toBe(JSON.parse(text));
      }),
    );
    for (const text of [
      '0.1',
      '123456789012345678901234567890',
      '1.7976931348623157e308',
      '9007199254740993',
    ]) {
      expect(parseJson(text)).toBe(JSON.parse(text));
    }
  });

  it('decodes escapes, surrogate pairs and a leading byte order mark inside strings', () => {
    expect(parseJson('"a\\n\\u00e9\\ud83d\\ude00\\"\\/"')).toBe('a\né😀"/');
    expect(parseJson('"\uFEFFx\\n\uFEFF"')).toBe('\uFEFFx\n\uFEFF');
  });

  it('keeps a "__proto__" key as an own property', () => {
    const value = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  const malformed: [string, string][] = [
    ['', 'unexpected end of input; expected a JSON value at byte 0'],
    ['{"a": 1', "unexpected end of input; expected ',' or '}' at byte 7"],
    ['[1, 2', "unexpected end of input; expected ',' or ']' at byte 5"],
    ['"abc', 'unterminated string at byte 0'],
    ['"a\\x"', 'invalid escape sequence in string at byte 2'],
    ['"\\u12g4"', 'invalid \\u escape in string at byte 1'],
    ['"a\nb"', 'control character in string at byte 2'],
    ['[1] x', 'unexpected trailing characters after the JSON value at byte 4'],
    ['[1,]', "unexpected ']'; expected an array element at byte 3"],
    ['{"a":1,}', "unexpected '}'; expected an object key string at byte 7"],
    ['{1: 2}', "unexpected '1'; expected an object key string at byte 1"],
    ['01', 'invalid number: leading zero at byte 1'],
    ['1.', 'invalid number: no digits after the decimal point at byte 2'],
    ['1e+', 'invalid number: no digits in the exponent at byte 3'],
    ['-', 'invalid number at byte 1'],
    ['-NaN', 'invalid number at byte 1'],
    ['nul', 'invalid literal; expected null at byte 0'],
    ['Infinit', 'invalid literal; expected Infinity at byte 0'],
  ];
  it.each(malformed)('refuses %j as REST_BODY_NOT_JSON with the position', (text, detail) => {
    const error = thrown(() => parseJson(text));
    expect(error.code).toBe(StatusCode.REST_BODY_NOT_JSON);
    expect(error.message).toBe(`Request body is not a valid JSON - ${detail}`);
  });

  it('refuses bytes that are not UTF-8 inside strings', () => {
    const error = thrown(() => parseJson(new Uint8Array([0x22, 0xff, 0xfe, 0x22])));
    expect(error.message).toBe(
      'Request body is not a valid JSON - string is not valid UTF-8 at byte 1',
    );
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const error = thrown(() => parseJson(deep));
    expect(error.message).toBe(
      'Request body is not a valid JSON - nesting deeper than 64 levels at byte 64',
    );
    expect(parseJson('[[[]]]', { maxDepth: 3 })).toEqual([[[]]]);
    expect(thrown(() => parseJson('[[[[]]]]', { maxDepth: 3 })).code).toBe(
      StatusCode.REST_BODY_NOT_JSON,
    );
  });

  it('refuses bodies over the size limit before reading them', () => {
    const error = thrown(() => new JsonReader('[1, 2, 3]', { maxBytes: 4 }));
    expect(error.code).toBe(StatusCode.REST_BODY_TOO_LARGE);
    expect(error.message).toBe(
      'Request body is too large - body of 9 bytes exceeds the limit of 4',
    );
  });

  it('never throws anything but a ServingError, for any text or bytes', () => {
    const check = (input: string | Uint8Array) => {
      try {
        parseJson(input);
      } catch (error) {
        expect(error).toBeInstanceOf(ServingError);
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array(), check), { numRuns: 500 });
    const jsonish = fc.array(fc.constantFrom(...'[]{}",:-+.eE0123456789 tfnNaIy\\u'), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(jsonish, (chars) => check(chars.join(''))),
      { numRuns: 2000 },
    );
  });

  it('bounds a number token at MAX_NUMBER_CHARS, refusing a longer one where it starts', () => {
    const longest = `-0.${'1'.repeat(MAX_NUMBER_CHARS - 3)}`;
    expect(parseJson(longest)).toBe(JSON.parse(longest));
    for (const text of [
      '1'.repeat(MAX_NUMBER_CHARS + 1),
      `[1, ${'9'.repeat(10_000_000)}]`,
      `0.${'1'.repeat(MAX_NUMBER_CHARS)}`,
      `${'1'.repeat(MAX_NUMBER_CHARS - 1)}.5`,
      `1e+${'1'.repeat(MAX_NUMBER_CHARS)}`,
    ]) {
      const error = thrown(() => parseJson(text));
      expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
      expect(error.message).toBe(
        `Invalid argument - number longer than 64 characters at byte ${text.startsWith('[') ? 4 : 0}`,
      );
    }
  });

  it('bounds object keys at MAX_JSON_NAME_BYTES, refusing a longer one at its quote', () => {
    const key = 'k'.repeat(MAX_JSON_NAME_BYTES);
    expect(Object.keys(parseJson(`{"${key}": 1}`) as object)).toEqual([key]);
    const error = thrown(() => parseJson(`{"a": {"${key}x": 1}}`));
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe('Invalid argument - object key longer than 4096 bytes at byte 7');
  });

  it('reads a string with escapes as UTF-8 bytes without building a JS string', () => {
    const bytesOf = (text: string) => {
      const reader = new JsonReader(text);
      const bytes = reader.readStringBytes();
      reader.finish();
      return bytes;
    };
    const utf8 = new TextEncoder();
    for (const value of ['plain', 'a/b\\"c\n\t', 'é😀\u0000\ud83d', 'x\udc00y']) {
      expect(bytesOf(JSON.stringify(value))).toEqual(utf8.encode(value));
    }
    expect(bytesOf('"\\/\\u00e9\\ud83d\\ude00\\ud800"')).toEqual(utf8.encode('/é😀\ufffd'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const text = JSON.stringify(value);
        expect(bytesOf(text)).toEqual(utf8.encode(value));
      }),
      { numRuns: 300 },
    );
    expect(thrown(() => bytesOf('"a\\q"')).message).toBe(
      'Request body is not a valid JSON - invalid escape sequence in string at byte 2',
    );
  });

  it('skips any value without building it, refusing what parseJson refuses', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reader = new JsonReader(`[${JSON.stringify(value)}, 7]`);
        reader.beginArray();
        reader.nextElement(true);
        skipJsonValue(reader);
        expect(reader.nextElement(false)).toBe(true);
        expect(reader.peek()).toBe(0x37);
      }),
      { numRuns: 300 },
    );
    const skip = (input: string | Uint8Array) => {
      const reader = new JsonReader(input);
      skipJsonValue(reader);
      reader.finish();
    };
    for (const [text] of malformed) {
      expect(thrown(() => skip(text)).message).toBe(thrown(() => parseJson(text)).message);
    }
    expect(thrown(() => skip(new Uint8Array([0x22, 0xff, 0x22]))).message).toBe(
      'Request body is not a valid JSON - string is not valid UTF-8 at byte 1',
    );
    expect(thrown(() => skip('"\\u00e9\\uzzzz"')).message).toBe(
      'Request body is not a valid JSON - invalid \\u escape in string at byte 7',
    );
  });

  it('decides at the first byte whether a body is the object a request must be', () => {
    const begin = (text: string) => new JsonReader(text).beginBodyObject();
    for (const text of ['[1, 2', '"in', '1', '-', 'tru', 'null', 'NaN', ' Infinity']) {
      const error = thrown(() => begin(text));
      expect(error.code).toBe(StatusCode.REST_BODY_NOT_OBJECT);
      expect(error.message).toBe('Invalid JSON structure. Request body is not an object');
    }
    expect(thrown(() => begin('x{}')).message).toBe(
      "Request body is not a valid JSON - unexpected 'x'; expected a JSON value at byte 0",
    );
    expect(thrown(() => begin('  ')).message).toBe(
      'Request body is not a valid JSON - unexpected end of input; expected a JSON value at byte 2',
    );
    const reader = new JsonReader(' {"a": 1}');
    reader.beginBodyObject();
    expect(reader.depth).toBe(1);
    expect(reader.nextKey(true)).toBe('a');
  });
});
