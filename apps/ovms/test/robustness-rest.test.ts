import { describe, expect, it } from 'vitest';
import {
  ROBUSTNESS_MAX_MESSAGE_BYTES,
  expectServing,
  mutate,
  seededRandom,
  useServedRepository,
} from './support/robustness.js';

// Robustness of the REST port, on the real `ovms` process: malformed and adversarial bodies on
// every route, each answered with 200 (where the bytes still make a valid request) or a 4xx
// whose body is `{"error": ...}` — never a 5xx, a reset connection or a hang — and the server
// still serves afterwards. Seeded and bounded.
const enc = new TextEncoder();

const served = useServedRepository();

interface Sent {
  readonly path: string;
  readonly body?: Uint8Array | string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
}

/** Sends one request and checks the answer is 200 or a 4xx `{"error": "<text>"}`. */
async function expectRefusedOrServed(sent: Sent, what: string): Promise<number> {
  const response = await fetch(`${served().server.restUrl}${sent.path}`, {
    method: sent.method ?? 'POST',
    ...(sent.body !== undefined ? { body: sent.body } : {}),
    ...(sent.headers !== undefined ? { headers: sent.headers } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const label = `${what}: ${response.status} ${text.slice(0, 200)}`;
  if (response.status === 200) return 200;
  expect(response.status >= 400 && response.status < 500, label).toBe(true);
  const body = JSON.parse(text) as { error?: unknown };
  expect(typeof body.error, label).toBe('string');
  return response.status;
}

const PREDICT_ROUTES = ['/v1/models/add:predict', '/v1/models/add/versions/1:predict'];
const INFER_ROUTES = ['/v2/models/add/infer', '/v2/models/add/versions/2/infer'];
const VALID_PREDICT = JSON.stringify({ instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] });
const VALID_INFER = JSON.stringify({
  inputs: [
    { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
    { name: 'b', shape: [1, 4], datatype: 'FP32', data: [10, 20, 30, 40] },
  ],
});

/** Bodies a broken or hostile client sends, each a different way for a JSON reader to fail. */
function adversarialBodies(valid: string): [string, string][] {
  const deep = 100_000;
  return [
    ['empty', ''],
    ['not JSON', 'hello'],
    ['a bare number', '1'.repeat(1000)],
    ['a bare string', `"${'x'.repeat(100_000)}"`],
    ['an array', '[]'],
    ['null', 'null'],
    ['truncated', valid.slice(0, valid.length / 2)],
    ['deep arrays', '['.repeat(deep) + ']'.repeat(deep)],
    ['deep objects', '{"a":'.repeat(deep) + '1' + '}'.repeat(deep)],
    ['a 1 MB number', valid.replace('1,', `1${'1'.repeat(1 << 20)},`)],
    ['a 1 MB string key', `{"${'k'.repeat(1 << 20)}": 1}`],
    ['NaN as value', valid.replace('1,', 'NaN,')],
    ['wrong types', valid.replace(/\[1, ?2, ?3, ?4\]/, '{"x": 1}')],
    ['instances as a string', '{"instances": "x"}'],
    ['inputs as a number', '{"inputs": 5}'],
    ['both row and column', '{"instances": [], "inputs": {}}'],
    ['duplicate keys', valid.replace('{', '{"inputs": 1, ')],
    ['a bad escape', valid.replace('"a"', '"\\uZZZZ"')],
    ['a NUL byte', valid.replace('"a"', '"a\u0000"')],
    ['trailing garbage', `${valid}}}}`],
    [
      'a huge batch',
      JSON.stringify({ instances: Array.from({ length: 5000 }, () => ({ a: [1], b: [1] })) }),
    ],
    ['b64 of garbage', '{"instances": [{"a": {"b64": "@@@@"}, "b": [1,2,3,4]}]}'],
  ];
}

describe('the REST port under malformed and adversarial bodies', () => {
  it.each([...PREDICT_ROUTES, ...INFER_ROUTES])(
    'POST %s refuses every adversarial body with a 4xx and {"error"}, then still serves',
    async (path) => {
      const valid = path.endsWith(':predict') ? VALID_PREDICT : VALID_INFER;
      for (const [what, body] of adversarialBodies(valid)) {
        await expectRefusedOrServed({ path, body }, `${path} ${what}`);
      }
      await expectServing(served().client, served().server.restUrl);
    },
  );

  it.each([...PREDICT_ROUTES, ...INFER_ROUTES])(
    'POST %s answers 150 seeded mutations of a valid body',
    async (path) => {
      const valid = enc.encode(path.endsWith(':predict') ? VALID_PREDICT : VALID_INFER);
      const random = seededRandom(path.length * 104729);
      const statuses = new Set<number>();
      for (let i = 0; i < 150; i++) {
        const body = i % 5 === 0 ? random.bytes(random.int(512)) : mutate(valid, random);
        statuses.add(await expectRefusedOrServed({ path, body }, `${path} mutation #${i}`));
      }
      expect([...statuses].some((status) => status >= 400)).toBe(true);
      await expectServing(served().client, served().server.restUrl);
    },
  );

  it('refuses binary-extension headers whose sizes lie', async () => {
    const header = JSON.stringify({
      inputs: [
        { name: 'a', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } },
        { name: 'b', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } },
      ],
    });
    const data = new Uint8Array(32);
    const body = new Uint8Array([...enc.encode(header), ...data]);
    const path = '/v2/models/add/infer';
    const lies: [string, string, Uint8Array][] = [
      ['a header longer than the body', String(body.length + 100), body],
      ['a negative header length', '-5', body],
      ['a header length that is not a number', 'many', body],
      ['a header length cutting the JSON', String(header.length - 3), body],
      [
        'binary parts longer than the body',
        String(header.length),
        body.subarray(0, body.length - 8),
      ],
      [
        'binary parts shorter than the body',
        String(header.length),
        new Uint8Array([...body, 1, 2, 3]),
      ],
      [
        'a binary_data_size beyond 2^53',
        String(header.length + 6),
        new Uint8Array([
          ...enc.encode(
            header.replace('"binary_data_size":16', '"binary_data_size":9007199254740993'),
          ),
          ...data,
        ]),
      ],
    ];
    for (const [what, length, sent] of lies) {
      const status = await expectRefusedOrServed(
        { path, body: sent, headers: { 'Inference-Header-Content-Length': length } },
        what,
      );
      expect(status, what).toBeGreaterThanOrEqual(400);
    }
    await expectServing(served().client, served().server.restUrl);
  });

  it('answers unknown routes, methods and names with 4xx {"error"}', async () => {
    const cases: Sent[] = [
      { path: '/v1/models/../../etc/passwd:predict', body: VALID_PREDICT },
      { path: '/v1/models/%2e%2e%2fadd:predict', body: VALID_PREDICT },
      { path: '/v1/models/add:explode', body: VALID_PREDICT },
      { path: '/v2/models/add/versions/99999999999999999999/infer', body: VALID_INFER },
      { path: '/v2/models/add/infer', body: VALID_INFER, method: 'PUT' },
      { path: '/v1/models/add', method: 'DELETE' },
      { path: `/v1/models/${'x'.repeat(10_000)}`, method: 'GET' },
      { path: '/nope', method: 'GET' },
    ];
    for (const sent of cases) {
      const what = `${sent.method ?? 'POST'} ${sent.path.slice(0, 60)}`;
      expect(await expectRefusedOrServed(sent, what), what).toBeGreaterThanOrEqual(400);
    }
    await expectServing(served().client, served().server.restUrl);
  });

  it('refuses bodies over the limit with 413, with and without Content-Length', async () => {
    const oversize = new Uint8Array(ROBUSTNESS_MAX_MESSAGE_BYTES + 1).fill(0x31);
    for (const path of ['/v1/models/add:predict', '/v2/models/add/infer']) {
      expect(await expectRefusedOrServed({ path, body: oversize }, `${path} sized`)).toBe(413);
      // A stream has no Content-Length: the server counts as it reads.
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent <= ROBUSTNESS_MAX_MESSAGE_BYTES; sent += 1 << 20) {
            controller.enqueue(oversize.subarray(0, 1 << 20));
          }
          controller.close();
        },
      });
      const response = await fetch(`${served().server.restUrl}${path}`, {
        method: 'POST',
        body: chunked,
        duplex: 'half',
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status, `${path} chunked`).toBe(413);
      expect(((await response.json()) as { error: string }).error).toContain('too large');
    }
    await expectServing(served().client, served().server.restUrl);
  });
});
