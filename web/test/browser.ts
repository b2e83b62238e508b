import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../scripts/stack.js';

/** Where every run leaves a screenshot of each page it saw (under .local/, which git ignores). */
export const SCREENSHOTS = join(ROOT, '.local', 'screenshots', 'storefront');

/**
 * Builds web/dist (Vite, about a second), so the stack's storefront serves today's code, as `npm start`
 * builds it: a production build (jest's NODE_ENV=test would make Vite build for development).
 */
export function buildStorefront(): void {
  execFileSync('npm', ['run', '--silent', 'build', '-w', 'web', '--', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/**
 * Debian's Chromium (scripts/chromium.sh installs it when missing), headless, with what it needs on a
 * machine without network or display: no sandbox (root in a container), no GPU, /tmp instead of a small
 * /dev/shm, and none of the background requests (updates, sync, field trials) a fresh profile makes.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts', 'chromium.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--disable-extensions',
      '--disable-features=Translate,MediaRouter,OptimizationHints',
      '--metrics-recording-only',
    ],
  });
}

/** A full-page screenshot `<name>.png` in {@link SCREENSHOTS}. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
