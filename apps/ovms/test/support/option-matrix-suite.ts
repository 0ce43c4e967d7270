import { describe, expect, it } from 'vitest';
import { ensurePythonClients } from './python.js';
import { OPENVINO_FOUND } from './repository.js';

/** The engines the matrix runs on, by the names config.json's `engine` key takes. */
export const MATRIX_ENGINES = ['openvino', 'onnxruntime'] as const;
export type MatrixEngine = (typeof MATRIX_ENGINES)[number];

const pythonMissing = ensurePythonClients();

/**
 * `describe` when the matrix can run on `engine`: the Python clients are installed and, for
 * OpenVINO, its runtime is found. Otherwise one loudly named skipped test, or a failing one when
 * CI requires what is missing (OVMS_REQUIRE_PYTHON_CLIENTS=1, OVMS_REQUIRE_OPENVINO=1).
 */
export function describeMatrix(engine: MatrixEngine, title: string, body: () => void): void {
  const missing: [string, boolean][] = [];
  if (pythonMissing !== undefined)
    missing.push([
      `Python clients (ovmsclient, tritonclient) unavailable: ${pythonMissing}`,
      process.env['OVMS_REQUIRE_PYTHON_CLIENTS'] === '1',
    ]);
  if (engine === 'openvino' && !OPENVINO_FOUND)
    missing.push(['OpenVINO not found', process.env['OVMS_REQUIRE_OPENVINO'] === '1']);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const why = missing.map(([reason]) => reason).join('; ');
  if (missing.some(([, required]) => required)) {
    it(`${title}: required by CI but ${why}`, () => expect.fail(why));
  } else {
    it.skip(`SKIPPED ${title}: ${why}`, () => {});
  }
}
