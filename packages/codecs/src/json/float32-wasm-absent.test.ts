import { describe, expect, it, vi } from 'vitest';
import { createNumericTensor, typedView } from '@ovms/core';
import { JsonByteWriter } from './byte-writer.js';
import { float32Wasm } from './float32-wasm.js';
import { NdArrayReader } from './ndarray.js';
import { JsonReader } from './reader.js';
import { createTensorElements } from './tensor-elements.js';
import { formatFloat32, numericElements, writeFlatArray } from './writer.js';

// Where WebAssembly is off (`node --jitless`) the global is missing. This file's module
// instance has not loaded the module yet, so it sees no WebAssembly from the start.
vi.stubGlobal('WebAssembly', undefined);

describe('FP32 JSON without WebAssembly', () => {
  it('reads and writes through the TypeScript paths, with the same results', () => {
    expect(float32Wasm()).toBeNull();
    const tokens = ['0.1', '-0', '0.10000000149011612', '1e-50', '3.4028235e38', 'NaN', '7e-46'];
    const elements = createTensorElements('FP32', { label: 'input x', capacity: 2 });
    const reader = new JsonReader(`[${tokens.join(',')}]`);
    const array = new NdArrayReader(elements, 'input x');
    array.read(reader);
    reader.finish();
    const tensor = elements.toTensor(array.shape());
    if (tensor.dtype === 'BYTES') throw new Error('expected FP32');
    const values = typedView('FP32', tensor.data);
    expect([...values]).toEqual(tokens.map((token) => Math.fround(Number(token))));

    const out = new JsonByteWriter(4);
    const written = createNumericTensor('FP32', [values.length], tensor.data);
    writeFlatArray(out, numericElements(written), 0, values.length);
    expect(new TextDecoder().decode(out.result())).toBe(
      `[${[...values].map((value) => formatFloat32(value)).join(',')}]`,
    );
  });
});
