import koffi from 'koffi';
import type { OutputTensor, OvInferRequest } from '../binding.js';
import type { CApi, Out, Ptr } from './bindings.js';
import { callAsync } from './call-async.js';
import { check, elementTypeCode, elementTypeName, taken } from './ports.js';

export class CInferRequest implements OvInferRequest {
  // The request reads these buffers when it runs; holding them keeps them alive for as long as
  // it points at them. They do not move: koffi's pointer lookup moves a small on-heap typed
  // array off-heap for good, and off-heap backing stores are never relocated.
  private readonly held: (Uint8Array | undefined)[] = [];

  constructor(
    private readonly api: CApi,
    private handle: Ptr,
  ) {}

  setInput(index: number, elementType: string, shape: readonly number[], data: Uint8Array): void {
    const api = this.api;
    const tensorOut: Out<Ptr> = [null];
    const cShape = { rank: shape.length, dims: shape.map((d) => BigInt(d)) };
    const code = elementTypeCode(elementType);
    check(api, api.tensorCreateFromHostPtr(code, cShape, data, tensorOut), `input ${index}`);
    const tensor = taken(tensorOut, `input ${index}`);
    try {
      check(
        api,
        api.inferRequestSetInputTensorByIndex(this.handle, index, tensor),
        `input ${index}`,
      );
    } finally {
      // The request keeps its own reference to the tensor; our handle is no longer needed.
      api.tensorFree(tensor);
    }
    this.held[index] = data;
  }

  infer(): Promise<void> {
    return callAsync(this.api, this.api.inferRequestInfer, [this.handle], 'infer', false);
  }

  getOutput(index: number): OutputTensor {
    const api = this.api;
    const tensorOut: Out<Ptr> = [null];
    check(api, api.inferRequestGetOutputTensorByIndex(this.handle, index, tensorOut), 'output');
    const tensor = taken(tensorOut, `output ${index}`);
    try {
      const typeOut: Out<number> = [null];
      check(api, api.tensorGetElementType(tensor, typeOut), `output ${index}`);
      const shapeStruct: { rank?: number | bigint; dims?: Ptr } = {};
      check(api, api.tensorGetShape(tensor, shapeStruct), `output ${index}`);
      let shape: number[];
      try {
        const rank = Number(shapeStruct.rank ?? 0);
        const dims =
          rank === 0 ? [] : (koffi.decode(shapeStruct.dims, 'int64_t', rank) as ArrayLike<bigint>);
        shape = Array.from(dims, Number);
      } finally {
        api.shapeFree(shapeStruct);
      }
      const sizeOut: Out<number> = [null];
      check(api, api.tensorGetByteSize(tensor, sizeOut), `output ${index}`);
      const byteSize = Number(sizeOut[0] ?? 0);
      // The one copy of the output: the request reuses this memory on its next infer, and the
      // LoadedModel contract has no "done with outputs" call that would let us lend it out.
      let data = new Uint8Array(byteSize);
      if (byteSize > 0) {
        const dataOut: Out<Ptr> = [null];
        check(api, api.tensorData(tensor, dataOut), `output ${index}`);
        data = new Uint8Array(koffi.view(taken(dataOut, `output ${index}`), byteSize)).slice();
      }
      return { elementType: elementTypeName(typeOut[0] ?? 0), shape, data };
    } finally {
      api.tensorFree(tensor);
    }
  }

  free(): void {
    if (this.handle === 0n) return;
    this.api.inferRequestFree(this.handle);
    this.handle = 0n;
    this.held.length = 0;
  }
}
