import { describe, expect, it } from 'vitest';
import { useServedRepository } from './support/robustness.js';

// The real ovms process against hostile 20 MB JSON bodies on both REST predict routes: each is
// refused with 400 and an {"error"} at its first wrong bytes, and the server keeps serving.
// (Before the reader failed fast, a 20 MB body of digits took seconds and ~0.9 GB; 300 MB
// killed the process.)
const SIZE = 20 * 1024 * 1024;
const utf8 = new TextEncoder();
// Above the 20 MB bodies, so each is refused by the reader, not the size limit.
const served = useServedRepository(64 * 1024 * 1024);

async function post(path: string, body: Uint8Array): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${served().server.restUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, json: await response.json() };
}

const TFS = '/v1/models/add:predict';
const KSERVE = '/v2/models/add/infer';
const digits = new Uint8Array(SIZE).fill(0x31);

/** A correct request on each route still answers the sum. */
async function expectServing(): Promise<void> {
  const tfs = await post(
    TFS,
    utf8.encode('{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 1, 1, 1]]}}'),
  );
  expect(tfs).toEqual({ status: 200, json: { outputs: [[2, 3, 4, 5]] } });
  const tensor = (name: string, data: number[]) => ({
    name,
    shape: [1, 4],
    datatype: 'FP32',
    data,
  });
  const body = { inputs: [tensor('a', [1, 2, 3, 4]), tensor('b', [1, 1, 1, 1])] };
  const kserve = await post(KSERVE, utf8.encode(JSON.stringify(body)));
  expect(kserve.status).toBe(200);
  expect(kserve.json).toMatchObject({ outputs: [{ name: 'sum', data: [2, 3, 4, 5] }] });
}

describe('hostile 20 MB JSON bodies through the ovms process', () => {
  it.each([TFS, KSERVE])('POST %s with 20 MB of digits: 400, not an object', async (path) => {
    expect(await post(path, digits)).toEqual({
      status: 400,
      json: { error: 'Invalid JSON structure. Request body is not an object' },
    });
    await expectServing();
  });

  const kservePrefix =
    '{"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, ';
  const hostile: [string, string, Uint8Array, string][] = [
    [
      'a valid prefix, then 20 MB of digits',
      TFS,
      utf8.encode(`{"inputs": {"a": [[1, 2, ${'7'.repeat(SIZE)}`),
      'Invalid argument - number longer than 64 characters at byte 25',
    ],
    [
      'a valid prefix, then 20 MB of digits',
      KSERVE,
      utf8.encode(`${kservePrefix}${'7'.repeat(SIZE)}`),
      `Invalid argument - number longer than 64 characters at byte ${kservePrefix.length}`,
    ],
    ...[TFS, KSERVE].map((path): [string, string, Uint8Array, string] => [
      'a 20 MB key',
      path,
      utf8.encode(`{"${'k'.repeat(SIZE)}": 1}`),
      'Invalid argument - object key longer than 4096 bytes at byte 1',
    ]),
    [
      '20 MB of [ where inputs go',
      TFS,
      utf8.encode(`{"inputs": {"a": ${'['.repeat(SIZE)}`),
      'Request body is not a valid JSON - nesting deeper than 64 levels at byte 79',
    ],
    [
      '20 MB of [ where inputs go',
      KSERVE,
      utf8.encode(`{"inputs": ${'['.repeat(SIZE)}`),
      'Invalid inference request - inputs[0] must be an object',
    ],
  ];
  it.each(hostile)('%s to %s: 400, and serving after', async (_, path, body, error) => {
    expect(await post(path, body)).toEqual({ status: 400, json: { error } });
    await expectServing();
  });
});
