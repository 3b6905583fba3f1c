import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from './support/browser.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Created {
  id: string;
}
interface Listed {
  items: { id: string }[];
  total: number;
}

const COLUMNS = ['open', 'in_progress', 'blocked', 'done'] as const;

/** The IDs of the cards a column draws, sorted (the columns here are short: all are drawn). */
const cardIds = (page: Page, status: string) =>
  page
    .locator(`.board-column[data-column="${status}"] .card[data-id]`)
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-id') ?? '').sort());

const countOf = (page: Page, status: string) =>
  page.locator(`.board-column[data-column="${status}"] .column-count`).getAttribute('data-count');

// A board filled over MCP as agents would fill it: a milestone holding a folder holding tasks, an
// epic, work in every status, one claimed. Every step waits on what the page shows; the limits are
// hang detectors only (timings are in bench/viewer.mjs).
describe('the board view, in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let browser: Browser;
  let agent: Client;
  let pages: PageWatch[] = [];
  /** The items the fill below creates, by role; set before any test runs. */
  const ids = {} as Record<
    'milestone' | 'epic' | 'folder' | 'columns' | 'cards' | 'loose' | 'claimed' | 'blocked' | 'done' | 'cancelled',
    string
  >;

  const create = async (title: string, extra: Record<string, unknown> = {}) =>
    (await call<Created>(agent, 'backlog_create', { title, ...extra })).id;
  const update = (id: string, fields: Record<string, unknown>) => call(agent, 'backlog_update', { id, ...fields });
  const listIds = async (status: string, extra: Record<string, unknown> = {}) =>
    (await call<Listed>(agent, 'backlog_list', { status: [status], limit: 1000, ...extra })).items
      .map((s) => s.id)
      .sort();

  /** A signed-in page at `path` once its change stream is connected, closed after the test. */
  const open = async (path: string, options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await openPage(browser, server.url, options);
    pages.push(watch);
    await watch.page.goto(`${server.url}${path}`);
    await watch.page.waitForSelector('.live-live');
    return watch;
  };
  /** Every shown column has its count and as many cards as it says (all fit in view here). */
  const settled = (page: Page) =>
    page.waitForFunction(() => {
      const columns = [...document.querySelectorAll('.board-column')];
      return (
        columns.length > 0 &&
        columns.every((c) => {
          const count = c.querySelector('.column-count')?.getAttribute('data-count');
          return count !== '' && Number(count) === c.querySelectorAll('.card[data-id]').length;
        })
      );
    });

  beforeAll(async () => {
    dataDir = await tempDataDir();
    // Done two months ago, written as a file before the server starts (MCP cannot backdate):
    // the board's Done column leaves it out unless asked for all.
    const old = new Date(Date.now() - 60 * 86_400_000).toISOString();
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    await writeFile(
      join(dataDir, 'tasks', 'TASK-0500.md'),
      `---\nid: TASK-0500\ntitle: Finished long ago\nstatus: done\ntype: task\ncreated_at: ${old}\nupdated_at: ${old}\n---\nOld.\n`,
    );
    server = await startHttpServer(dataDir);
    agent = await connectHttp(server.url, 'board-agent');
    ids.milestone = await create('Ship the board', { type: 'milestone' });
    ids.epic = await create('Live views', { type: 'epic' });
    ids.folder = await create('Viewer work', { type: 'folder', parent_id: ids.milestone });
    ids.columns = await create('Draw the columns', { parent_id: ids.folder, epic_id: ids.epic, priority: 'high' });
    ids.cards = await create('Draw the cards', { parent_id: ids.folder, epic_id: ids.epic });
    ids.loose = await create('Unrelated chore', { priority: 'low' });
    ids.claimed = await create('Claimed by an agent', { epic_id: ids.epic });
    await update(ids.claimed, { claim: true });
    ids.blocked = await create('Waiting on design', { parent_id: ids.folder });
    await update(ids.blocked, { status: 'blocked', blocked_reason: ['design review'] });
    ids.done = await create('Already shipped');
    await update(ids.done, { status: 'done', evidence: ['merged'] });
    ids.cancelled = await create('Dropped idea');
    await update(ids.cancelled, { status: 'cancelled' });
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

  it('is a tab of the top bar, reached by keyboard, and shows the columns and counts backlog_list gives', async () => {
    const { page, errors } = await open('/');
    const tab = page.getByRole('button', { name: 'Board', exact: true });
    await tab.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.board-column');
    expect(new URL(page.url()).searchParams.get('view')).toBe('board');
    await settled(page);
    const shown = await page.locator('.board-column').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-column')));
    expect(shown).toEqual([...COLUMNS]);
    for (const status of COLUMNS) {
      // Done: the last 14 days by default, so all but the item finished two months ago.
      const expected = (await listIds(status)).filter((id) => id !== 'TASK-0500');
      expect(await cardIds(page, status)).toEqual(expected);
      expect(await countOf(page, status)).toBe(String(expected.length));
    }
    expect(await listIds('done')).toContain('TASK-0500');
    await page.getByLabel('All done').check();
    await page.waitForSelector('.board-column[data-column="done"] .card[data-id="TASK-0500"]');
    await settled(page);
    expect(await cardIds(page, 'done')).toEqual(await listIds('done'));
    expect(await countOf(page, 'done')).toBe(String((await listIds('done')).length));
    // Cancelled only when asked for, and then it matches too.
    await page.getByLabel('Cancelled').check();
    await page.waitForSelector('.board-column[data-column="cancelled"] .card[data-id]');
    await settled(page);
    expect(await cardIds(page, 'cancelled')).toEqual(await listIds('cancelled'));
    // And back and forth by keyboard: g then i or b.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForSelector('.list-scroller');
    await page.keyboard.press('g');
    await page.keyboard.press('b');
    await page.waitForSelector('.board-column');
    expect(new URL(page.url()).searchParams.get('view')).toBe('board');
    expect(errors).toEqual([]);
  });

  it('shows on a card its ID, title, type, priority, epic and the claim holder with the lease left', async () => {
    const { page } = await open('/?view=board');
    await settled(page);
    const claimed = page.locator(`.card[data-id="${ids.claimed}"]`);
    expect(await claimed.getAttribute('data-status')).toBe('in_progress');
    const text = (await claimed.textContent()) ?? '';
    expect(text).toContain(ids.claimed);
    expect(text).toContain('Claimed by an agent');
    expect(text).toContain('Task');
    expect(text).toContain('Live views');
    expect(await claimed.locator('.card-claim').textContent()).toMatch(/^board-agent\S* · \d+m left$/);
    expect(await page.locator(`.card[data-id="${ids.columns}"] .card-priority`).textContent()).toBe('high');
  });

  it('moves a card when an agent changes its status over MCP, keeping the selection open', async () => {
    const { page } = await open('/?view=board');
    await settled(page);
    const card = page.locator(`.card[data-id="${ids.cards}"]`);
    await card.click();
    await page.waitForSelector('.board-detail');
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids.cards);
    await update(ids.cards, { status: 'blocked', blocked_reason: ['needs the columns'] });
    await page.waitForSelector(`.board-column[data-column="blocked"] .card[data-id="${ids.cards}"].selected`);
    await page.waitForFunction(
      (id) => !document.querySelector(`.board-column[data-column="open"] .card[data-id="${id}"]`),
      ids.cards,
    );
    await settled(page);
    expect(await countOf(page, 'blocked')).toBe(String((await listIds('blocked')).length));
    expect(await countOf(page, 'open')).toBe(String((await listIds('open')).length));
    // The detail is still open on the same item, beside the board.
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids.cards);
    expect(await page.locator('.board-detail').isVisible()).toBe(true);
  });

  it('keeps the view and its filters in the URL across a reload, and narrows to a milestone by parent chain', async () => {
    const { page } = await open('/?view=board');
    await settled(page);
    await page.locator('select[name="milestone"]').selectOption(ids.milestone);
    await page.locator('select[name="type"]').selectOption('task');
    await page.getByLabel('All done').check();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('done') === 'all');
    await page.reload();
    await page.waitForSelector('.live-live');
    const params = new URL(page.url()).searchParams;
    expect(params.get('view')).toBe('board');
    expect(params.get('milestone')).toBe(ids.milestone);
    expect(params.get('type')).toBe('task');
    expect(await page.locator('select[name="milestone"]').inputValue()).toBe(ids.milestone);
    expect(await page.getByLabel('All done').isChecked()).toBe(true);
    await settled(page);
    // The tasks whose chain reaches the milestone (through the folder), in whatever column each is.
    const underMilestone = [ids.columns, ids.cards, ids.blocked].sort();
    const shown = (await Promise.all(COLUMNS.map((s) => cardIds(page, s)))).flat().sort();
    expect(shown).toEqual(underMilestone);
  });

  it('never scrolls the page sideways at phone width, in light or dark', async () => {
    for (const dark of [false, true]) {
      const { page } = await open('/?view=board&cancelled=1', { viewport: { width: 375, height: 740 }, dark });
      await settled(page);
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        view: window.innerWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.view);
      expect(widths.body).toBeLessThanOrEqual(widths.view);
      // The card opens as a full-width sheet, still without a sideways scroll.
      await page.locator(`.card[data-id="${ids.loose}"]`).click();
      await page.waitForSelector('.board-detail');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
  });
  // Last: it fills the Open column past one screen, which the tests above would not all draw.
  it('keeps a scrolled column where it was when a card arrives at its top', async () => {
    for (let i = 0; i < 30; i++) await create(`Filler ${i}`);
    const { page } = await open('/?view=board');
    const scroller = page.locator('.board-column[data-column="open"] .column-scroller');
    await page.waitForSelector('.board-column[data-column="open"] .card[data-id]');
    await scroller.evaluate((el) => {
      el.scrollTop = 10 * 104 + 20;
    });
    // The card at the top of the view, and where it sits relative to the view.
    const seen = () =>
      scroller.evaluate((el) => {
        const top = el.scrollTop;
        const cards = [...el.querySelectorAll<HTMLElement>('.card[data-id]')];
        const first = cards
          .filter((c) => Number.parseFloat(c.style.top) + 104 > top)
          .sort((a, b) => Number.parseFloat(a.style.top) - Number.parseFloat(b.style.top))[0];
        return { id: first?.dataset.id, offset: first ? Number.parseFloat(first.style.top) - top : undefined };
      });
    await page.waitForFunction(() => {
      const el = document.querySelector('.board-column[data-column="open"] .column-scroller');
      return el && el.scrollTop > 1000 && el.querySelector('.card[data-id]');
    });
    const before = await seen();
    expect(before.id).toBeDefined();
    // The blocked card goes back to open: it arrives at the top of the Open column, above the view.
    await update(ids.blocked, { status: 'open' });
    await page.waitForFunction(
      (id) => !document.querySelector(`.board-column[data-column="blocked"] .card[data-id="${id}"]`),
      ids.blocked,
    );
    await page.waitForFunction(
      (n) =>
        document.querySelector('.board-column[data-column="open"] .column-count')?.getAttribute('data-count') === n,
      String((await listIds('open')).length),
    );
    expect(await seen()).toEqual(before);
  });
});
