import { describe, expect, it } from 'vitest';
import { createApiKeyCheck } from './api-key.js';

describe('createApiKeyCheck', () => {
  const check = createApiKeyCheck('s3cret-key');

  it('accepts the key as a Bearer token, the scheme in any case', () => {
    expect(check('Bearer s3cret-key')).toBeUndefined();
    expect(check('bearer s3cret-key')).toBeUndefined();
    expect(check('BEARER   s3cret-key ')).toBeUndefined();
  });

  it('refuses a missing header', () => {
    const missing = {
      reason: 'missing',
      message: 'Missing API key - expected the header "Authorization: Bearer <key>"',
    };
    expect(check(undefined)).toEqual(missing);
    expect(check('  ')).toEqual(missing);
  });

  it('refuses another scheme or a header without a token', () => {
    const malformed = {
      reason: 'malformed',
      message: 'Malformed Authorization header - expected "Bearer <key>"',
    };
    expect(check('Basic dXNlcjpwYXNz')).toEqual(malformed);
    expect(check('Bearer')).toEqual(malformed);
    expect(check('s3cret-key')).toEqual(malformed);
    expect(check('Bearer a b')).toEqual(malformed);
  });

  it('refuses a wrong key, a prefix and a longer key alike, without echoing the key', () => {
    for (const guess of ['wrong', 's3cret', 's3cret-key-and-more', 'S3CRET-KEY']) {
      const refusal = check(`Bearer ${guess}`);
      expect([guess, refusal]).toEqual([guess, { reason: 'invalid', message: 'Invalid API key' }]);
    }
  });

  it('refuses to be made with an empty key', () => {
    expect(() => createApiKeyCheck('')).toThrow('the API key is empty');
  });
});
