import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';

/**
 * Declarations of the OpenVINO C API functions the engine calls, bound with koffi from
 * `libopenvino_c.so` (headers: `openvino/c/*.h` in the wheel). Pointers are BigInts
 * (koffi 3); out-parameters are one-element arrays or objects filled by koffi.
 */

/** `ov_element_type_e` from ov_common.h, in declaration order. */
export const ELEMENT_TYPES = [
  'dynamic',
  'boolean',
  'bf16',
  'f16',
  'f32',
  'f64',
  'i4',
  'i8',
  'i16',
  'i32',
  'i64',
  'u1',
  'u2',
  'u3',
  'u4',
  'u6',
  'u8',
  'u16',
  'u32',
  'u64',
  'nf4',
  'f8e4m3',
  'f8e5m3',
  'string',
  'f4e2m1',
  'f8e8m0',
] as const;

const ShapeType = koffi.struct({ rank: 'int64_t', dims: 'int64_t*' });
const DimensionType = koffi.struct({ min: 'int64_t', max: 'int64_t' });
const PartialShapeType = koffi.struct({
  rank: DimensionType,
  dims: koffi.pointer(DimensionType),
});
const DevicesType = koffi.struct({ devices: 'char**', size: 'size_t' });
// `value` is `const void*` in the header; every property we pass is a string, so declaring it
// `const char*` lets koffi marshal JS strings with the same ABI.
const PropertyType = koffi.struct({ key: 'const char*', value: 'const char*' });

const ptrOut = koffi.out(koffi.pointer('void*'));
const sizeOut = koffi.out(koffi.pointer('size_t'));
const intOut = koffi.out(koffi.pointer('int'));

/** A native pointer (koffi 3 passes pointers as BigInts). */
export type Ptr = bigint;
/** An out-parameter koffi fills: pass `[null]`, read `[0]` after the call. */
export type Out<T> = [T | null];
export interface ShapeStruct {
  rank?: number | bigint;
  dims?: Ptr | readonly bigint[];
}
export interface PartialShapeStruct {
  rank?: { min: number | bigint; max: number | bigint };
  dims?: Ptr | readonly { min: number; max: number }[];
}
interface DevicesStruct {
  devices?: Ptr;
  size?: number | bigint;
}
type Status = number;

/** A bound C function, with koffi's `.async` variant that runs on a libuv worker thread. */
export type CFunction<A extends unknown[], R> = ((...args: A) => R) & {
  async(...args: [...A, (error: unknown, result: R) => void]): void;
};

