import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { HANG } from './limits.js';
import { authHeaders } from './servers.js';

/** Debian's chromium; CI installs it (`apt-get install -y chromium`). Never `npx playwright install`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches the browser; a missing browser is a failure, not a skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No browser at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: HANG.process });
}

export interface PageWatch {
  page: Page;
  context: BrowserContext;
  /** Every alert/confirm/prompt the page opened (an XSS would show up here). */
  dialogs: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Requests to anything but the page's own server (the viewer needs no network). */
  foreign: string[];
}

/** `<base>/?token=…` for a local server this test process started; undefined for others (the Worker). */
function signInLink(baseUrl: string): string | undefined {
  try {
    const token = authHeaders(baseUrl).authorization?.replace('Bearer ', '');
    return `${baseUrl}/?token=${token}`;
  } catch {
    return undefined;
  }
}

export async function openPage(
  browser: Browser,
  baseUrl: string,
  options: { viewport?: { width: number; height: number }; dark?: boolean; signedOut?: boolean } = {},
): Promise<PageWatch> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  // Every wait in the page (selectors, functions, navigations) is a wait on a condition; its limit
  // is only a hang detector. Tests pass no smaller limits of their own: timings belong in bench/.
  context.setDefaultTimeout(HANG.browser);
  context.setDefaultNavigationTimeout(HANG.browser);
  const owner = options.signedOut ? undefined : signInLink(baseUrl);
  if (owner) {
    // The owner's link, as `status` prints it: the browser keeps the session cookie it sets.
    const signIn = await context.request.get(owner, { maxRedirects: 0 });
    if (signIn.status() !== 303) throw new Error(`sign-in link answered ${signIn.status()}`);
  }
  const page = await context.newPage();
  const watch: PageWatch = { page, context, dialogs: [], errors: [], foreign: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) watch.foreign.push(url);
  });
  return watch;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
