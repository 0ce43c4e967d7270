import { describe, expect, it } from 'vitest';
import { ConnectionStringError, ObjectChangedError, classifyAzureError } from './azure-errors.js';
import { IntegrityError } from '@ovms/storage';

describe('classifyAzureError', () => {
  const rest = (statusCode: number, code: string) =>
    Object.assign(new Error(`${code} message\nRequestId:1\nTime:now`), { statusCode, code });

  it('sorts service codes, statuses and network errors', () => {
    expect(classifyAzureError(rest(404, 'ContainerNotFound')).kind).toBe('missing-container');
    expect(classifyAzureError(rest(404, 'ShareNotFound')).kind).toBe('missing-container');
    expect(classifyAzureError(rest(404, 'ResourceNotFound')).kind).toBe('missing-object');
    expect(classifyAzureError(rest(403, 'AuthenticationFailed'))).toEqual({
      kind: 'denied',
      code: 'HTTP 403 AuthenticationFailed',
      message: 'AuthenticationFailed message',
    });
    expect(classifyAzureError(rest(503, 'ServerBusy')).kind).toBe('throttled');
    expect(classifyAzureError(rest(500, 'InternalError')).kind).toBe('server');
    expect(classifyAzureError(rest(412, 'ConditionNotMet')).kind).toBe('changed');
    const send = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'REQUEST_SEND_ERROR',
    });
    expect(classifyAzureError(send)).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED' });
    expect(classifyAzureError(new IntegrityError('short')).kind).toBe('integrity');
    expect(classifyAzureError(new ObjectChangedError('etag')).kind).toBe('changed');
    expect(classifyAzureError(new ConnectionStringError('unset')).kind).toBe('denied');
  });
});
