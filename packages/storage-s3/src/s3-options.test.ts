import { describe, expect, it } from 'vitest';
import { s3OptionsFromEnv } from './s3-options.js';

describe('s3OptionsFromEnv', () => {
  it('maps the OVMS variables; an endpoint implies path-style addressing', () => {
    expect(
      s3OptionsFromEnv({
        AWS_ACCESS_KEY_ID: 'key',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_REGION: 'eu-west-1',
        S3_ENDPOINT: 'https://minio.example:9000',
      }),
    ).toEqual({
      region: 'eu-west-1',
      endpoint: 'https://minio.example:9000',
      forcePathStyle: true,
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('reads an endpoint without a scheme as plain HTTP, as OVMS does', () => {
    expect(s3OptionsFromEnv({ S3_ENDPOINT: 'minio:9000' })).toMatchObject({
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
    });
  });

  it('defaults the region, and leaves credentials to the SDK chain unless both keys are set', () => {
    expect(s3OptionsFromEnv({})).toEqual({ region: 'us-east-1' });
    expect(s3OptionsFromEnv({ AWS_ACCESS_KEY_ID: 'key', AWS_SECRET_ACCESS_KEY: ' ' })).toEqual({
      region: 'us-east-1',
    });
  });
});
