import onnxProto from 'onnx-proto';
import type * as OnnxTypes from 'onnx-proto';

// onnx-proto is CommonJS: Node exposes only its default export to ESM.
const { onnx } = onnxProto;

type ModelProto = OnnxTypes.onnx.ModelProto;
type Dimension = OnnxTypes.onnx.TensorShapeProto.IDimension;

/** A dim as ONNX writes it: a size, a symbol (`dim_param`), or '' for one nobody named. */
export type OnnxDim = number | string;

/** A graph input as the ModelProto declares it (initializers excluded). */
export interface GraphInput {
  readonly name: string;
  /** Empty when the input is not a tensor or declares no shape. */
  readonly dims: readonly OnnxDim[];
}

/** What to change on one graph input. */
export interface InputRewrite {
  readonly name: string;
  /** New dims, in the order clients send them; undefined keeps the declared ones. */
  readonly dims?: readonly OnnxDim[];
  /**
   * Clients send another layout: the graph input becomes `feedName`, and a Transpose with this
   * perm feeds `name` to the nodes that read it, so the rest of the graph is untouched.
   */
  readonly transpose?: { readonly perm: readonly number[]; readonly feedName: string };
}

/**
 * Decodes a ModelProto. Byte fields (`raw_data` of the initializers) stay views of `bytes`, so
 * decoding copies no weights.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Decoded messages keep unset fields on the prototype (as defaults): only own ones are set. */
function dimOf(dim: Dimension): OnnxDim {
  if (Object.hasOwn(dim, 'dimValue') && dim.dimValue !== null && dim.dimValue !== undefined) {
    // int64 decodes as a Long; dims are far below 2^53.
    return Number(String(dim.dimValue));
  }
  return Object.hasOwn(dim, 'dimParam') ? (dim.dimParam ?? '') : '';
}

/** Decoded repeated fields are arrays; the generated types also allow null. */
const list = <T>(values: T[] | null | undefined): T[] => values ?? [];
const nameOf = (value: { name?: string | null }): string => value.name ?? '';

function toDimension(dim: OnnxDim): Dimension {
  if (typeof dim === 'number') return { dimValue: dim };
  return dim === '' ? {} : { dimParam: dim };
}

/** The inputs a session asks for: graph inputs that are not initializers (older IRs list both). */
export function graphInputs(model: ModelProto): GraphInput[] {
  const graph = model.graph;
  if (graph === null || graph === undefined) return [];
  const initializers = new Set(list(graph.initializer).map(nameOf));
  return list(graph.input)
    .filter((input) => !initializers.has(nameOf(input)))
    .map((input) => ({
      name: nameOf(input),
      dims: list(input.type?.tensorType?.shape?.dim).map(dimOf),
    }));
}

export function graphOutputNames(model: ModelProto): string[] {
  return list(model.graph?.output).map(nameOf);
}

/** Every value name the graph uses, so a new one can avoid them. */
export function valueNames(model: ModelProto): Set<string> {
  const graph = model.graph;
  const names = new Set<string>();
  if (graph === null || graph === undefined) return names;
  const values = [graph.input, graph.output, graph.valueInfo, graph.initializer].flatMap(list);
  for (const value of values) names.add(nameOf(value));
  for (const node of list(graph.node)) {
    for (const name of [...list(node.input), ...list(node.output)]) names.add(name);
  }
  return names;
}

/**
 * Applies `rewrites` to `model` in place and encodes it: the one copy of the weights this
 * makes is the returned buffer. When `clearShapes` is set (input dims changed), the declared
 * shapes of intermediate values and the dims of the outputs are dropped (outputs keep their
 * rank), so ORT's shape inference computes them for the new input shapes instead of merging
 * with stale ones.
 */
export function rewriteModel(
  model: ModelProto,
  rewrites: readonly InputRewrite[],
  clearShapes: boolean,
): Uint8Array {
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new Error('the model has no graph');
  const transposes: OnnxTypes.onnx.INodeProto[] = [];
  for (const rewrite of rewrites) {
    const input = list(graph.input).find((candidate) => candidate.name === rewrite.name);
    const tensorType = input?.type?.tensorType;
    if (input === undefined || tensorType === null || tensorType === undefined) {
      throw new Error(`graph input ${rewrite.name} is not a tensor`);
    }
    if (rewrite.dims !== undefined) {
      tensorType.shape = onnx.TensorShapeProto.create({ dim: rewrite.dims.map(toDimension) });
    }
    if (rewrite.transpose !== undefined) {
      input.name = rewrite.transpose.feedName;
      transposes.push({
        name: `${rewrite.transpose.feedName}/transpose`,
        opType: 'Transpose',
        input: [rewrite.transpose.feedName],
        output: [rewrite.name],
        attribute: [
          {
            name: 'perm',
            type: onnx.AttributeProto.AttributeType.INTS,
            ints: [...rewrite.transpose.perm],
          },
        ],
      });
    }
  }
  // Nodes must be topologically sorted: the transposes come first.
  if (transposes.length > 0) {
    graph.node = [...transposes, ...list(graph.node)];
  }
  if (clearShapes) {
    for (const value of list(graph.valueInfo)) {
      if (value.type?.tensorType) value.type.tensorType.shape = null;
    }
    for (const output of list(graph.output)) {
      const shape = output.type?.tensorType?.shape;
      if (shape) shape.dim = list(shape.dim).map(() => ({}));
    }
  }
  return onnx.ModelProto.encode(model).finish();
}
