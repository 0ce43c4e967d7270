import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { UnauthorizedError } from './api-client.js';
import { ApiKeyPrompt } from './api-key-prompt.js';
import { PipelineView } from './pipeline-view.js';
import { readServer } from './server-state.js';
import type { ServerSnapshot } from './server-state.js';
import { ServableTable } from './servable-table.js';
import { TrafficCharts } from './traffic-charts.js';
import { TrafficHistory } from './traffic-history.js';
import { TryIt } from './try-it.js';

/** How often the page polls the server, and how many polls the charts keep (two minutes). */
const POLL_MS = 1000;
const HISTORY_POINTS = 120;

type KeyState = 'unknown' | 'needed' | 'refused';

/**
 * The whole page: polls the server every second and redraws the table, charts and graphs from
 * one snapshot. A 401 stops the polling until the key prompt gives a key.
 */
export function App() {
  const history = useMemo(() => new TrafficHistory(HISTORY_POINTS), []);
  const [snapshot, setSnapshot] = useState<ServerSnapshot>();
  const [tick, setTick] = useState(0);
  const [failure, setFailure] = useState<string>();
  const [keyState, setKeyState] = useState<KeyState>('unknown');
  const keyTried = useRef(false);

  const poll = useCallback(async (): Promise<boolean> => {
    try {
      const next = await readServer();
      if (next.counters !== undefined) history.add(Date.now() / 1000, next.counters);
      setSnapshot(next);
      setTick((n) => n + 1);
      setFailure(undefined);
      setKeyState('unknown');
      return true;
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        setKeyState(keyTried.current ? 'refused' : 'needed');
        return false;
      }
      setFailure((error as Error).message);
      return true;
    }
  }, [history]);

  useEffect(() => {
    if (keyState !== 'unknown') return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async (): Promise<void> => {
      const keepGoing = await poll();
      if (!stopped && keepGoing) timer = setTimeout(() => void loop(), POLL_MS);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [keyState, poll]);

  const onKey = (): void => {
    keyTried.current = true;
    setKeyState('unknown');
  };

  return (
    <main>
      <header>
        <h1>ovms-ts</h1>
        <span class="subtitle">dashboard</span>
        {snapshot !== undefined && (
          <span class="mode" data-testid="control-mode">
            model control: {snapshot.info.modelControlMode}
          </span>
        )}
      </header>
      {keyState !== 'unknown' && <ApiKeyPrompt refused={keyState === 'refused'} onKey={onKey} />}
      {failure !== undefined && (
        <p class="error" role="alert">
          The server did not answer: {failure}
        </p>
      )}
      {snapshot === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <ServableTable
            snapshot={snapshot}
            history={history}
            tick={tick}
            onChanged={() => void poll()}
          />
          <TrafficCharts history={history} tick={tick} />
          <PipelineView pipelines={snapshot.info.pipelines} rows={snapshot.rows} />
          <TryIt rows={snapshot.rows} />
        </>
      )}
    </main>
  );
}
