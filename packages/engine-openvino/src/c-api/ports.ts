import koffi from 'koffi';
import { isDimRange, type ShapeDim } from '@ovms/core';
import type { PortInfo } from '../binding.js';
import { boundedDims } from '../port-dims.js';
import { OpenvinoError } from '../openvino-error.js';
import {
  ELEMENT_TYPES,
  type CApi,
  type Out,
  type PartialShapeStruct,
  type Ptr,
} from './bindings.js';

/** Throws OpenvinoError with OpenVINO's last error message when a C call did not return OK. */
export function check(api: CApi, status: number, what: string): void {
  if (status !== 0) throw errorFor(api, status, what);
}

export function errorFor(api: CApi, status: number, what: string): OpenvinoError {
  const detail = api.getLastErrMsg() || api.getErrorInfo(status) || `status ${status}`;
  return new OpenvinoError(`${what}: ${detail.trim()}`, status);
}

/** The pointer an out-parameter received, refusing null so callers never hold a null handle. */
export function taken(out: Out<Ptr>, what: string): Ptr {
  const value = out[0];
  if (value === null || value === 0n) throw new OpenvinoError(`${what}: OpenVINO returned null`);
  return value;
}

export function elementTypeName(code: number): string {
  return ELEMENT_TYPES[code] ?? `element type ${code}`;
}

export function elementTypeCode(name: string): number {
  const code = (ELEMENT_TYPES as readonly string[]).indexOf(name);
  if (code < 0) throw new OpenvinoError(`unknown OpenVINO element type ${name}`);
  return code;
}

/** Reads a C string OpenVINO allocated for us and frees it with `ov_free`. */
export function takeString(api: CApi, ptr: Ptr): string {
  try {
    return koffi.decode.string(ptr);
  } finally {
    api.free(ptr);
  }
}

interface DimStruct {
  min: number | bigint;
  max: number | bigint;
}
const DimType = koffi.struct({ min: 'int64_t', max: 'int64_t' });

/**
 * Dims with -1 for dynamic ones, bounded intervals (`100..200`) also in `dimRanges`; shape
 * undefined for dynamic rank. OpenVINO's unbounded max is -1.
 */
function decodePartialShape(shape: PartialShapeStruct): Pick<PortInfo, 'shape' | 'dimRanges'> {
  const rank = shape.rank;
  if (rank === undefined || Number(rank.max) < 0 || Number(rank.min) !== Number(rank.max)) {
    return { shape: undefined };
  }
  const count = Number(rank.max);
  if (count === 0) return { shape: [] };
  const dims = (koffi.decode(shape.dims, DimType, count) as DimStruct[]).map((d) => ({
    min: Number(d.min),
    max: Number(d.max),
  }));
  return boundedDims(dims);
}

/** -1 → a fully dynamic dimension, a range → its interval, else a static one. */
export function toPartialShape(dims: readonly ShapeDim[]): PartialShapeStruct {
  return {
    rank: { min: dims.length, max: dims.length },
    dims: dims.map((d) => (isDimRange(d) ? d : d < 0 ? { min: 0, max: -1 } : { min: d, max: d })),
  };
}

/** Name, element type and partial shape of one `ov_output_const_port_t`, freeing the port. */
export function readPort(api: CApi, port: Ptr, what: string): PortInfo {
  try {
    const nameOut: Out<Ptr> = [null];
    check(api, api.portGetAnyName(port, nameOut), `${what}: reading the tensor name`);
    const name = takeString(api, taken(nameOut, what));
    const typeOut: Out<number> = [null];
    check(api, api.portGetElementType(port, typeOut), `${what} ${name}: reading the element type`);
    const shape: PartialShapeStruct = {};
    check(api, api.portGetPartialShape(port, shape), `${what} ${name}: reading the shape`);
    try {
      return {
        name,
        elementType: elementTypeName(typeOut[0] ?? 0),
        ...decodePartialShape(shape),
      };
    } finally {
      api.partialShapeFree(shape);
    }
  } finally {
    api.constPortFree(port);
  }
}

/** All inputs or outputs of a model or compiled model, through the given size/port getters. */
export function readPorts(
  api: CApi,
  handle: Ptr,
  size: (handle: Ptr, out: Out<number>) => number,
  portAt: (handle: Ptr, index: number, out: Out<Ptr>) => number,
  what: 'input' | 'output',
): PortInfo[] {
  const countOut: Out<number> = [null];
  check(api, size(handle, countOut), `counting ${what}s`);
  const ports: PortInfo[] = [];
  for (let index = 0; index < Number(countOut[0] ?? 0); index++) {
    const portOut: Out<Ptr> = [null];
    check(api, portAt(handle, index, portOut), `${what} ${index}`);
    ports.push(readPort(api, taken(portOut, `${what} ${index}`), what));
  }
  return ports;
}
