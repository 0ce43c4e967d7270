import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64.js';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('decodeBase64', () => {
  it('decodes what Buffer encodes, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(decodeBase64(ascii(text))).toEqual(bytes);
        expect(decodeBase64(ascii(text.replace(/=+$/, '')))).toEqual(bytes);
      }),
    );
    expect(decodeBase64(ascii(''))).toEqual(new Uint8Array(0));
  });

  it('refuses other alphabets, stray or partial padding and a lone last character', () => {
    for (const text of [
      'a',
      'abcde',
      'ab=',
      'a===',
      '====',
      '==',
      'ab-_',
      'ab c',
      'a=bc',
      'ab==cd',
    ]) {
      expect(decodeBase64(ascii(text))).toBeUndefined();
    }
  });
});
