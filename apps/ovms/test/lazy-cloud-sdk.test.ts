import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './support/process.js';

const CHILD = fileURLToPath(new URL('./support/sdk-imports-child.ts', import.meta.url));

describe('cloud storage SDKs', () => {
  it('are not imported by a server that serves local paths, and are on the first cloud call', async () => {
    const result = await run(process.execPath, [
      '--conditions=@ovms/source',
      '--import',
      'tsx',
      CHILD,
    ]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const { local, cloud } = JSON.parse(result.stdout) as { local: string[]; cloud: string[] };
    expect(local).toEqual([]);
    for (const sdk of ['@aws-sdk/client-s3', '@google-cloud/storage', '@azure/storage-blob'])
      expect(cloud.some((url) => url.includes(sdk))).toBe(true);
  });
});
