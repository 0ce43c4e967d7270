import { describe, expect, it } from 'vitest';
import { gcsOptionsFromEnv } from './gcs-options.js';

describe('gcsOptionsFromEnv', () => {
  it('maps the key file, the project and the emulator host (anonymous, http by default)', () => {
    expect(
      gcsOptionsFromEnv({
        GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json',
        GOOGLE_CLOUD_PROJECT: 'p',
        STORAGE_EMULATOR_HOST: 'localhost:4443',
      }),
    ).toEqual({
      keyFilename: '/keys/sa.json',
      projectId: 'p',
      apiEndpoint: 'http://localhost:4443',
      anonymous: true,
    });
    expect(gcsOptionsFromEnv({ STORAGE_EMULATOR_HOST: 'https://gcs:4443' })).toMatchObject({
      apiEndpoint: 'https://gcs:4443',
    });
    expect(
      gcsOptionsFromEnv({ STORAGE_EMULATOR_HOST: 'http://gcs:4443/storage/v1/' }),
    ).toMatchObject({
      apiEndpoint: 'http://gcs:4443',
    });
  });

  it('treats empty values as unset', () => {
    expect(
      gcsOptionsFromEnv({ GOOGLE_APPLICATION_CREDENTIALS: ' ', STORAGE_EMULATOR_HOST: '' }),
    ).toEqual({});
  });
});
