import { describe, expect, it } from 'vitest';
import { azureOptionsFromEnv } from './azure-options.js';

describe('azureOptionsFromEnv', () => {
  it('maps AZURE_STORAGE_CONNECTION_STRING; empty counts as unset', () => {
    expect(
      azureOptionsFromEnv({ AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=k' }),
    ).toEqual({
      connectionString: 'AccountName=a;AccountKey=k',
    });
    expect(azureOptionsFromEnv({ AZURE_STORAGE_CONNECTION_STRING: ' ' })).toEqual({});
    expect(azureOptionsFromEnv({})).toEqual({});
  });
});
