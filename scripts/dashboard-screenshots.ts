// Takes the screenshots of docs/dashboard.md: starts ovms (from source) on the demo repository
// that `npm start` serves, sends it a little traffic (and a few bad requests) for the charts,
// runs the OCR pipeline from the try-it form, and saves PNGs of the page into docs/images.
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

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(
  process.execPath,
  [
    ...['--conditions=@ovms/source', '--import', 'tsx', 'apps/ovms/src/main.ts'],
    ...['--config_path', '.cache/demo/config.json', '--port', '0'],
    ...['--rest_port', String(port), '--rest_bind_address', '127.0.0.1'],
  ],
  { cwd: root, stdio: 'ignore' },
);
const stopServer = () => server.kill('SIGTERM');

try {
  for (let tries = 0; ; tries += 1) {
    const ready = await fetch(`${base}/v2/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (tries > 600 || server.exitCode !== null) throw new Error('ovms did not become ready');
    await sleep(200);
  }

  const infer = (model: string, body: unknown) =>
    fetch(`${base}/v2/models/${model}/infer`, { method: 'POST', body: JSON.stringify(body) });
  const tensor = (name: string, shape: number[], data: number[]) => ({
    name,
    shape,
    datatype: 'FP32',
    data,
  });
  const ocrBody = JSON.stringify({
    inputs: { image: [{ b64: (await textPng()).toString('base64') }] },
  });
  let running = true;
  // Uneven, changing load, so the charts have something to show.
  const traffic = (async () => {
    for (let tick = 0; running; tick += 1) {
      const burst = 3 + Math.round(3 * Math.sin(tick / 6) + 3);
      const calls = [];
      for (let i = 0; i < burst; i += 1) {
        calls.push(
          infer('add', {
            inputs: [tensor('a', [1, 4], [1, 2, 3, 4]), tensor('b', [1, 4], [1, 1, 1, 1])],
          }),
        );
      }
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
  })();

  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 1000 },
      deviceScaleFactor: 1,
    });
    await page.goto(`${base}/dashboard`);
    await page.locator('tr[data-servable="add"]').waitFor();
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
    console.log(
      `dashboard-screenshots: wrote dashboard.png, dashboard-pipelines.png, dashboard-try-it.png in ${out}`,
    );
  } finally {
    await browser.close();
  }
} finally {
  stopServer();
}
