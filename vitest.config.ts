import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package. Each inherits this file's settings
// (`extends: true`), so the "@ovms/source" export condition points every workspace
// import at its src/index.ts: tests run against source, no build needed.
const workspaceDirs = ['packages', 'apps', 'demos'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .map((name) => join(group, name))
        .filter((dir) => existsSync(join(dir, 'package.json')))
    : [],
);

export default defineConfig({
  resolve: { conditions: ['@ovms/source'] },
  ssr: { resolve: { conditions: ['@ovms/source'] } },
  test: {
    // Generous bounds: property tests, real model loads and real servers share two cores with
    // every other test file, and a loaded machine must not turn a slow pass into a failure.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: workspaceDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/')[1] ?? dir,
        root: dir,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
