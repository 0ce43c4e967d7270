import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/**
 * The Chromium scripts/ensure-chromium.sh installs (Debian's package): `$CHROMIUM_PATH`, else
 * `chromium` or `chromium-browser` on PATH. Throws with the script to run when there is none.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser'];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', candidate], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  throw new Error('Chromium not found (CHROMIUM_PATH, PATH): run bash scripts/ensure-chromium.sh');
}

/**
 * Headless Chromium through playwright-core. `--no-sandbox`: CI containers run as root, where
 * Chromium's sandbox cannot start; the pages it opens are this repository's own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox'],
  });
}

/** A page that records what went wrong in it: console errors, uncaught exceptions, failed loads. */
export interface WatchedPage {
  readonly page: Page;
  /** Every problem so far, but those `ignore` matches. */
  problems(ignore?: RegExp): string[];
}

export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  return {
    page,
    problems: (ignore) =>
      problems.filter((problem) => ignore === undefined || !ignore.test(problem)),
  };
}
