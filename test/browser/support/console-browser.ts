import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../utils/test-app.js';

/** Debian's chromium (playwright's own download is not available here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
export const SCREENSHOT_DIR = join(process.cwd(), 'screenshots');
export const WIDTHS = [1280, 390] as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface LiveApp extends TestApp {
  /** The origin the browser uses; PUBLIC_URL is set to it, so the Sign-on and SCIM URLs point here. */
  baseUrl: string;
}

/** The real service on its own fresh database, listening on a real port for the browser. */
export async function startLiveApp(env: Record<string, string> = {}): Promise<LiveApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ PUBLIC_URL: baseUrl, ...env });
  await t.app.listen(port, '127.0.0.1');
  return { ...t, baseUrl };
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and CSP violations seen so far: a walkthrough expects none. */
  problems: string[];
}

/** A fresh browser profile (no cookies) at 1280 px, allowed to use the clipboard. */
export async function openTab(browser: Browser, baseUrl: string): Promise<ConsoleTab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  // Waits for conditions, not pauses: a sign-in (scrypt) plus a page load takes well under a
  // second on an idle machine and over 10 s with CPU hogs and other test runs beside it.
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    // A 401 from /me on the way to the login page is expected; the browser logs it as a failed load.
    if (msg.type() === 'error' && !text.startsWith('Failed to load resource')) problems.push(`console: ${text}`);
  });
  return { context, page, problems };
}

/**
 * Full-page screenshots at 1280 and 390 px wide into screenshots/{name}-{width}.png, then back
 * to 1280. Look at them: they are how a person sees the page.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Waits until the locator is visible and returns its text. */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible' });
  return (await locator.innerText()).trim();
}

/** Polls until `read` returns what `ok` accepts (the page updates after a fetch). */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

/** What the page's clipboard holds (permissions granted by openTab). */
export function readClipboard(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()') as Promise<string>;
}
