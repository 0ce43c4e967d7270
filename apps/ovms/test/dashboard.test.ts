import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kserveAddBody } from './support/add-request.js';
import { launchChromium, openWatchedPage } from './support/browser.js';
import type { WatchedPage } from './support/browser.js';
import { PROJECT_ROOT } from './support/paths.js';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { renderTextPng } from './support/render.js';
import { startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';

// The dashboard in headless Chromium, through the real `ovms` serving the demo repository that
// `npm start` serves (scripts/demo-repository.ts): what a person opening /dashboard sees.

const DEMO_CONFIG = join(PROJECT_ROOT, '.cache', 'demo', 'config.json');
const DEMO_MODELS = [
  'add',
  'add_ir',
  'two_in_two_out',
  'dynamic_dims',
  'affine_tflite',
  'image_mean',
];
const DEMO_PIPELINES = ['ocr', 'ocr_raw'];

function writeDemoRepository(): void {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@ovms/source', '--import', 'tsx', 'scripts/demo-repository.ts'],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`demo-repository failed:\n${result.stderr}`);
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the dashboard of the demo repository', () => {
  let server: GrpcServerProcess;
  let watched: WatchedPage;

  beforeAll(async () => {
    writeDemoRepository();
    server = await startReadyServer(['--config_path', DEMO_CONFIG]);
    watched = await openWatchedPage(browser);
    await watched.page.goto(`${server.restUrl}/dashboard`);
  });

  afterAll(async () => {
    await watched?.page.close();
    await server?.stop();
  });

  it('lists every demo model and pipeline with its version and state', async () => {
    const { page } = watched;
    for (const name of [...DEMO_MODELS, ...DEMO_PIPELINES]) {
      const row = page.locator(`tr[data-servable="${name}"]`);
      await row.waitFor();
      expect(await row.locator('[data-testid=state]').allInnerTexts()).toEqual(['v1 AVAILABLE']);
      const kind = DEMO_PIPELINES.includes(name) ? 'pipeline' : 'model';
      expect(await row.locator('td').nth(1).innerText()).toBe(kind);
    }
    // Config-file mode: no load or unload buttons.
    expect(await page.getByTestId('control-mode').innerText()).toBe('model control: none');
    expect(await page.locator('[data-testid^="load-"], [data-testid^="unload-"]').count()).toBe(0);
  });

  it('draws each pipeline as its graph of nodes, request to response', async () => {
    const svg = watched.page.locator('figure[data-pipeline="ocr"] svg');
    const nodes = await Promise.all(
      (await svg.locator('[data-node]').all()).map((node) => node.getAttribute('data-node')),
    );
    expect(nodes).toEqual(
      expect.arrayContaining(['request', 'preprocess', 'detect', 'recognize', 'response']),
    );
    expect(await svg.locator('g[data-node="detect"]').textContent()).toContain('model ocr_det');
    expect(await svg.locator('.edge').count()).toBeGreaterThanOrEqual(nodes.length - 1);
  });

  it('moves the charts and counts after traffic, without a reload', async () => {
    const { page } = watched;
    // Set on the page's global object: a reload would drop it.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const canvas = () => page.locator('[data-testid=chart-rate] canvas').screenshot();
    const before = await canvas();
    const url = `${server.restUrl}/v2/models/add/infer`;
    for (let i = 0; i < 30; i += 1) {
      const response = await fetch(url, { method: 'POST', body: kserveAddBody() });
      expect(response.status).toBe(200);
    }
    const refused = await fetch(url, { method: 'POST', body: '{"inputs": [{"name": "nope"}]}' });
    expect(refused.status).toBe(400);

    // Each chart carries the largest value it draws; 0 until traffic.
    for (const id of ['chart-rate', 'chart-latency', 'chart-errors']) {
      await page.locator(`[data-testid=${id}]:not([data-max="0"])`).waitFor();
    }
    await page
      .locator('tr[data-servable="add"] [data-testid=requests]')
      .filter({ hasText: /^31$/ })
      .waitFor();
    expect((await canvas()).equals(before)).toBe(false);
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
  });

  it('answers the OCR pipeline for a rendered PNG from the try-it form', async () => {
    const { page } = watched;
    const png = await renderTextPng([{ text: 'Hello World', size: 48, x: 30, y: 20 }], {
      width: 640,
      height: 100,
    });
    await page.selectOption('[data-testid=try-it] select[name=model]', 'ocr');
    await page.setInputFiles('[data-testid=try-it] input[type=file]', {
      name: 'text.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await page.click('[data-testid=try-it] button[type=submit]');
    const text = page.locator(
      '[data-testid=try-result] [data-output="texts"] [data-testid=output-text]',
    );
    await text.waitFor();
    // PP-OCRv4's recogniser sometimes drops the space between English words.
    expect(await text.innerText()).toMatch(/^Hello ?World$/);
  });

  it('answers a model for a JSON body from the try-it form', async () => {
    const { page } = watched;
    await page.selectOption('[data-testid=try-it] select[name=model]', 'add');
    const body = page.locator('[data-testid=try-it] textarea[name=body]');
    await body.waitFor();
    expect(JSON.parse(await body.inputValue())).toMatchObject({
      inputs: [
        { name: 'a', datatype: 'FP32' },
        { name: 'b', datatype: 'FP32' },
      ],
    });
    await body.fill(kserveAddBody());
    await page.click('[data-testid=try-it] button[type=submit]');
    const result = page.locator('[data-testid=try-result]');
    await result.waitFor();
    expect(await result.innerText()).toContain('[2,4,6,8]');
  });

  it('shows a refused request with the server’s message', async () => {
    const { page } = watched;
    await page
      .locator('[data-testid=try-it] textarea[name=body]')
      .fill('{"inputs": [{"name": "nope"}]}');
    await page.click('[data-testid=try-it] button[type=submit]');
    const error = page.locator('[data-testid=try-error]');
    await error.waitFor();
    const direct = await fetch(`${server.restUrl}/v2/models/add/infer`, {
      method: 'POST',
      body: '{"inputs": [{"name": "nope"}]}',
    });
    const { error: message } = (await direct.json()) as { error: string };
    expect(message).not.toBe('');
    expect(await error.innerText()).toBe(message);
  });

  it('logged no console error, exception or failed request', () => {
    // The refused try-it request above is a 400 the page shows; Chromium logs that load too.
    expect(watched.problems(/status of 400/)).toEqual([]);
  });
});

describe('the dashboard in explicit model control mode', () => {
  let root: string;
  let server: GrpcServerProcess;

  beforeAll(async () => {
    root = await writeControlRepository();
    // No --metrics_enable: the page counts from Triton's statistics instead.
    server = await startReadyServer(controlArgs(root, 'explicit'));
  });

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('loads a model with its button, charts its traffic, and unloads it', async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(`${server.restUrl}/dashboard`);
      const add = page.locator('tr[data-servable="add"]');
      await add.waitFor();
      expect(await page.getByTestId('control-mode').innerText()).toBe('model control: explicit');
      // Nothing loads at start in explicit mode: the repository index lists both models.
      expect(await add.getByTestId('state').allInnerTexts()).toEqual(['UNAVAILABLE']);
      expect(await page.locator('tr[data-servable="fixed"]').getByTestId('state').innerText()).toBe(
        'UNAVAILABLE',
      );
      expect(await page.getByTestId('unload-add').isDisabled()).toBe(true);

      await page.getByTestId('load-add').click();
      await add.getByTestId('state').filter({ hasText: 'v2 AVAILABLE' }).waitFor();
      const index = await fetch(`${server.restUrl}/v2/repository/index`, { method: 'POST' });
      expect(await index.json()).toContainEqual({
        name: 'add',
        version: '2',
        state: 'READY',
        reason: '',
      });

      const body = kserveAddBody();
      for (let i = 0; i < 5; i += 1) {
        const response = await fetch(`${server.restUrl}/v2/models/add/infer`, {
          method: 'POST',
          body,
        });
        expect(response.status).toBe(200);
      }
      await page.locator('[data-testid=chart-rate]:not([data-max="0"])').waitFor();
      await page.locator('[data-testid=chart-latency]:not([data-max="0"])').waitFor();
      await add.getByTestId('requests').filter({ hasText: /^5$/ }).waitFor();

      await page.getByTestId('unload-add').click();
      await add.getByTestId('state').filter({ hasText: 'v2 END' }).waitFor();
      const after = await fetch(`${server.restUrl}/v2/models/add/infer`, { method: 'POST', body });
      expect(after.status).toBe(404);
      await page
        .getByTestId('load-add')
        .filter({ hasText: /^Load$/ })
        .waitFor();
      expect(watched.problems()).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the dashboard behind --api_key_file', () => {
  const KEY = 'dashboard-test-key';
  let dir: string;
  let server: GrpcServerProcess;

  beforeAll(async () => {
    writeDemoRepository();
    dir = await mkdtemp(join(tmpdir(), 'dashboard-key-'));
    await writeFile(join(dir, 'key'), `${KEY}\n`);
    server = await startReadyServer([
      '--config_path',
      DEMO_CONFIG,
      '--api_key_file',
      join(dir, 'key'),
    ]);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page without the key and its data only with it', async () => {
    expect((await fetch(`${server.restUrl}/dashboard`)).status).toBe(200);
    expect((await fetch(`${server.restUrl}/dashboard/api/server`)).status).toBe(401);
    const keyed = await fetch(`${server.restUrl}/dashboard/api/server`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(keyed.status).toBe(200);
  });

  it('asks for the key once, says when it is refused, then shows the models', async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(`${server.restUrl}/dashboard`);
      const prompt = page.locator('[data-testid=api-key-prompt]');
      await prompt.waitFor();
      await prompt.locator('input').fill('wrong');
      await prompt.locator('button').click();
      await prompt.getByRole('alert').waitFor();
      expect(await prompt.getByRole('alert').innerText()).toBe('The server refused that key.');
      await prompt.locator('input').fill(KEY);
      await prompt.locator('button').click();
      await page.locator('tr[data-servable="add"]').waitFor();
      expect(await prompt.count()).toBe(0);
      const stored = await page.evaluate(() =>
        Object.values(
          (globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage,
        ),
      );
      expect(stored).toEqual([KEY]);
      // A reload keeps the key for the tab: no second prompt.
      await page.reload();
      await page.locator('tr[data-servable="add"]').waitFor();
      expect(await page.locator('[data-testid=api-key-prompt]').count()).toBe(0);
      expect(watched.problems(/status of 401/)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
