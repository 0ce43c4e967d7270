import { DATA_TYPES, type NumericDataType } from '@ovms/core';
import type { FixtureDim, FixtureGraph, GraphOp } from './fixture-graphs.js';
import { encodeValues } from './values.js';

/** OpenVINO IR v11 (`model.xml` + `model.bin`) for a fixture graph. */
export interface IrModel {
  readonly xml: string;
  readonly bin: Uint8Array;
}

/** opset1 operation names for the graph ops (OpenVINO operation specs). */
const IR_OP: Record<GraphOp, string> = { Add: 'Add', Sub: 'Subtract', And: 'LogicalAnd' };

/** Legacy port `precision` names OpenVINO writes beside each port. */
const PORT_PRECISION: Partial<Record<NumericDataType, string>> = {
  FP32: 'FP32',
  FP16: 'FP16',
  INT32: 'I32',
  INT64: 'I64',
  UINT8: 'U8',
  BOOL: 'BOOL',
};

interface Producer {
  readonly layer: number;
  readonly port: number;
  readonly dtype: NumericDataType;
  readonly dims: readonly number[];
}

function precision(dtype: NumericDataType): string {
  const name = PORT_PRECISION[dtype];
  if (name === undefined) throw new Error(`fixture dtype ${dtype} has no IR precision mapping`);
  return name;
}

function irDims(dims: readonly FixtureDim[]): number[] {
  return dims.map((dim) => (typeof dim === 'number' ? dim : -1));
}

function port(id: number, dtype: NumericDataType, dims: readonly number[], names?: string) {
  const nameAttr = names === undefined ? '' : ` names="${names}"`;
  const body = dims.map((dim) => `<dim>${dim}</dim>`).join('');
  return `<port id="${id}" precision="${precision(dtype)}"${nameAttr}>${body}</port>`;
}

/** Broadcast result dims of an elementwise op (-1 stays dynamic). */
function outputDims(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/**
 * Serialises a fixture graph as IR v11: Parameter, Const (data in the .bin), the opset1
 * elementwise op and Result layers, with tensor names on the producing ports, as OpenVINO's
 * own serializer writes them. Shapes use `?` for dynamic dims in `<data shape>`, -1 in ports.
 */
export function encodeIrModel(name: string, graph: FixtureGraph): IrModel {
  const layers: string[] = [];
  const edges: string[] = [];
  const producers = new Map<string, Producer>();
  const binParts: Uint8Array[] = [];
  let binSize = 0;
  let id = 0;

  for (const input of graph.inputs) {
    const dims = irDims(input.dims);
    const shape = dims.map((dim) => (dim < 0 ? '?' : String(dim))).join(',');
    const type = DATA_TYPES[input.dtype].openvino;
    layers.push(
      `<layer id="${id}" name="${input.name}" type="Parameter" version="opset1">` +
        `<data shape="${shape}" element_type="${type}"/>` +
        `<output>${port(0, input.dtype, dims, input.name)}</output></layer>`,
    );
    producers.set(input.name, { layer: id++, port: 0, dtype: input.dtype, dims });
  }
  for (const constant of graph.constants) {
    const bytes = encodeValues(constant.dtype, constant.values);
    const type = DATA_TYPES[constant.dtype].openvino;
    layers.push(
      `<layer id="${id}" name="${constant.name}" type="Const" version="opset1">` +
        `<data element_type="${type}" shape="${constant.dims.join(',')}" offset="${binSize}" size="${bytes.byteLength}"/>` +
        `<output>${port(0, constant.dtype, constant.dims, constant.name)}</output></layer>`,
    );
    binParts.push(bytes);
    binSize += bytes.byteLength;
    producers.set(constant.name, {
      layer: id++,
      port: 0,
      dtype: constant.dtype,
      dims: constant.dims,
    });
  }
  for (const node of graph.nodes) {
    const [a, b] = node.inputs.map((input) => producers.get(input));
    if (a === undefined || b === undefined)
      throw new Error(`IR writer: unknown input of ${node.op}`);
    const dims = outputDims(a.dims, b.dims);
    layers.push(
      `<layer id="${id}" name="${node.output}" type="${IR_OP[node.op]}" version="opset1">` +
        `<data auto_broadcast="numpy"/>` +
        `<input>${port(0, a.dtype, a.dims)}${port(1, b.dtype, b.dims)}</input>` +
        `<output>${port(2, a.dtype, dims, node.output)}</output></layer>`,
    );
    edges.push(edge(a.layer, a.port, id, 0), edge(b.layer, b.port, id, 1));
    producers.set(node.output, { layer: id++, port: 2, dtype: a.dtype, dims });
  }
  for (const output of graph.outputs) {
    const producer = producers.get(output.name);
    if (producer === undefined) throw new Error(`IR writer: output ${output.name} has no producer`);
    layers.push(
      `<layer id="${id}" name="${output.name}/sink_port_0" type="Result" version="opset1">` +
        `<input>${port(0, producer.dtype, producer.dims)}</input></layer>`,
    );
    edges.push(edge(producer.layer, producer.port, id++, 0));
  }

  const xml =
    `<?xml version="1.0"?>\n<net name="${name}" version="11">\n` +
    `<layers>\n${layers.join('\n')}\n</layers>\n<edges>\n${edges.join('\n')}\n</edges>\n</net>\n`;
  return { xml, bin: concat(binParts, binSize) };
}

function edge(fromLayer: number, fromPort: number, toLayer: number, toPort: number): string {
  return `<edge from-layer="${fromLayer}" from-port="${fromPort}" to-layer="${toLayer}" to-port="${toPort}"/>`;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  // An IR whose graph has no constants still ships a .bin (OVMS looks for the pair); a few
  // zero bytes avoid mapping an empty file, which some OpenVINO versions refuse.
  const out = new Uint8Array(Math.max(size, 8));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
