import onnxProto from 'onnx-proto';
import type * as OnnxTypes from 'onnx-proto';
import type { NumericDataType } from '@ovms/core';
import type { FixtureDim, FixtureGraph, GraphOp, GraphValue } from './fixture-graphs.js';
import { encodeValues } from './values.js';

// onnx-proto is CommonJS: Node exposes only its default export to ESM.
const { onnx } = onnxProto;

/** ONNX `TensorProto.DataType` numbers of the dtypes fixtures use. */
const ONNX_ELEM_TYPE: Partial<Record<NumericDataType, number>> = {
  FP32: onnx.TensorProto.DataType.FLOAT,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  UINT8: onnx.TensorProto.DataType.UINT8,
  BOOL: onnx.TensorProto.DataType.BOOL,
};

const ONNX_OP: Record<GraphOp, string> = { Add: 'Add', Sub: 'Sub', And: 'And' };

/** IR version 8 with opset 13: old enough for every runtime we test, new enough for all ops. */
const IR_VERSION = 8;
const OPSET = 14;

function elemType(dtype: NumericDataType): number {
  const type = ONNX_ELEM_TYPE[dtype];
  if (type === undefined) throw new Error(`fixture dtype ${dtype} has no ONNX writer mapping`);
  return type;
}

function dimension(dim: FixtureDim): OnnxTypes.onnx.TensorShapeProto.IDimension {
  return typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim };
}

function valueInfo(value: GraphValue): OnnxTypes.onnx.IValueInfoProto {
  return {
    name: value.name,
    type: {
      tensorType: { elemType: elemType(value.dtype), shape: { dim: value.dims.map(dimension) } },
    },
  };
}

/** Serialises a fixture graph as an ONNX ModelProto. */
export function encodeOnnxModel(name: string, graph: FixtureGraph): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: '@ovms/testing',
    graph: {
      name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: graph.constants.map((constant) => ({
        name: constant.name,
        dims: [...constant.dims],
        dataType: elemType(constant.dtype),
        rawData: encodeValues(constant.dtype, constant.values),
      })),
      node: graph.nodes.map((node) => ({
        name: `${node.output}_node`,
        opType: ONNX_OP[node.op],
        input: [...node.inputs],
        output: [node.output],
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
