// A pure-JS engine for a tiny JSON model format: `model.affine.json` holds
// `{ "input": "x", "output": "y", "width": 3, "scale": 2, "bias": 1 }`, and the model computes
// y = scale * x + bias over FP32 tensors of shape (-1, width). See docs/plugins.md.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const MODEL_FILE = 'model.affine.json';

/** @returns {Promise<{ input: string, output: string, width: number, scale: number, bias: number }>} */
async function readModel(dir) {
  const model = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8'));
  for (const key of ['input', 'output'])
    if (typeof model[key] !== 'string') throw new Error(`${MODEL_FILE}: "${key}" must be a string`);
  for (const key of ['width', 'scale', 'bias'])
    if (typeof model[key] !== 'number') throw new Error(`${MODEL_FILE}: "${key}" must be a number`);
  return model;
}

/** @type {import('@ovms/core').Engine} */
const affineEngine = {
  name: 'affine',

  async canLoad(dir) {
    return stat(join(dir, MODEL_FILE)).then(
      (stats) => stats.isFile(),
      () => false,
    );
  },

  // Load options (shape, nireq, target_device…) do not apply to this format.
  async load(dir) {
    const { input, output, width, scale, bias } = await readModel(dir);
    return {
      // The server checks names, dtype and shape against these before calling infer.
      inputs: [{ name: input, dtype: 'FP32', shape: [-1, width] }],
      outputs: [{ name: output, dtype: 'FP32', shape: [-1, width] }],
      async infer(inputs) {
        const x = /** @type {import('@ovms/core').NumericTensor} */ (inputs.get(input));
        // Tensor data views a request buffer (maybe a Node Buffer from a shared pool) at any
        // offset: copy it into a buffer of its own before viewing it as floats.
        const values = new Float32Array(new Uint8Array(x.data).buffer);
        const result = values.map((value) => scale * value + bias);
        const data = new Uint8Array(result.buffer);
        return new Map([[output, { dtype: 'FP32', shape: x.shape, data }]]);
      },
      async close() {},
    };
  },
};

/** @param {import('@ovms/core').PluginApi} api */
export default function register(api) {
  api.registerEngine(affineEngine, { preferred: false });
}
