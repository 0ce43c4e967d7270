export {
  DASHBOARD_CSP,
  DASHBOARD_PATH,
  DASHBOARD_SERVER_PATH,
  createDashboard,
} from './dashboard.js';
export type { Dashboard, DashboardOptions } from './dashboard.js';
export { toPipelineGraph } from './pipeline-graph.js';
export type { DashboardPipeline, GraphEdge, GraphNode, PipelineGraph } from './pipeline-graph.js';
