import type { PipelineGraph } from '../pipeline-graph.js';
import { NODE_HEIGHT, NODE_WIDTH, layoutGraph } from './graph-layout.js';
import type { ServableRow } from './server-state.js';

export interface PipelineViewProps {
  readonly pipelines: readonly PipelineGraph[];
  readonly rows: readonly ServableRow[];
}

/** The state of the model a node runs, for its colour: a node whose model is down shows it. */
function modelState(rows: readonly ServableRow[], model: string | undefined): string | undefined {
  if (model === undefined) return undefined;
  const row = rows.find((candidate) => candidate.name === model);
  return row?.versions.at(-1)?.state ?? row?.index?.state;
}

function Graph({ graph, rows }: { graph: PipelineGraph; rows: readonly ServableRow[] }) {
  const layout = layoutGraph(graph);
  const state = rows.find((row) => row.name === graph.name)?.versions[0]?.state ?? 'UNKNOWN';
  const markerId = `arrow-${graph.name}`;
  return (
    <figure class="pipeline" data-pipeline={graph.name}>
      <figcaption>
        {graph.name} <span class={`state state-${state}`}>{state}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        role="img"
        aria-label={`pipeline ${graph.name}`}
      >
        <defs>
          <marker
            id={markerId}
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <g key={`${edge.from}>${edge.to}`} class="edge">
            <path d={edge.path} marker-end={`url(#${markerId})`} />
            <title>{`${edge.from} → ${edge.to}: ${edge.label}`}</title>
          </g>
        ))}
        {layout.nodes.map((node) => {
          const nodeState = node.kind === 'model' ? modelState(rows, node.target) : undefined;
          return (
            <g
              key={node.name}
              class={`node node-${node.kind} ${nodeState === undefined ? '' : `state-${nodeState}`}`}
              data-node={node.name}
              transform={`translate(${node.x},${node.y})`}
            >
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" />
              <text
                x={NODE_WIDTH / 2}
                y={node.target === undefined ? NODE_HEIGHT / 2 + 5 : 19}
                text-anchor="middle"
                class="node-name"
              >
                {node.name}
              </text>
              {node.target !== undefined && (
                <text x={NODE_WIDTH / 2} y={36} text-anchor="middle" class="node-target">
                  {node.kind === 'model' ? `model ${node.target}` : node.target}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Every pipeline of the config as its graph of nodes, from `request` to `response`. */
export function PipelineView({ pipelines, rows }: PipelineViewProps) {
  if (pipelines.length === 0) return null;
  return (
    <section>
      <h2>Pipelines</h2>
      {pipelines.map((graph) => (
        <Graph key={graph.name} graph={graph} rows={rows} />
      ))}
    </section>
  );
}
