// A test-only plugin engine (docs/plugins.md) whose models fail the ways careless engine code
// does, so the limits e2e test can prove that no failure in a request path takes the server
// down. A version directory holds `model.faulty.json`: `{ "mode": "...", "delayMs": 0 }`.
// Every model takes and gives `x`, FP32 of shape (-1).
//   ok               — returns x after delayMs (holds the request in flight meanwhile)
//   throw-sync       — infer throws a string synchronously
//   reject-non-error — infer rejects with a plain object
//   bad-output       — returns an output whose data throws a string when the encoder reads it
//   leak             — answers x, and leaves a rejected promise nobody handles
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'model.faulty.json';
const SPEC = [{ name: 'x', dtype: 'FP32', shape: [-1] }];

const INFER = {
  ok: async (x, delayMs) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Map([['x', x]]);
  },
  'throw-sync': () => {
    throw 'thrown synchronously, not an Error';
  },
  'reject-non-error': () => Promise.reject({ reason: 'a plain object, not an Error' }),
  'bad-output': async (x) => {
    const poisoned = {
      dtype: 'FP32',
      shape: x.shape,
      get data() {
        throw 'poisoned output';
      },
    };
    return new Map([['x', poisoned]]);
  },
  leak: async (x) => {
    void Promise.reject(new Error('leaked rejection'));
    return new Map([['x', x]]);
  },
};

/** @type {import('@ovms/core').Engine} */
const faultyEngine = {
  name: 'faulty',
  canLoad: (dir) =>
    stat(join(dir, FILE)).then(
      (stats) => stats.isFile(),
      () => false,
    ),
  async load(dir) {
    const { mode, delayMs = 0 } = JSON.parse(await readFile(join(dir, FILE), 'utf8'));
    const infer = INFER[mode];
    if (infer === undefined) throw new Error(`unknown mode ${mode}`);
    return {
      inputs: SPEC,
      outputs: SPEC,
      // Not async: a synchronous throw must reach the server as one.
      infer: (inputs) => infer(inputs.get('x'), delayMs),
      async close() {},
    };
  },
};

/** @param {import('@ovms/core').PluginApi} api */
export default function register(api) {
  api.registerEngine(faultyEngine);
}