function declare(lib: LibraryHandle) {
  const fn = <A extends unknown[], R = Status>(
    name: string,
    result: string,
    args: (string | TypeObject | ReturnType<typeof koffi.out>)[],
  ): CFunction<A, R> => lib.func(name, result, args) as CFunction<A, R>;
  const st = 'int'; // ov_status_e
  return {
    getLastErrMsg: fn<[], string | null>('ov_get_last_err_msg', 'const char*', []),
    getErrorInfo: fn<[Status], string | null>('ov_get_error_info', 'const char*', ['int']),
    free: fn<[Ptr], void>('ov_free', 'void', ['void*']),

    coreCreate: fn<[Out<Ptr>]>('ov_core_create', st, [ptrOut]),
    coreFree: fn<[Ptr], void>('ov_core_free', 'void', ['void*']),
    coreReadModel: fn<[Ptr, string, string | null, Out<Ptr>]>('ov_core_read_model', st, [
      'void*',
      'const char*',
      'const char*',
      ptrOut,
    ]),
    coreCompileModelProps: fn<
      [Ptr, Ptr, string, number, { key: string; value: string }[], Out<Ptr>]
    >('ov_core_compile_model_props', st, [
      'void*',
      'void*',
      'const char*',
      'size_t',
      koffi.pointer(PropertyType),
      ptrOut,
    ]),
    coreGetAvailableDevices: fn<[Ptr, DevicesStruct]>('ov_core_get_available_devices', st, [
      'void*',
      koffi.out(koffi.pointer(DevicesType)),
    ]),
    availableDevicesFree: fn<[DevicesStruct], void>('ov_available_devices_free', 'void', [
      koffi.pointer(DevicesType),
    ]),

    modelFree: fn<[Ptr], void>('ov_model_free', 'void', ['void*']),
    modelInputsSize: fn<[Ptr, Out<number>]>('ov_model_inputs_size', st, ['void*', sizeOut]),
    modelOutputsSize: fn<[Ptr, Out<number>]>('ov_model_outputs_size', st, ['void*', sizeOut]),
    modelConstInputByIndex: fn<[Ptr, number, Out<Ptr>]>('ov_model_const_input_by_index', st, [
      'void*',
      'size_t',
      ptrOut,
    ]),
    modelConstOutputByIndex: fn<[Ptr, number, Out<Ptr>]>('ov_model_const_output_by_index', st, [
      'void*',
      'size_t',
      ptrOut,
    ]),
    modelReshape: fn<[Ptr, string[], PartialShapeStruct[], number]>('ov_model_reshape', st, [
      'void*',
      koffi.pointer('const char*'),
      koffi.pointer(PartialShapeType),
      'size_t',
    ]),

    portGetAnyName: fn<[Ptr, Out<Ptr>]>('ov_port_get_any_name', st, ['void*', ptrOut]),
    portGetElementType: fn<[Ptr, Out<number>]>('ov_port_get_element_type', st, ['void*', intOut]),
    portGetPartialShape: fn<[Ptr, PartialShapeStruct]>('ov_port_get_partial_shape', st, [
      'void*',
      koffi.out(koffi.pointer(PartialShapeType)),
    ]),
    partialShapeFree: fn<[PartialShapeStruct], void>('ov_partial_shape_free', 'void', [
      koffi.pointer(PartialShapeType),
    ]),
    constPortFree: fn<[Ptr], void>('ov_output_const_port_free', 'void', ['void*']),

    layoutCreate: fn<[string, Out<Ptr>]>('ov_layout_create', st, ['const char*', ptrOut]),
    layoutFree: fn<[Ptr], void>('ov_layout_free', 'void', ['void*']),
    pppCreate: fn<[Ptr, Out<Ptr>]>('ov_preprocess_prepostprocessor_create', st, ['void*', ptrOut]),
    pppFree: fn<[Ptr], void>('ov_preprocess_prepostprocessor_free', 'void', ['void*']),
    pppInputInfoByName: fn<[Ptr, string, Out<Ptr>]>(
      'ov_preprocess_prepostprocessor_get_input_info_by_name',
      st,
      ['void*', 'const char*', ptrOut],
    ),
    pppInputInfoFree: fn<[Ptr], void>('ov_preprocess_input_info_free', 'void', ['void*']),
    pppInputTensorInfo: fn<[Ptr, Out<Ptr>]>('ov_preprocess_input_info_get_tensor_info', st, [
      'void*',
      ptrOut,
    ]),
    pppInputTensorInfoFree: fn<[Ptr], void>('ov_preprocess_input_tensor_info_free', 'void', [
      'void*',
    ]),
    pppInputTensorSetLayout: fn<[Ptr, Ptr]>('ov_preprocess_input_tensor_info_set_layout', st, [
      'void*',
      'void*',
    ]),
    pppInputModelInfo: fn<[Ptr, Out<Ptr>]>('ov_preprocess_input_info_get_model_info', st, [
      'void*',
      ptrOut,
    ]),
    pppInputModelInfoFree: fn<[Ptr], void>('ov_preprocess_input_model_info_free', 'void', [
      'void*',
    ]),
    pppInputModelSetLayout: fn<[Ptr, Ptr]>('ov_preprocess_input_model_info_set_layout', st, [
      'void*',
      'void*',
    ]),
    pppBuild: fn<[Ptr, Out<Ptr>]>('ov_preprocess_prepostprocessor_build', st, ['void*', ptrOut]),

    compiledModelFree: fn<[Ptr], void>('ov_compiled_model_free', 'void', ['void*']),
    compiledModelInputsSize: fn<[Ptr, Out<number>]>('ov_compiled_model_inputs_size', st, [
      'void*',
      sizeOut,
    ]),
    compiledModelOutputsSize: fn<[Ptr, Out<number>]>('ov_compiled_model_outputs_size', st, [
      'void*',
      sizeOut,
    ]),
    compiledModelInputByIndex: fn<[Ptr, number, Out<Ptr>]>('ov_compiled_model_input_by_index', st, [
      'void*',
      'size_t',
      ptrOut,
    ]),
    compiledModelOutputByIndex: fn<[Ptr, number, Out<Ptr>]>(
      'ov_compiled_model_output_by_index',
      st,
      ['void*', 'size_t', ptrOut],
    ),
    compiledModelGetProperty: fn<[Ptr, string, Out<Ptr>]>('ov_compiled_model_get_property', st, [
      'void*',
      'const char*',
      ptrOut,
    ]),
    compiledModelCreateInferRequest: fn<[Ptr, Out<Ptr>]>(
      'ov_compiled_model_create_infer_request',
      st,
      ['void*', ptrOut],
    ),

    inferRequestFree: fn<[Ptr], void>('ov_infer_request_free', 'void', ['void*']),
    inferRequestSetInputTensorByIndex: fn<[Ptr, number, Ptr]>(
      'ov_infer_request_set_input_tensor_by_index',
      st,
      ['void*', 'size_t', 'void*'],
    ),
    inferRequestGetOutputTensorByIndex: fn<[Ptr, number, Out<Ptr>]>(
      'ov_infer_request_get_output_tensor_by_index',
      st,
      ['void*', 'size_t', ptrOut],
    ),
    inferRequestSetOutputTensorByIndex: fn<[Ptr, number, Ptr]>(
      'ov_infer_request_set_output_tensor_by_index',
      st,
      ['void*', 'size_t', 'void*'],
    ),
    inferRequestInfer: fn<[Ptr]>('ov_infer_request_infer', st, ['void*']),
    inferRequestStartAsync: fn<[Ptr]>('ov_infer_request_start_async', st, ['void*']),
    inferRequestWait: fn<[Ptr]>('ov_infer_request_wait', st, ['void*']),

    tensorCreateFromHostPtr: fn<[number, ShapeStruct, Uint8Array, Out<Ptr>]>(
      'ov_tensor_create_from_host_ptr',
      st,
      ['int', ShapeType, 'void*', ptrOut],
    ),
    tensorCreate: fn<[number, ShapeStruct, Out<Ptr>]>('ov_tensor_create', st, [
      'int',
      ShapeType,
      ptrOut,
    ]),
    tensorFree: fn<[Ptr], void>('ov_tensor_free', 'void', ['void*']),
    // Hot-path variants: out-parameters as a caller-owned BigInt64Array ([pointer] or
    // [rank, dims]) instead of koffi-marshalled arrays/structs, about 3× cheaper per call.
    tensorDataRaw: fn<[Ptr, BigInt64Array]>('ov_tensor_data', st, ['void*', 'void*']),
    tensorGetShapeRaw: fn<[Ptr, BigInt64Array]>('ov_tensor_get_shape', st, ['void*', 'void*']),
    shapeFreeRaw: fn<[BigInt64Array]>('ov_shape_free', st, ['void*']),
    inferRequestGetOutputTensorRaw: fn<[Ptr, number, BigInt64Array]>(
      'ov_infer_request_get_output_tensor_by_index',
      st,
      ['void*', 'size_t', 'void*'],
    ),
    tensorData: fn<[Ptr, Out<Ptr>]>('ov_tensor_data', st, ['void*', ptrOut]),
    tensorGetShape: fn<[Ptr, ShapeStruct]>('ov_tensor_get_shape', st, [
      'void*',
      koffi.out(koffi.pointer(ShapeType)),
    ]),
    tensorGetElementType: fn<[Ptr, Out<number>]>('ov_tensor_get_element_type', st, [
      'void*',
      intOut,
    ]),
    tensorGetByteSize: fn<[Ptr, Out<number>]>('ov_tensor_get_byte_size', st, ['void*', sizeOut]),
    shapeFree: fn<[ShapeStruct]>('ov_shape_free', st, [koffi.pointer(ShapeType)]),
  };
}

export type CApi = ReturnType<typeof declare>;

/** The versioned file name of the C API library in `libDir` (`libopenvino_c.so.2641`…). */
export function findCApiLibrary(libDir: string): string | undefined {
  const names = existsSync(libDir) ? readdirSync(libDir) : [];
  const name =
    names.find((n) => n === 'libopenvino_c.so') ??
    names.find((n) => /^libopenvino_c\.so\./.test(n));
  return name === undefined ? undefined : join(libDir, name);
}

const loaded = new Map<string, CApi>();

/**
 * Loads `libopenvino_c` from `libDir` once per process (koffi types are process-global, and
 * the runtime's plugins are best loaded once). Throws a plain Error naming the directory.
 */
export function loadCApi(libDir: string): CApi {
  const cached = loaded.get(libDir);
  if (cached !== undefined) return cached;
  const path = findCApiLibrary(libDir);
  if (path === undefined) throw new Error(`no libopenvino_c.so in ${libDir}`);
  const api = declare(koffi.load(path));
  loaded.set(libDir, api);
  return api;
}
