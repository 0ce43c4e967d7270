// Takes the screenshots of docs/dashboard.md: starts ovms (from source) on the demo repository
// that `npm start` serves, sends it a little traffic (and a few bad requests) for the charts,
// runs the OCR pipeline from the try-it form, then serves the demo's folders in explicit control
// mode and loads two models with the page's buttons; saves PNGs of the page into docs/images.
// Needs Chromium (bash scripts/ensure-chromium.sh).
// Run: node --conditions=@ovms/source --import tsx scripts/dashboard-screenshots.ts
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'images');
/** How long traffic runs before the shots: the charts show this many seconds. */
const TRAFFIC_SECONDS = 40;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function chromiumPath(): string {
  for (const candidate of [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser']) {
    if (candidate === undefined || candidate === '') continue;
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', candidate], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  throw new Error('Chromium not found: run bash scripts/ensure-chromium.sh');
}

/** Black text on white, as the README's OCR example renders it. */
async function textPng(): Promise<Buffer> {
  const line = (text: string, size: number) =>
    sharp({ text: { text, font: `DejaVu Sans ${size}`, dpi: 72 } })
      .negate({ alpha: false })
      .png()
      .toBuffer();
  return sharp({ create: { width: 640, height: 140, channels: 3, background: '#ffffff' } })
    .composite([
      { input: await line('Hello World', 48), left: 30, top: 20, blend: 'multiply' },
      {
        input: await line('The quick brown fox jumps over the lazy dog', 24),
        left: 30,
        top: 95,
        blend: 'multiply',
      },
    ])
    .png()
    .toBuffer();
}

const demo = spawnSync(
  process.execPath,
  ['--conditions=@ovms/source', '--import', 'tsx', 'scripts/demo-repository.ts'],
  { cwd: root, stdio: 'inherit' },
);
if (demo.status !== 0) process.exit(demo.status ?? 1);

interface Ovms {
  readonly base: string;
  readonly stop: () => void;
}

/** ovms from source on a free REST port of 127.0.0.1 (gRPC off), once it reports ready. */
async function startOvms(args: readonly string[]): Promise<Ovms> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    process.execPath,
    [
      ...['--conditions=@ovms/source', '--import', 'tsx', 'apps/ovms/src/main.ts'],
      ...['--port', '0', '--rest_port', String(port), '--rest_bind_address', '127.0.0.1'],
      ...args,
    ],
    { cwd: root, stdio: 'ignore' },
  );
  const stop = () => void server.kill('SIGTERM');
  for (let tries = 0; ; tries += 1) {
    const ready = await fetch(`${base}/v2/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { base, stop };
    if (tries > 600 || server.exitCode !== null) {
      stop();
      throw new Error(`ovms ${args.join(' ')} did not become ready`);
    }
    await sleep(200);
  }
}

const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
const newPage = () =>
  browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });

const tensor = (name: string, shape: number[], data: number[]) => ({
  name,
  shape,
  datatype: 'FP32',
  data,
});

/** Uneven, changing load until `running()` turns false, so the charts have something to show. */
async function sendTraffic(base: string, running: () => boolean): Promise<void> {
  const infer = (model: string, body: unknown) =>
    fetch(`${base}/v2/models/${model}/infer`, { method: 'POST', body: JSON.stringify(body) });
  const ocrBody = JSON.stringify({
    inputs: { image: [{ b64: (await textPng()).toString('base64') }] },
  });
  const add = { inputs: [tensor('a', [1, 4], [1, 2, 3, 4]), tensor('b', [1, 4], [1, 1, 1, 1])] };
  for (let tick = 0; running(); tick += 1) {
    const burst = 3 + Math.round(3 * Math.sin(tick / 6) + 3);
    const calls: Promise<Response>[] = [];
    for (let i = 0; i < burst; i += 1) calls.push(infer('add', add));
    if (tick % 2 === 0) {
      const pair = [tensor('a', [1, 3], [1, 2, 3]), tensor('b', [1, 3], [3, 2, 1])];
      calls.push(infer('two_in_two_out', { inputs: pair }));
    }
    if (tick % 7 === 0) calls.push(infer('add', { inputs: [tensor('nope', [1], [0])] }));
    if (tick % 40 === 0) {
      calls.push(fetch(`${base}/v1/models/ocr:predict`, { method: 'POST', body: ocrBody }));
    }
    await Promise.all(calls);
    await sleep(100);
  }
}

/** The demo of `npm start` under traffic: the main shot, the pipelines, the OCR try-it. */
async function demoShots(): Promise<void> {
  const { base, stop } = await startOvms(['--config_path', '.cache/demo/config.json']);
  const page = await newPage();
  try {
    await page.goto(`${base}/dashboard`);
    await page.locator('tr[data-servable="add"]').waitFor();
    let running = true;
    const traffic = sendTraffic(base, () => running);
    await sleep(TRAFFIC_SECONDS * 1000);
    // Taken under traffic: the rates in the table are live.
    await page.screenshot({ path: join(out, 'dashboard.png'), fullPage: false });
    running = false;
    await traffic;
    await page.locator('section', { has: page.locator('figure.pipeline') }).screenshot({
      path: join(out, 'dashboard-pipelines.png'),
    });

    await page.selectOption('[data-testid=try-it] select[name=model]', 'ocr');
    await page.setInputFiles('[data-testid=try-it] input[type=file]', {
      name: 'text.png',
      mimeType: 'image/png',
      buffer: await textPng(),
    });
    await page.click('[data-testid=try-it] button[type=submit]');
    await page.locator('[data-testid=try-result]').waitFor();
    await page.locator('section', { has: page.locator('[data-testid=try-it]') }).screenshot({
      path: join(out, 'dashboard-try-it.png'),
    });
  } finally {
    await page.close();
    stop();
  }
}

/** The demo's folders as a repository in explicit control mode, two models loaded by button. */
async function explicitShot(): Promise<void> {
  const { base, stop } = await startOvms([
    ...['--model_repository_path', '.cache/demo', '--model_control_mode', 'explicit'],
    ...['--file_system_poll_wait_seconds', '0'],
  ]);
  const page = await newPage();
  try {
    await page.goto(`${base}/dashboard`);
    for (const model of ['add', 'image_mean']) {
      await page.getByTestId(`load-${model}`).click();
      await page
        .locator(`tr[data-servable="${model}"] [data-testid=state]`)
        .filter({ hasText: /^v\d+ AVAILABLE$/ })
        .waitFor();
    }
    const add = { inputs: [tensor('a', [1, 4], [1, 2, 3, 4]), tensor('b', [1, 4], [1, 1, 1, 1])] };
    for (let i = 0; i < 20; i += 1) {
      await fetch(`${base}/v2/models/add/infer`, { method: 'POST', body: JSON.stringify(add) });
    }
    await page
      .locator('tr[data-servable="add"] [data-testid=requests]')
      .filter({ hasText: /^20$/ })
      .waitFor();
    await page.locator('section', { has: page.getByTestId('servables') }).screenshot({
      path: join(out, 'dashboard-explicit.png'),
    });
  } finally {
    await page.close();
    stop();
  }
}

try {
  await demoShots();
  await explicitShot();
  console.log(`dashboard-screenshots: wrote dashboard*.png in ${out}`);
} finally {
  await browser.close();
}
