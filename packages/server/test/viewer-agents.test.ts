import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from './support/browser.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Created {
  id: string;
}

/** The agents view against a server two named MCP clients fill. Every step waits on what the page shows. */
describe('the agents view, in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let browser: Browser;
  let alice: Client;
  let bob: Client;
  let pages: PageWatch[] = [];
  const ids = {} as Record<'login' | 'limiter' | 'docs', string>;

  const create = async (who: Client, title: string) => (await call<Created>(who, 'backlog_create', { title })).id;
  const update = (who: Client, id: string, fields: Record<string, unknown>) =>
    call(who, 'backlog_update', { id, ...fields });

  const open = async (path: string, options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await openPage(browser, server.url, options);
    pages.push(watch);
    await watch.page.goto(`${server.url}${path}`);
    await watch.page.waitForSelector('.live-live');
    return watch;
  };
  const card = (page: Page, name: string) => page.locator(`.agent[data-agent="${name}"]`);

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    alice = await connectHttp(server.url, 'alice-bot');
    bob = await connectHttp(server.url, 'bob-bot');
    ids.login = await create(alice, 'Login form');
    ids.limiter = await create(bob, 'Rate limiter');
    ids.docs = await create(bob, 'Write the docs');
    await update(bob, ids.limiter, { claim: true });
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    pages = [];
  });

  afterAll(async () => {
    await browser?.close();
    await alice?.close().catch(() => undefined);
    await bob?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  it('is the last tab, lists both agents with holds, last actions and counts', async () => {
    const { page, errors } = await open('/');
    const tabs = await page.locator('.topbar nav.views button').allTextContents();
    const tab = page.getByRole('button', { name: 'Agents', exact: true });
    await tab.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.agent[data-agent="bob-bot"]');
    expect(new URL(page.url()).searchParams.get('view')).toBe('agents');
    expect(tabs.at(-1)).toBe('Agents');
    const bobCard = card(page, 'bob-bot');
    await bobCard.locator(`.agent-item[data-id="${ids.limiter}"][data-kind="holding"]`).waitFor();
    expect(await bobCard.locator('.agent-lease').first().textContent()).toMatch(/^\d+m left$/);
    expect(await bobCard.locator('[data-count="today"]').textContent()).toBe('3');
    expect(await bobCard.locator('.agent-recent li').count()).toBe(3);
    expect(await card(page, 'alice-bot').locator('.agent-idle').textContent()).toContain('Holds nothing');
    expect(errors).toEqual([]);
  });

  it('shows a claim made over MCP live, and drops it once released over MCP; a click opens the item', async () => {
    const { page } = await open('/?view=agents');
    await card(page, 'alice-bot').waitFor();
    const held = card(page, 'alice-bot').locator(`.agent-item[data-id="${ids.login}"][data-kind="holding"]`);
    expect(await held.count()).toBe(0);
    await update(alice, ids.login, { claim: true });
    await held.waitFor();
    expect(await held.locator('.agent-lease').textContent()).toMatch(/^\d+m left$/);
    await held.click();
    await page.waitForSelector('.board-detail');
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids.login);
    await update(alice, ids.login, { claim: false });
    await held.waitFor({ state: 'detached' });
    await card(page, 'alice-bot').locator('.agent-idle').waitFor();
  });

  it('flags a claim whose lease ran out on unfinished work as lapsed', async () => {
    const id = await create(alice, 'Left half done');
    await update(alice, id, { claim: true });
    const { page } = await open('/?view=agents');
    await card(page, 'alice-bot').locator(`.agent-item[data-id="${id}"][data-kind="holding"]`).waitFor();
    // No lease is shorter than 30 minutes over MCP; the file on disk is rewritten as an hour-old claim.
    const file = join(dataDir, 'tasks', `${id}.md`);
    const text = await readFile(file, 'utf8');
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const edited = text.replace(/lease_until: .*/, `lease_until: '${past}'`);
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const lapsed = card(page, 'alice-bot').locator(`.agent-item[data-id="${id}"][data-kind="lapsed"]`);
    await lapsed.waitFor();
    expect(await lapsed.locator('.agent-lease').textContent()).toBe('lease expired');
    await update(alice, id, { status: 'done', evidence: ['finished late'] });
    await lapsed.waitFor({ state: 'detached' });
  });

  it('never scrolls the page sideways at phone width, in light or dark', async () => {
    // A long title on a held item: the row must shorten it, not widen the page.
    await update(alice, ids.docs, { title: 'A very long title that goes on '.repeat(6).trim() });
    await update(bob, ids.docs, { claim: true });
    for (const dark of [false, true]) {
      const { page } = await open('/?view=agents', { viewport: { width: 375, height: 740 }, dark });
      await card(page, 'bob-bot').locator('.agent-item').first().waitFor();
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        view: window.innerWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.view);
      expect(widths.body).toBeLessThanOrEqual(widths.view);
    }
  });
});
