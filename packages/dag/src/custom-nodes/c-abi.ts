import koffi, { type LibraryHandle } from 'koffi';
import type { DataType } from '@ovms/core';

/**
 * OVMS's custom node C ABI (`src/custom_node_interface.h`), declared for koffi. Structs are
 * anonymous so that loading this module twice cannot clash on koffi's type names.
 */

/** `CustomNodeTensorPrecision`, in declaration order (UNSPECIFIED = 0). */
const PRECISIONS = [
  undefined,
  'FP32',
  'FP16',
  'UINT8',
  'INT8',
  'INT16',
  'UINT16',
  'INT32',
  'FP64',
  'INT64',
] as const satisfies readonly (DataType | undefined)[];

/** The DataType of a C precision value, or undefined for UNSPECIFIED and unknown values. */
export function dataTypeOfPrecision(precision: number): DataType | undefined {
  return PRECISIONS[precision];
}

/** The C precision of a DataType, or undefined where the ABI has none (BOOL, 32/64-bit unsigned, BF16, BYTES). */
export function precisionOf(dtype: DataType): number | undefined {
  const index = (PRECISIONS as readonly (DataType | undefined)[]).indexOf(dtype);
  return index > 0 ? index : undefined;
}

/** `struct CustomNodeTensor { const char* name; uint8_t* data; uint64_t dataBytes; uint64_t* dims; uint64_t dimsCount; CustomNodeTensorPrecision precision; }` */
export const CustomNodeTensor = koffi.struct({
  name: 'const char*',
  data: 'void*',
  dataBytes: 'uint64_t',
  dims: 'void*',
  dimsCount: 'uint64_t',
  precision: 'int',
});

/** `struct CustomNodeTensorInfo { const char* name; uint64_t* dims; uint64_t dimsCount; CustomNodeTensorPrecision precision; }` */
export const CustomNodeTensorInfo = koffi.struct({
  name: 'const char*',
  dims: 'void*',
  dimsCount: 'uint64_t',
  precision: 'int',
});

/** `struct CustomNodeParam { const char *key, *value; }` */
export const CustomNodeParam = koffi.struct({ key: 'const char*', value: 'const char*' });

/** A CustomNodeTensor as koffi encodes (pointers as BigInt addresses) or decodes it. */
export interface RawTensor {
  readonly name: string | null;
  readonly data: bigint | null;
  readonly dataBytes: number | bigint;
  readonly dims: bigint | null;
  readonly dimsCount: number | bigint;
  readonly precision: number;
}

export interface RawTensorInfo {
  readonly name: string | null;
  readonly dims: bigint | null;
  readonly dimsCount: number | bigint;
  readonly precision: number;
}

export interface RawParam {
  readonly key: string;
  readonly value: string;
}

type Ptr = bigint | null;
/** An out-parameter koffi fills: pass `[null]`, read `[0]` after the call. */
export type Out<T> = [T | null];

type Async<A extends unknown[]> = (
  ...args: [...A, (error: unknown, status: number) => void]
) => void;
type CFunction<A extends unknown[]> = ((...args: A) => number) & { async: Async<A> };

export interface CustomNodeApi {
  readonly initialize: CFunction<[Out<Ptr>, RawParam[] | null, number]> | undefined;
  readonly deinitialize: CFunction<[Ptr]> | undefined;
  readonly execute: CFunction<
    [RawTensor[], number, Out<Ptr>, Out<number>, RawParam[] | null, number, Ptr]
  >;
  readonly getInputsInfo: CFunction<[Out<Ptr>, Out<number>, RawParam[] | null, number, Ptr]>;
  readonly getOutputsInfo: CFunction<[Out<Ptr>, Out<number>, RawParam[] | null, number, Ptr]>;
  readonly release: CFunction<[Ptr, Ptr]>;
}

type ArgTypes = Parameters<typeof koffi.out>[0][];

const pointerOut = koffi.out(koffi.pointer('void*'));
const intOut = koffi.out(koffi.pointer('int'));

/**
 * Binds the six ABI functions of a loaded library. `initialize` and `deinitialize` are
 * optional, as libraries written before OVMS 2021.4 lack them; a missing required symbol
 * throws with the symbol's name.
 */
export function bindCustomNodeApi(
  lib: LibraryHandle,
  missing: (symbol: string, error: unknown) => Error,
): CustomNodeApi {
  const bind = <A extends unknown[]>(symbol: string, args: ArgTypes): CFunction<A> => {
    try {
      return lib.func(symbol, 'int', args);
    } catch (error) {
      throw missing(symbol, error);
    }
  };
  const optional = <A extends unknown[]>(
    symbol: string,
    args: ArgTypes,
  ): CFunction<A> | undefined => {
    try {
      return lib.func(symbol, 'int', args);
    } catch {
      return undefined;
    }
  };
  const params = koffi.pointer(CustomNodeParam);
  const metadata = [pointerOut, intOut, params, 'int', 'void*'];
  return {
    initialize: optional('initialize', [pointerOut, params, 'int']),
    deinitialize: optional('deinitialize', ['void*']),
    execute: bind('execute', [
      koffi.pointer(CustomNodeTensor),
      'int',
      pointerOut,
      intOut,
      params,
      'int',
      'void*',
    ]),
    getInputsInfo: bind('getInputsInfo', metadata),
    getOutputsInfo: bind('getOutputsInfo', metadata),
    release: bind('release', ['void*', 'void*']),
  };
}
