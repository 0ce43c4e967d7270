import { cp, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The formats of the committed framework fixtures (fixtures/README.md). */
export const FRAMEWORK_FIXTURE_FORMATS = [
  'saved-model',
  'frozen-graph',
  'tflite',
  'paddle',
] as const;
export type FrameworkFixtureFormat = (typeof FRAMEWORK_FIXTURE_FORMATS)[number];

/** Every framework fixture computes y = 2x + 1 on FP32 `[-1, 4]`. */
export const FRAMEWORK_FIXTURE_FEATURES = 4;

/** What a framework fixture answers for `x`. */
export function frameworkFixtureOutput(x: readonly number[]): number[] {
  return x.map((v) => 2 * v + 1);
}

// Same depth from src/ and dist/, so this resolves for both.
const FIXTURES = fileURLToPath(new URL('../fixtures/frameworks/', import.meta.url));

/** Copies the `format` fixture's files (a SavedModel with its variables/) into `versionDir`. */
export async function copyFrameworkFixture(
  format: FrameworkFixtureFormat,
  versionDir: string,
): Promise<void> {
  await mkdir(versionDir, { recursive: true });
  await cp(`${FIXTURES}${format}`, versionDir, { recursive: true });
}
