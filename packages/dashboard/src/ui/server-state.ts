import type { PipelineGraph } from '../pipeline-graph.js';
import { request, requestJson } from './api-client.js';
import { countersFromStatistics, parseServingMetrics } from './prometheus.js';
import type { ModelCounters, TritonStatistics } from './prometheus.js';

/** What `GET /dashboard/api/server` answers. */
export interface ServerInfo {
  readonly modelControlMode: 'none' | 'explicit';
  /** Whether `/metrics` serves (request times as histograms, so percentiles). */
  readonly metricsEnabled: boolean;
  /** Whether `GET /v2/models/stats` serves (Triton statistics: counts and sums). */
  readonly statisticsEnabled: boolean;
  readonly pipelines: readonly PipelineGraph[];
}

/** One version as `GET /v1/config` reports it. */
export interface VersionState {
  readonly version: string;
  readonly state: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** An entry of Triton's `POST /v2/repository/index`. */
export interface IndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly state?: string;
  readonly reason?: string;
}

export interface ServableRow {
  readonly name: string;
  readonly kind: 'model' | 'pipeline';
  readonly versions: readonly VersionState[];
  /** The repository index's view, in explicit control mode. */
  readonly index?: IndexEntry;
}

/** One poll of the server. */
export interface ServerSnapshot {
  readonly info: ServerInfo;
  readonly rows: readonly ServableRow[];
  /** Cumulative per-model counts; absent when neither metrics nor statistics serve. */
  readonly counters?: ReadonlyMap<string, ModelCounters>;
}

type ConfigStatus = Record<
  string,
  {
    model_version_status?: readonly {
      version: string;
      state: string;
      status?: { error_code?: string | number; error_message?: string };
    }[];
  }
>;

async function readCounters(info: ServerInfo): Promise<Map<string, ModelCounters> | undefined> {
  if (info.metricsEnabled) {
    return parseServingMetrics(await (await request('/metrics')).text());
  }
  if (info.statisticsEnabled) {
    return countersFromStatistics(await requestJson<TritonStatistics>('/v2/models/stats'));
  }
  return undefined;
}

async function readIndex(info: ServerInfo): Promise<readonly IndexEntry[]> {
  if (info.modelControlMode !== 'explicit') return [];
  return requestJson<IndexEntry[]>('/v2/repository/index', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
}

/**
 * Polls the server's own endpoints once: `/v1/config` (every servable's versions, states and
 * errors), `/dashboard/api/server` (pipelines, control mode), the counters (`/metrics`, else
 * Triton statistics) and, in explicit mode, the repository index.
 */
export async function readServer(): Promise<ServerSnapshot> {
  const [config, info] = await Promise.all([
    requestJson<ConfigStatus>('/v1/config'),
    requestJson<ServerInfo>('/dashboard/api/server'),
  ]);
  const [counters, index] = await Promise.all([readCounters(info), readIndex(info)]);
  const pipelines = new Set(info.pipelines.map((pipeline) => pipeline.name));
  const byName = new Map<string, ServableRow>();
  for (const [name, status] of Object.entries(config)) {
    byName.set(name, {
      name,
      kind: pipelines.has(name) ? 'pipeline' : 'model',
      versions: (status.model_version_status ?? []).map((entry) => ({
        version: entry.version,
        state: entry.state,
        errorCode: String(entry.status?.error_code ?? 'OK'),
        errorMessage: entry.status?.error_message ?? '',
      })),
    });
  }
  for (const entry of index) {
    const row = byName.get(entry.name);
    byName.set(entry.name, {
      ...(row ?? { name: entry.name, kind: 'model', versions: [] }),
      index: entry,
    });
  }
  const rows = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { info, rows, ...(counters !== undefined && { counters }) };
}
