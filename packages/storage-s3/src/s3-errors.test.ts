import { describe, expect, it } from 'vitest';
import { S3IntegrityError, classifyS3Error, isRetryable, s3ServingError } from './s3-errors.js';

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
      new S3IntegrityError('bad bytes'),
      sdkError('InvalidArgument', 400),
    ].map((error) => classifyS3Error(error).kind);
    expect(kinds).toEqual([
      'missing-bucket',
      'missing-object',
      'missing-object',
      'denied',
      'changed',
      'throttled',
      'server',
      'unreachable',
      'unreachable',
      'integrity',
      'other',
    ]);
  });

  it('retries only what may pass on a second try', () => {
    expect(isRetryable(classifyS3Error(sdkError('SlowDown', 503)))).toBe(true);
    expect(isRetryable(classifyS3Error(sdkError('AccessDenied', 403)))).toBe(false);
    expect(isRetryable(classifyS3Error(sdkError('NoSuchKey', 404)))).toBe(false);
  });
});

describe('s3ServingError', () => {
  const context = { uri: 's3://b/k', bucket: 'b', attempts: 1, endpoint: 'http://h:1' };

  it('words each failure with the location and the cause', () => {
    expect(
      s3ServingError(sdkError('InternalError', 500, 'boom'), { ...context, attempts: 4 }),
    ).toMatchObject({
      code: 'INTERNAL_ERROR',
      message:
        'Internal server error - S3 server error for s3://b/k after 4 attempts: InternalError (boom)',
    });
    expect(
      s3ServingError(sdkError('NoSuchKey', 404), { ...context, downloading: true }),
    ).toMatchObject({
      code: 'PATH_INVALID',
      message:
        "The provided base path is invalid or doesn't exists - object was deleted during download: s3://b/k: NoSuchKey",
    });
    expect(s3ServingError(sdkError('InvalidArgument', 400, 'bad'), context)).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error - S3 request for s3://b/k failed: InvalidArgument (bad)',
    });
  });
});
