/**
 * The REST JSON reader on hostile 20 MB bodies next to valid bodies of the same size, in one
 * run: MB/s of body bytes consumed until the decoder answers (a tensor, or a ServingError).
 * A fail-fast refusal shows as a huge figure (the body was not read); a body that has to be
 * read to its end (a string under a key TF Serving ignores) must stay near the valid figure.
 *
 *   node --conditions=@ovms/source --import tsx bench/codecs/adversarial.ts
 */
import { pathToFileURL } from 'node:url';
import { decodeKServeInferRequest, decodeTfsPredictRequest } from '@ovms/codecs';
import type { TensorSpec } from '@ovms/core';

const SIZE = 20 * 1024 * 1024;
const TIME_PER_PATH_MS = 400;
const MAX_ITERATIONS = 200;
const utf8 = new TextEncoder();
const SPECS: TensorSpec[] = [{ name: 'x', dtype: 'FP32', shape: [-1, 3] }];

export interface AdversarialBenchResult {
  path: string;
  bodyBytes: number;
  mbPerSec: number;
  outcome: string;
}

const ROW = '[0.123456789, -1.5, 3.25]';

/** Rows of three FP32 values as JSON text, about `bytes` long. */
function rows(bytes: number): string {
  return Array.from({ length: rowCount(bytes) }, () => ROW).join(', ');
}

function rowCount(bytes: number): number {
  return Math.floor(bytes / (ROW.length + 2));
}

function bodies(): Array<[string, Uint8Array, 'tfs' | 'kserve' | 'both']> {
  const data = rows(SIZE - 200);
  const half = rows(SIZE / 2);
  return [
    ['valid: TFS column', utf8.encode(`{"inputs": [${data}]}`), 'tfs'],
    [
      'valid: KServe JSON',
      utf8.encode(
        `{"inputs": [{"name": "x", "shape": [${rowCount(SIZE - 200)}, 3], "datatype": "FP32", "data": [${data}]}]}`,
      ),
      'kserve',
    ],
    ['digits only', new Uint8Array(SIZE).fill(0x31), 'both'],
    ['a 20 MB key (a name)', utf8.encode(`{"${'k'.repeat(SIZE)}": 1}`), 'both'],
    [
      'a 20 MB string under an ignored key',
      utf8.encode(`{"meta": "${'m'.repeat(SIZE)}", "inputs": "s"}`),
      'both',
    ],
    ['deep nesting: 20 MB of [', utf8.encode(`{"inputs": ${'['.repeat(SIZE)}`), 'both'],
    [
      'valid prefix (10 MB), then a 10 MB number',
      utf8.encode(`{"inputs": [${half}, [1, 2, ${'7'.repeat(SIZE / 2)}]]}`),
      'tfs',
    ],
  ];
}

function measure(run: () => string, bodyBytes: number): { mbPerSec: number; outcome: string } {
  let outcome = run(); // warm-up
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < TIME_PER_PATH_MS && iterations < MAX_ITERATIONS) {
    outcome = run();
    iterations += 1;
    elapsed = performance.now() - start;
  }
  return { mbPerSec: (bodyBytes * iterations) / 1e6 / (elapsed / 1000), outcome };
}

/** What a decode ended in: the input's shape, or the error's message cut short. */
function outcomeOf(decode: () => { inputs: Map<string, { shape: readonly number[] }> }) {
  return (): string => {
    try {
      return `ok ${JSON.stringify(decode().inputs.get('x')?.shape)}`;
    } catch (error) {
      return (error as Error).message.slice(0, 60);
    }
  };
}

export async function runAdversarialJsonBench(): Promise<AdversarialBenchResult[]> {
  const results: AdversarialBenchResult[] = [];
  for (const [name, body, decoders] of bodies()) {
    const runs: Array<[string, () => string]> = [];
    if (decoders !== 'kserve') {
      runs.push(['TFS', outcomeOf(() => decodeTfsPredictRequest(body, SPECS))]);
    }
    if (decoders !== 'tfs') {
      runs.push(['KServe', outcomeOf(() => decodeKServeInferRequest(body, undefined))]);
    }
    for (const [decoder, run] of runs) {
      results.push({
        path: `${decoder} ${name}`,
        bodyBytes: body.byteLength,
        ...measure(run, body.byteLength),
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return results;
}

export function printAdversarialJsonBench(results: AdversarialBenchResult[]): void {
  console.log('\nREST JSON reader on 20 MB bodies (MB/s of body bytes, until the answer):');
  const width = Math.max(...results.map((row) => row.path.length));
  for (const { path, mbPerSec, outcome } of results) {
    console.log(`  ${path.padEnd(width)}  ${mbPerSec.toFixed(0).padStart(12)} MB/s  ${outcome}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printAdversarialJsonBench(await runAdversarialJsonBench());
}
