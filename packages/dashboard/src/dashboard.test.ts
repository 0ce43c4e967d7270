import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, createDashboard } from './dashboard.js';
import type { Dashboard, DashboardOptions } from './dashboard.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-'));
  await mkdir(join(dir, 'built', 'assets'), { recursive: true });
  await writeFile(join(dir, 'built', 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'built', 'assets', 'app-ABC.js'), 'console.log(1)');
  await writeFile(join(dir, 'built', 'assets', 'app-ABC.css'), 'body{}');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

function dashboard(overrides: Partial<DashboardOptions> = {}): Dashboard {
  return createDashboard({
    pipelines: () => [],
    metricsEnabled: true,
    statisticsEnabled: false,
    assetsDir: join(dir, 'built'),
    ...overrides,
  });
}

const get = (board: Dashboard, path: string, init?: RequestInit) =>
  board.fetch(new Request(`http://host${path}`, init));

describe('createDashboard', () => {
  it('serves the page at /dashboard and /dashboard/, revalidated, with a CSP of its own origin', async () => {
    const board = dashboard();
    for (const path of ['/dashboard', '/dashboard/']) {
      const response = await get(board, path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<!doctype html><title>t</title>');
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(DASHBOARD_CSP).not.toMatch(/https?:|\*|unsafe/);
  });

  it('answers 304 to a request that has the current ETag', async () => {
    const board = dashboard();
    const etag = (await get(board, '/dashboard')).headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await get(board, '/dashboard', { headers: { 'if-none-match': etag } });
    expect([again.status, await again.text()]).toEqual([304, '']);
  });

  it('serves the hashed assets for a year, with their content types', async () => {
    const board = dashboard();
    const script = await get(board, '/dashboard/assets/app-ABC.js');
    expect([script.status, await script.text()]).toEqual([200, 'console.log(1)']);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const style = await get(board, '/dashboard/assets/app-ABC.css', { method: 'HEAD' });
    expect([style.status, style.headers.get('content-type'), await style.text()]).toEqual([
      200,
      'text/css; charset=utf-8',
      '',
    ]);
  });

  it('answers the pipeline graphs and the control mode at /dashboard/api/server', async () => {
    const board = dashboard({
      modelControlMode: 'explicit',
      statisticsEnabled: true,
      pipelines: () => [
        {
          name: 'p',
          inputs: ['x'],
          nodes: [
            {
              name: 'n',
              kind: 'model',
              modelName: 'm',
              inputs: [{ alias: 'a', nodeName: 'request', dataItem: 'x' }],
            },
          ],
          outputs: [{ name: 'y', nodeName: 'n', dataItem: 'b' }],
        },
      ],
    });
    const response = await get(board, '/dashboard/api/server');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      modelControlMode: 'explicit',
      metricsEnabled: true,
      statisticsEnabled: true,
      pipelines: [
        {
          name: 'p',
          nodes: [
            { name: 'request', kind: 'request' },
            { name: 'n', kind: 'model', target: 'm' },
            { name: 'response', kind: 'response' },
          ],
          edges: [
            { from: 'request', to: 'n', item: 'x', alias: 'a' },
            { from: 'n', to: 'response', item: 'b', alias: 'y' },
          ],
        },
      ],
    });
  });

  it('calls the page and its assets public, its data not', () => {
    const board = dashboard();
    expect(
      ['/dashboard', '/dashboard/', '/dashboard/assets/app-ABC.js'].map((path) =>
        board.isPublic(path),
      ),
    ).toEqual([true, true, true]);
    expect(
      ['/dashboard/api/server', '/dashboard/other', '/dashboardx'].map((path) =>
        board.isPublic(path),
      ),
    ).toEqual([false, false, false]);
  });

  it('answers 404 for unknown files and paths, 405 for methods other than GET and HEAD', async () => {
    const board = dashboard();
    const missing = await get(board, '/dashboard/assets/nope.js');
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'no dashboard file /dashboard/assets/nope.js' },
    ]);
    const unknown = await get(board, '/dashboard/other');
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      { error: 'no dashboard path /dashboard/other' },
    ]);
    const posted = await get(board, '/dashboard', { method: 'POST' });
    expect([posted.status, posted.headers.get('allow'), await posted.json()]).toEqual([
      405,
      'GET, HEAD',
      { error: 'POST /dashboard: the dashboard answers GET only' },
    ]);
  });

  it('answers 503 with the reason when the page was not built, and serves it once it is', async () => {
    const later = join(dir, 'later');
    const board = dashboard({ assetsDir: later });
    const response = await get(board, '/dashboard');
    expect([response.status, await response.json()]).toEqual([
      503,
      {
        error: `dashboard page not built: ${later} has no index.html and assets/ (run pnpm build)`,
      },
    ]);
    // The data needs no built page.
    expect((await get(board, '/dashboard/api/server')).status).toBe(200);
    await mkdir(join(later, 'assets'), { recursive: true });
    await writeFile(join(later, 'index.html'), 'built now');
    const built = await get(board, '/dashboard');
    expect([built.status, await built.text()]).toEqual([200, 'built now']);
  });
});
