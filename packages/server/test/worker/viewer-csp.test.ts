import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from '../support/browser.js';
import { expectViewerPolicy, recordViolations } from '../support/csp.js';
import { call } from '../support/servers.js';
import { connectMcp, SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

const DIAGRAM =
  'Some **bold** text.\n\n```ts\nconst a = 1;\n```\n\n```mermaid\nflowchart LR\n  A[write] --> B[page]\n```\n';

describe("the Worker viewer's Content-Security-Policy", () => {
  let w: WorkerHarness;
  let client: Client;
  let browser: Browser;
  const pages: PageWatch[] = [];
  const auth = { authorization: `Bearer ${SECRETS.API_KEY}` };

  beforeAll(async () => {
    w = await startWorker();
    client = await connectMcp(w.url, SECRETS.API_KEY);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    await browser?.close();
    await client?.close();
    await w?.close();
  });

  it('sends the same strict policy, frame-ancestors none and X-Frame-Options DENY with the page and its files', async () => {
    for (const path of ['/', '/some/client/route', '/favicon.svg']) {
      const response = await w.fetch(path, { headers: { ...auth, accept: 'text/html' } });
      expect(response.status, path).toBe(200);
      expectViewerPolicy(response.headers.get('content-security-policy'), path);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      await response.body?.cancel();
    }
  });

  it('runs under that policy with no violation and no console error', async () => {
    const { id } = await call<{ id: string }>(client, 'backlog_create', { title: 'Diagram', description: DIAGRAM });
    const watch = await openPage(browser, w.url);
    pages.push(watch);
    await watch.context.setExtraHTTPHeaders(auth);
    const violations = await recordViolations(watch);
    await watch.page.goto(`${w.url}/?id=${id}`);
    await watch.page.waitForSelector('.live-live');
    await watch.page.waitForSelector('.markdown .hljs-keyword');
    await watch.page.waitForSelector('.markdown figure.mermaid svg');
    expect(violations()).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(watch.foreign).toEqual([]);
  });
});
