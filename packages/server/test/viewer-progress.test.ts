import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from './support/browser.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Created {
  id: string;
}

const row = (page: Page, id: string) => page.locator(`.progress-row[data-id="${id}"]`);
const countOf = (page: Page, id: string) =>
  row(page, id)
    .locator('.progress-count')
    .evaluate((el) => `${el.getAttribute('data-done')}/${el.getAttribute('data-total')}`);

// Progress filled over MCP: a milestone holding a folder holding tasks, an epic holding some of
// them by epic_id, work in several statuses. Every step waits on what the page shows.
describe('the progress view, in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let browser: Browser;
  let agent: Client;
  let pages: PageWatch[] = [];
  const ids = {} as Record<'milestone' | 'epic' | 'folder' | 'a' | 'b' | 'c' | 'd', string>;

  const create = async (title: string, extra: Record<string, unknown> = {}) =>
    (await call<Created>(agent, 'backlog_create', { title, ...extra })).id;
  const update = (id: string, fields: Record<string, unknown>) => call(agent, 'backlog_update', { id, ...fields });

  const open = async (path: string, options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await openPage(browser, server.url, options);
    pages.push(watch);
    await watch.page.goto(`${server.url}${path}`);
    await watch.page.waitForSelector('.live-live');
    return watch;
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    agent = await connectHttp(server.url, 'progress-agent');
    ids.milestone = await create('Ship progress', { type: 'milestone', due_date: '2099-01-01' });
    ids.epic = await create('Charts', { type: 'epic' });
    ids.folder = await create('Viewer work', { type: 'folder', parent_id: ids.milestone });
    ids.a = await create('Draw the bar', { parent_id: ids.folder, epic_id: ids.epic });
    ids.b = await create('Draw the burn-up', { parent_id: ids.folder, epic_id: ids.epic });
    ids.c = await create('Write the docs', { parent_id: ids.milestone });
    ids.d = await create('Pick colours', { epic_id: ids.epic });
    await update(ids.a, { status: 'done', evidence: ['merged'] });
    await update(ids.d, { status: 'in_progress' });
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    pages = [];
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  it('is a tab after Graph, reached by keyboard, listing the milestone and the epic with done/total', async () => {
    const { page, errors } = await open('/');
    const tabs = await page.locator('.view-tab').allTextContents();
    expect(tabs).toEqual(['Items', 'Activity', 'Board', 'Graph', 'Progress', 'Agents']);
    await page.getByRole('button', { name: 'Progress', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.progress-row');
    expect(new URL(page.url()).searchParams.get('view')).toBe('progress');
    // milestone: folder, a, b, c by parent chain (1 done); epic: a, b, d by epic_id (1 done)
    expect(await countOf(page, ids.milestone)).toBe('1/4');
    expect(await countOf(page, ids.epic)).toBe('1/3');
    expect(await row(page, ids.epic).locator('.seg[data-status="in_progress"]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('draws a burn-up whose last point is the current done count, and follows a change over MCP', async () => {
    const { page } = await open('/?view=progress');
    await row(page, ids.milestone).getByRole('button', { name: 'Burn-up' }).click();
    const svg = page.locator('.burnup svg');
    await page.waitForFunction(() => document.querySelector('.burnup svg')?.getAttribute('data-last-scope') === '4');
    expect(await svg.getAttribute('data-last-done')).toBe('1');
    expect(await svg.getAttribute('aria-label')).toContain('1 of 4 done');
    expect(await row(page, ids.milestone).locator('.seg[data-status="done"]').count()).toBe(1);
    expect(await row(page, ids.milestone).locator('.seg[data-status="in_progress"]').count()).toBe(0);
    await update(ids.c, { status: 'in_progress' });
    await row(page, ids.milestone).locator('.seg[data-status="in_progress"]').waitFor();
    await update(ids.b, { status: 'done', evidence: ['merged'] });
    await page.waitForFunction(() => document.querySelector('.burnup svg')?.getAttribute('data-last-done') === '2');
    expect(await countOf(page, ids.milestone)).toBe('2/4');
    await update(ids.b, { status: 'open' });
  });

  it('keeps the chosen burn-up in the URL, so a reload or a link shows the same chart', async () => {
    const { page } = await open('/?view=progress');
    await row(page, ids.epic).getByRole('button', { name: 'Burn-up' }).click();
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('root') === id, ids.epic);
    await page.reload();
    await page.waitForSelector('.burnup svg');
    expect(await page.locator('.progress-chart .progress-id').textContent()).toBe(ids.epic);
    expect(await row(page, ids.epic).getByRole('button', { name: 'Burn-up' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
  });

  it('opens the item from its title', async () => {
    const { page } = await open('/?view=progress');
    await row(page, ids.epic).locator('.progress-title').click();
    await page.waitForSelector('.board-detail');
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids.epic);
  });

  it('never scrolls the page sideways at phone width, in light or dark', async () => {
    for (const dark of [false, true]) {
      const { page } = await open('/?view=progress', { viewport: { width: 375, height: 740 }, dark });
      await page.waitForSelector('.burnup svg');
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
