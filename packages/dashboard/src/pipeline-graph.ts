/**
 * A pipeline as the server's config holds it (`@ovms/config`'s PipelineConfig fits): only the
 * fields the drawing needs are read.
 */
export interface DashboardPipeline {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly nodes: readonly {
    readonly name: string;
    readonly kind: 'model' | 'custom';
    readonly modelName?: string;
    readonly libraryName?: string;
    readonly inputs: readonly {
      readonly alias: string;
      readonly nodeName: string;
      readonly dataItem: string;
    }[];
  }[];
  readonly outputs: readonly {
    readonly name: string;
    readonly nodeName: string;
    readonly dataItem: string;
  }[];
}

/** One node of a drawn pipeline; `request` and `response` are the graph's two ends. */
export interface GraphNode {
  readonly name: string;
  readonly kind: 'request' | 'response' | 'model' | 'custom';
  /** The model or custom node library a node runs. */
  readonly target?: string;
}

/** Data flowing from `from` to `to`: `item` is the producer's output, `alias` the consumer's name. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly item: string;
  readonly alias: string;
}

/** What `GET /dashboard/api/server` sends for each pipeline. */
export interface PipelineGraph {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** The names OVMS gives a pipeline's entry and exit. */
const REQUEST = 'request';
const RESPONSE = 'response';

/**
 * The nodes and data edges of a pipeline, with OVMS's implicit `request` and `response` nodes.
 * Node parameters are left out on purpose: they may name files or hold settings the page has
 * no use for.
 */
export function toPipelineGraph(pipeline: DashboardPipeline): PipelineGraph {
  const nodes: GraphNode[] = [
    { name: REQUEST, kind: 'request' },
    ...pipeline.nodes.map((node): GraphNode => {
      const target = node.kind === 'model' ? node.modelName : node.libraryName;
      return { name: node.name, kind: node.kind, ...(target !== undefined && { target }) };
    }),
    { name: RESPONSE, kind: 'response' },
  ];
  const edges: GraphEdge[] = [
    ...pipeline.nodes.flatMap((node) =>
      node.inputs.map((input) => ({
        from: input.nodeName,
        to: node.name,
        item: input.dataItem,
        alias: input.alias,
      })),
    ),
    ...pipeline.outputs.map((output) => ({
      from: output.nodeName,
      to: RESPONSE,
      item: output.dataItem,
      alias: output.name,
    })),
  ];
  return { name: pipeline.name, nodes, edges };
}
