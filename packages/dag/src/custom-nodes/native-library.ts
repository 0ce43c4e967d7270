import koffi, { type LibraryHandle } from 'koffi';
import { ServingError, StatusCode, expectedByteSize, formatShape } from '@ovms/core';
import type { NumericTensor, Tensor, TensorMap, TensorSpec } from '@ovms/core';
import { pipelineError } from '../pipeline-status.js';
import type { CustomNodeApi, Out, RawParam, RawTensor, RawTensorInfo } from './c-abi.js';
import {
  CustomNodeTensor,
  CustomNodeTensorInfo,
  bindCustomNodeApi,
  dataTypeOfPrecision,
  precisionOf,
} from './c-abi.js';
import type { CustomNode, CustomNodeParams } from './contract.js';

/** A C library's `customNodeLibraryInternalManager`: an opaque native pointer. */
type Manager = bigint | null;

function messageOf(error: unknown): string {
  return error instanceof Error
    ? error.message
    : typeof error === 'string'
      ? error
      : JSON.stringify(error);
}

function rawParams(params: CustomNodeParams): RawParam[] | null {
  const entries = Object.entries(params).map(([key, value]) => ({ key, value }));
  return entries.length === 0 ? null : entries;
}

function dimsAt(pointer: bigint | null, count: number | bigint): number[] {
  const length = Number(count);
  if (length === 0 || pointer === null) return [];
  // koffi decodes to a BigUint64Array; Array.from leaves it for plain numbers.
  return Array.from(koffi.decode(pointer, 'uint64_t', length) as Iterable<number | bigint>, Number);
}

/** Address of JS-owned bytes; reading `.buffer` first moves small arrays off V8's heap for good. */
function addressOf(bytes: ArrayBufferView): bigint | null {
  if (bytes.byteLength === 0) return null;
  void bytes.buffer;
  return koffi.address(bytes);
}

function toInput(name: string, tensor: Tensor, keep: unknown[]): RawTensor {
  const precision = precisionOf(tensor.dtype);
  if (tensor.dtype === 'BYTES' || precision === undefined) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `the custom node C ABI has no precision for ${tensor.dtype}; input name: ${name}`,
    );
  }
  const dims = BigUint64Array.from(tensor.shape, (dim) => BigInt(dim));
  keep.push(dims, tensor.data);
  return {
    name,
    data: addressOf(tensor.data),
    dataBytes: tensor.data.byteLength,
    dims: addressOf(dims),
    dimsCount: dims.length,
    precision,
  };
}

/** Copies one output out of library memory (released right after) into a JS tensor. */
function toOutput(raw: RawTensor): [string, NumericTensor] {
  if (raw.name === null || raw.name === '') {
    throw pipelineError('NODE_LIBRARY_OUTPUT_MISSING_NAME', 'an output has no name');
  }
  const dtype = dataTypeOfPrecision(raw.precision);
  if (dtype === undefined || dtype === 'BYTES') {
    throw pipelineError('NODE_LIBRARY_INVALID_PRECISION', `output name: ${raw.name}`);
  }
  const shape = dimsAt(raw.dims, raw.dimsCount);
  const bytes = Number(raw.dataBytes);
  const expected = expectedByteSize(dtype, shape);
  if (bytes !== expected || (bytes > 0 && raw.data === null)) {
    throw pipelineError(
      'NODE_LIBRARY_INVALID_CONTENT_SIZE',
      `Expected: ${expected} bytes for ${dtype} ${formatShape(shape)}; Actual: ${bytes}; output name: ${raw.name}`,
    );
  }
  const data =
    bytes === 0 || raw.data === null
      ? new Uint8Array(0)
      : new Uint8Array(koffi.view(raw.data, bytes)).slice();
  return [raw.name, { dtype, shape, data }];
}

function readInfo(
  api: CustomNodeApi,
  call: CustomNodeApi['getInputsInfo'],
  params: CustomNodeParams,
  manager: Manager,
): TensorSpec[] {
  const info: Out<bigint> = [null];
  const count: Out<number> = [null];
  const raw = rawParams(params);
  const status = call(info, count, raw, raw?.length ?? 0, manager);
  if (status !== 0) {
    throw pipelineError('NODE_LIBRARY_METADATA_FAILED', `returned error code: ${status}`);
  }
  const pointer = info[0] ?? null;
  const length = count[0] ?? 0;
  const entries: RawTensorInfo[] =
    pointer === null || length <= 0
      ? []
      : (koffi.decode(pointer, CustomNodeTensorInfo, length) as RawTensorInfo[]);
  try {
    return entries.map((entry) => {
      const dtype = dataTypeOfPrecision(entry.precision);
      if (entry.name === null || dtype === undefined) {
        throw pipelineError(
          'NODE_LIBRARY_METADATA_FAILED',
          `tensor ${entry.name ?? '(no name)'} has precision ${entry.precision}`,
        );
      }
      // The ABI marks a dynamic dimension with 0.
      const shape = dimsAt(entry.dims, entry.dimsCount).map((dim) => (dim === 0 ? -1 : dim));
      return { name: entry.name, dtype, shape };
    });
  } finally {
    for (const entry of entries) api.release(entry.dims, manager);
    if (pointer !== null) api.release(pointer, manager);
  }
}

