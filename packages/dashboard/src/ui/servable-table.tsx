import { useState } from 'preact/hooks';
import { request } from './api-client.js';
import { formatNumber, lastValue } from './format.js';
import type { ServableRow, ServerSnapshot } from './server-state.js';
import type { TrafficHistory } from './traffic-history.js';

export interface ServableTableProps {
  readonly snapshot: ServerSnapshot;
  readonly history: TrafficHistory;
  /** Changes on every poll, so the numbers redraw. */
  readonly tick: number;
  /** After a load or unload: poll at once. */
  readonly onChanged: () => void;
}

/** The message of the last version that failed; the index's reasons are states, not errors. */
function lastError(row: ServableRow): string {
  const failed = row.versions.filter((version) => version.errorCode !== 'OK');
  return failed.at(-1)?.errorMessage ?? '';
}

function ControlButtons({ row, onChanged }: { row: ServableRow; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async (action: 'load' | 'unload'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const path = `/v2/repository/models/${encodeURIComponent(row.name)}/${action}`;
      const response = await request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      // Read to the end: an answer left unread is reported by the browser as an aborted load.
      await response.arrayBuffer();
    } catch (thrown) {
      setError((thrown as Error).message);
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  const ready = row.index?.state === 'READY';
  return (
    <td class="actions">
      <button
        type="button"
        data-testid={`load-${row.name}`}
        disabled={busy}
        onClick={() => void act('load')}
      >
        {ready ? 'Reload' : 'Load'}
      </button>
      <button
        type="button"
        data-testid={`unload-${row.name}`}
        disabled={busy || !ready}
        onClick={() => void act('unload')}
      >
        Unload
      </button>
      {error !== undefined && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </td>
  );
}

/**
 * Every model and pipeline: versions with their states, the last error, and its traffic in
 * numbers (total requests, rate, p50/p99 latency, errors per second over the last poll).
 */
export function ServableTable({ snapshot, history, onChanged }: ServableTableProps) {
  const explicit = snapshot.info.modelControlMode === 'explicit';
  return (
    <section>
      <h2>Models and pipelines</h2>
      <table class="servables" data-testid="servables">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Versions</th>
            <th>Last error</th>
            <th class="num">Requests</th>
            <th class="num">Req/s</th>
            <th class="num">p50 ms</th>
            <th class="num">p99 ms</th>
            <th class="num">Errors/s</th>
            {explicit && <th>Control</th>}
          </tr>
        </thead>
        <tbody>
          {snapshot.rows.map((row) => {
            const series = history.series(row.name);
            const totals = history.totals(row.name);
            return (
              <tr key={row.name} data-servable={row.name}>
                <td class="name">{row.name}</td>
                <td>{row.kind}</td>
                <td>
                  {row.versions.length === 0 && row.index !== undefined ? (
                    <span
                      class={`state state-${row.index.state ?? 'UNKNOWN'}`}
                      data-testid="state"
                      title={row.index.reason}
                    >
                      {row.index.state ?? 'UNKNOWN'}
                    </span>
                  ) : (
                    row.versions.map((version) => (
                      <span
                        key={version.version}
                        class={`state state-${version.state}`}
                        data-testid="state"
                      >
                        v{version.version} {version.state}
                      </span>
                    ))
                  )}
                </td>
                <td class="last-error">{lastError(row)}</td>
                <td class="num" data-testid="requests">
                  {totals === undefined ? '–' : String(totals.success + totals.fail)}
                </td>
                <td class="num" data-testid="rate">
                  {formatNumber(lastValue(series?.rate))}
                </td>
                <td class="num">{formatNumber(lastValue(series?.p50), 2)}</td>
                <td class="num">{formatNumber(lastValue(series?.p99), 2)}</td>
                <td class="num">{formatNumber(lastValue(series?.errors))}</td>
                {explicit && row.kind === 'model' && (
                  <ControlButtons row={row} onChanged={onChanged} />
                )}
                {explicit && row.kind !== 'model' && <td />}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
