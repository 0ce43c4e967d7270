import { describe, expect, it } from 'vitest';
import { classifyGcsError } from './gcs-errors.js';
import { IntegrityError } from '@ovms/storage';

describe('classifyGcsError', () => {
  it('sorts statuses, network errors and integrity failures', () => {
    const api = (code: number, message = 'm') => Object.assign(new Error(message), { code });
    expect(classifyGcsError(api(404, 'No such object: b/k')).kind).toBe('missing-object');
    expect(classifyGcsError(api(404, 'The specified bucket does not exist.')).kind).toBe(
      'missing-container',
    );
    expect(classifyGcsError(api(403)).kind).toBe('denied');
    expect(classifyGcsError(api(429)).kind).toBe('throttled');
    expect(classifyGcsError(api(503)).kind).toBe('throttled');
    expect(classifyGcsError(api(500)).kind).toBe('server');
    expect(classifyGcsError(api(412)).kind).toBe('changed');
    const refused = Object.assign(new Error('request failed'), {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyGcsError(refused)).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED' });
    expect(classifyGcsError(new IntegrityError('short')).kind).toBe('integrity');
    expect(classifyGcsError(new Error('Could not load the default credentials')).kind).toBe(
      'denied',
    );
  });
});
