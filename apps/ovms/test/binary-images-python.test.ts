import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { H, W, halves, writeImageRepository } from './support/image-repository.js';
import { ensurePythonClients, runPythonChecks } from './support/python.js';
import type { CheckResult } from './support/python.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// A PNG from the Python clients OVMS users run, unchanged: ovmsclient's `predict(inputs={"x":
// png_bytes})` and tritonclient's BYTES input, each over gRPC and HTTP. Skipped under one loud
// name without python3/pip, unless OVMS_REQUIRE_PYTHON_CLIENTS=1.
const unavailable = ensurePythonClients();
const required = process.env['OVMS_REQUIRE_PYTHON_CLIENTS'] === '1';

if (unavailable !== undefined) {
  if (required) {
    it('Python clients are required by OVMS_REQUIRE_PYTHON_CLIENTS=1', () => {
      expect.fail(`unavailable: ${unavailable}`);
    });
  } else {
    it.skip(`SKIPPED: Python clients unavailable: ${unavailable}`, () => {});
  }
} else {
  let server: TestServer;
  let checks: Record<string, CheckResult>;
  beforeAll(async () => {
    server = await startTestServer(writeImageRepository);
    const image = join(server.root, 'halves.png');
    await writeFile(image, await halves().png().toBuffer());
    checks = await runPythonChecks('image_clients.py', [
      server.grpcAddress,
      server.restAddress,
      image,
    ]);
  }, 120_000);
  afterAll(() => server?.stop());

  it.each(['ovmsclient_grpc', 'ovmsclient_rest', 'tritonclient_grpc', 'tritonclient_http'])(
    '%s sends a PNG the model gets resized, in BGR order',
    (check) => {
      const result = checks[check];
      if (result === undefined || !('ok' in result)) {
        throw new Error(`check failed: ${JSON.stringify(result)}`);
      }
      const rows = result.ok as number[][][][];
      expect([rows.length, rows[0]?.length, rows[0]?.[0]?.length]).toEqual([1, H, W]);
      for (const row of rows[0] ?? []) {
        // Left column red, right column blue, as BGR.
        expect([row[0], row[W - 1]]).toEqual([
          [0, 0, 255],
          [255, 0, 0],
        ]);
      }
    },
  );
}
