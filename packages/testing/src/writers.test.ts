import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { FIXTURE_GRAPHS } from './fixture-graphs.js';
import { encodeIrModel } from './ir-writer.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { decodeValues } from './values.js';

const { onnx } = onnxProto;

describe('ONNX writer', () => {
  it('writes IR version 8, opset 14, symbolic dims and raw initializers', () => {
    const model = onnx.ModelProto.decode(encodeOnnxModel('nchw', FIXTURE_GRAPHS.nchw));
    expect(Number(model.irVersion)).toBe(8);
    expect(Number(model.opsetImport[0]?.version)).toBe(14);
    const graph = model.graph;
    expect(graph?.node?.map((node) => node.opType)).toEqual(['Add']);
    const init = graph?.initializer?.[0];
    expect(init?.dims?.map(Number)).toEqual([1, 3, 1, 1]);
    expect(decodeValues('FP32', init?.rawData ?? new Uint8Array())).toEqual([0, 10, 20]);
    const dyn = onnx.ModelProto.decode(encodeOnnxModel('d', FIXTURE_GRAPHS.dynamic_dims));
    const dims = dyn.graph?.input?.[0]?.type?.tensorType?.shape?.dim;
    expect(dims?.map((dim) => dim.dimParam)).toEqual(['batch', 'seq']);
  });
});

describe('IR writer', () => {
  it('writes IR v11 layers with element types, ? dims, names and the .bin constant', () => {
    const { xml, bin } = encodeIrModel('nchw', FIXTURE_GRAPHS.nchw);
    expect(xml).toContain('<net name="nchw" version="11">');
    expect(xml).toContain('<data shape="1,3,4,4" element_type="f32"/>');
    expect(xml).toContain('<data element_type="f32" shape="1,3,1,1" offset="0" size="12"/>');
    expect(xml).toContain('type="Add" version="opset1"');
    expect(xml).toContain('<port id="2" precision="FP32" names="y">');
    expect(xml).toContain('<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>');
    expect(decodeValues('FP32', bin.subarray(0, 12))).toEqual([0, 10, 20]);
  });

  it('marks dynamic dims and maps dtypes and ops to opset1', () => {
    const bool = encodeIrModel('and_bool', FIXTURE_GRAPHS.and_bool).xml;
    expect(bool).toContain('<data shape="?,4" element_type="boolean"/>');
    expect(bool).toContain('type="LogicalAnd"');
    expect(bool).toContain('<dim>-1</dim><dim>4</dim>');
    expect(encodeIrModel('t', FIXTURE_GRAPHS.two_in_two_out).xml).toContain('type="Subtract"');
    expect(encodeIrModel('u', FIXTURE_GRAPHS.add_u8).xml).toContain('precision="U8"');
    expect(encodeIrModel('u', FIXTURE_GRAPHS.add_u8).bin.byteLength).toBe(8);
  });
});