function readOutputs(api: CustomNodeApi, pointer: bigint | null, count: number, manager: Manager) {
  if (count < 0) {
    throw pipelineError('NODE_LIBRARY_OUTPUTS_CORRUPTED_COUNT', `outputs count: ${count}`);
  }
  if (count > 0 && pointer === null) {
    throw pipelineError('NODE_LIBRARY_OUTPUTS_CORRUPTED', 'outputs handle is null');
  }
  const raws: RawTensor[] =
    pointer === null || count === 0
      ? []
      : (koffi.decode(pointer, CustomNodeTensor, count) as RawTensor[]);
  try {
    return new Map(raws.map(toOutput)) as TensorMap;
  } finally {
    // OVMS's order: each output's data and dims, then the array itself.
    for (const raw of raws) {
      api.release(raw.data, manager);
      api.release(raw.dims, manager);
    }
    if (pointer !== null) api.release(pointer, manager);
  }
}

function callAsync(run: (done: (error: unknown, status: number) => void) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    run((error, status) =>
      error === null || error === undefined
        ? resolve(status)
        : reject(error instanceof Error ? error : new Error(messageOf(error))),
    );
  });
}

/**
 * Opens an OVMS custom node library (`.so`) and presents it through the CustomNode contract.
 * `execute` runs on a koffi worker thread, so a slow node never blocks the event loop; its
 * inputs are handed over as pointers into the JS buffers (no copy) and its outputs are
 * copied out once and released through the library's `release`, as OVMS does.
 */
export function loadNativeNode(basePath: string): { node: CustomNode<Manager>; close(): void } {
  let lib: LibraryHandle;
  try {
    lib = koffi.load(basePath);
  } catch (error) {
    throw pipelineError('NODE_LIBRARY_LOAD_FAILED_OPEN', `${basePath}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let api: CustomNodeApi;
  try {
    api = bindCustomNodeApi(lib, (symbol, error) =>
      pipelineError('NODE_LIBRARY_LOAD_FAILED_SYM', `${basePath}: ${symbol}`, { cause: error }),
    );
  } catch (error) {
    lib.unload();
    throw error;
  }
  const node: CustomNode<Manager> = {
    initialize(params) {
      if (api.initialize === undefined) return null;
      const manager: Out<bigint> = [null];
      const raw = rawParams(params);
      const status = api.initialize(manager, raw, raw?.length ?? 0);
      if (status !== 0) {
        throw pipelineError('NODE_LIBRARY_INITIALIZE_FAILED', `${basePath}: returned ${status}`);
      }
      return manager[0] ?? null;
    },
    deinitialize(manager) {
      // OVMS only logs a failed deinitialize; there is nothing left to undo.
      api.deinitialize?.(manager);
    },
    getInputsInfo: (params, manager) => readInfo(api, api.getInputsInfo, params, manager),
    getOutputsInfo: (params, manager) => readInfo(api, api.getOutputsInfo, params, manager),
    async execute(inputs, params, manager, signal) {
      signal?.throwIfAborted();
      const keep: unknown[] = [];
      const raws = [...inputs].map(([name, tensor]) => toInput(name, tensor, keep));
      const outputs: Out<bigint> = [null];
      const count: Out<number> = [null];
      const raw = rawParams(params);
      const status = await callAsync((done) =>
        api.execute.async(raws, raws.length, outputs, count, raw, raw?.length ?? 0, manager, done),
      );
      // The input buffers must outlive the native call; this read keeps them reachable.
      keep.length = 0;
      if (status !== 0) {
        throw pipelineError('NODE_LIBRARY_EXECUTION_FAILED', `returned error code: ${status}`);
      }
      return readOutputs(api, outputs[0] ?? null, count[0] ?? 0, manager);
    },
  };
  return { node, close: () => lib.unload() };
}
