import { IntegrityError, failureError } from '@ovms/storage';
import { describe, expect, it } from 'vitest';
import { failureContext } from './s3-context.js';
import { classifyS3Error } from './s3-errors.js';

const sdkError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('classifyS3Error', () => {
  it('sorts service, network and integrity failures', () => {
    const kinds = [
      sdkError('NoSuchBucket', 404),
      sdkError('NoSuchKey', 404),
      sdkError('NotFound', 404),
      sdkError('InvalidAccessKeyId', 403),
      sdkError('PreconditionFailed', 412),
      sdkError('SlowDown', 503),
      sdkError('InternalError', 500),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      new IntegrityError('bad bytes'),
      sdkError('InvalidArgument', 400),
    ].map((error) => classifyS3Error(error).kind);
    expect(kinds).toEqual([
      'missing-container',
      'missing-object',
      'missing-object',
      'denied',
      'changed',
      'throttled',
      'server',
      'unreachable',
      'unreachable',
      'unreachable',
      'integrity',
      'other',
    ]);
  });
});

describe('S3 failure messages', () => {
  const scope = { uri: 's3://b/k', bucket: 'b' };
  const word = (error: Error, attempts = 1, downloading = false) =>
    failureError(error, classifyS3Error(error), {
      ...failureContext('http://h:1', { ...scope, downloading }),
      attempts,
    });

  it('words each failure with the location and the cause', () => {
    expect(word(sdkError('InternalError', 500, 'boom'), 4)).toMatchObject({
      code: 'INTERNAL_ERROR',
      message:
        'Internal server error - S3 server error for s3://b/k after 4 attempts: InternalError (boom)',
    });
    expect(word(sdkError('NoSuchKey', 404), 1, true)).toMatchObject({
      code: 'PATH_INVALID',
      message:
        "The provided base path is invalid or doesn't exists - object was deleted during download: s3://b/k: NoSuchKey",
    });
    expect(word(sdkError('NoSuchBucket', 404))).toMatchObject({
      code: 'PATH_INVALID',
      message:
        "The provided base path is invalid or doesn't exists - bucket s3://b does not exist (for s3://b/k): NoSuchBucket",
    });
    expect(word(sdkError('InvalidArgument', 400, 'bad'))).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error - S3 request for s3://b/k failed: InvalidArgument (bad)',
    });
  });
});
