// A TensorFlow frozen graph (GraphDef protobuf) written by hand, as packages/testing writes its
// ONNX and IR fixtures: y = 2x + 1 on FP32 of any rank, so a framework model can take shapes
// the committed fixtures (FP32 [-1, 4]) do not have.

/** Protobuf wire encoding: varints (int64 -1 as ten bytes) and length-delimited fields. */
function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

const field = (number: number, wire: 0 | 2) => varint((number << 3) | wire);
const int = (number: number, value: number | bigint) => [...field(number, 0), ...varint(value)];
const bytes = (number: number, content: readonly number[]) => [
  ...field(number, 2),
  ...varint(content.length),
  ...content,
];
const text = (number: number, value: string) => bytes(number, [...Buffer.from(value)]);

const DT_FLOAT = 1;

/** AttrValue: type (6), shape (7) as TensorShapeProto of dims (2) with sizes (1), tensor (8). */
const typeAttr = (name: string) => bytes(5, [...text(1, name), ...bytes(2, int(6, DT_FLOAT))]);

function shapeAttr(dims: readonly number[]): number[] {
  const shape = dims.flatMap((dim) => bytes(2, int(1, dim)));
  return bytes(5, [...text(1, 'shape'), ...bytes(2, bytes(7, shape))]);
}

/** A scalar FP32 constant: TensorProto dtype (1), empty shape (2), tensor_content (4). */
function scalarAttr(value: number): number[] {
  const content = [...Buffer.from(new Float32Array([value]).buffer)];
  const tensor = [...int(1, DT_FLOAT), ...bytes(2, []), ...bytes(4, content)];
  return bytes(5, [...text(1, 'value'), ...bytes(2, bytes(8, tensor))]);
}

/** NodeDef: name (1), op (2), inputs (3), attrs (5); a GraphDef's nodes are its field 1. */
function node(name: string, op: string, inputs: readonly string[], attrs: number[]): number[] {
  const content = [
    ...text(1, name),
    ...text(2, op),
    ...inputs.flatMap((i) => text(3, i)),
    ...attrs,
  ];
  return bytes(1, content);
}

/** GraphDef bytes of y = 2x + 1: input `x` of `dims` (-1 dynamic), output `y`. */
export function encodeAffineFrozenGraph(dims: readonly number[]): Uint8Array {
  return Uint8Array.from([
    ...node('x', 'Placeholder', [], [...typeAttr('dtype'), ...shapeAttr(dims)]),
    ...node('scale', 'Const', [], [...typeAttr('dtype'), ...scalarAttr(2)]),
    ...node('bias', 'Const', [], [...typeAttr('dtype'), ...scalarAttr(1)]),
    ...node('scaled', 'Mul', ['x', 'scale'], typeAttr('T')),
    ...node('sum', 'AddV2', ['scaled', 'bias'], typeAttr('T')),
    // An Identity at the end names the output, as TensorFlow's own freezing leaves it.
    ...node('y', 'Identity', ['sum'], typeAttr('T')),
  ]);
}
