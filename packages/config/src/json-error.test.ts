import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeJsonError } from './json-error.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('describeJsonError', () => {
  it('agrees with JSON.parse on what is valid (property)', () => {
    // Valid JSON, and valid JSON with one character removed or inserted.
    const texts = fc.oneof(
      fc.json(),
      fc
        .tuple(fc.json(), fc.nat(), fc.constantFrom('', '{', '}', ',', '"', ':', '\\', ' ', 'x'))
        .map(([text, at, char]) => {
          const i = text.length === 0 ? 0 : at % text.length;
          return text.slice(0, i) + char + text.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(describeJsonError(text).startsWith('Invalid JSON')).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts lines and columns from 1', () => {
    expect(describeJsonError('{\n\n   x')).toBe(
      'Expected a double-quoted property name at line 3, column 4',
    );
  });
});
