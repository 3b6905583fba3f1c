import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, median, openPage, type PageWatch } from './support/browser.js';
import { writeItems } from './support/corpus.js';
import { HANG } from './support/limits.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

describe('the web viewer under load', () => {
  let browser: Browser;
  const pages: PageWatch[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    await browser?.close();
  });

  describe('live updates', () => {
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    let dataDir: string;
    let client: Client;

    beforeAll(async () => {
      dataDir = await tempDataDir();
      await writeItems(dataDir, 300);
      server = await startHttpServer(dataDir);
      client = await connectHttp(server.url, 'latency-agent');
    });
    afterAll(async () => {
      await client?.close();
      await server?.stop();
      if (dataDir) await removeDir(dataDir);
    });

    // How fast (the 1 s target for the median) is measured by bench/viewer.mjs; here, that every write shows.
    it('shows each of 20 MCP creates and status updates in the page, live', async () => {
      const watch = await openPage(browser, server.url);
      pages.push(watch);
      const { page } = watch;
      await page.goto(`${server.url}/?status=all`);
      await page.waitForSelector('.live-live');
      await page.waitForSelector('.row[data-id]');
      const created: number[] = [];
      const updated: number[] = [];
      for (let i = 0; i < 20; i++) {
        const title = `Latency probe ${i}`;
        let started = performance.now();
        const appears = page.waitForFunction(
          (t) => [...document.querySelectorAll('.row-title')].some((el) => el.textContent === t),
          title,
          { polling: 'raf' },
        );
        const { id } = await call<{ id: string }>(client, 'backlog_create', { title });
        await appears;
        created.push(performance.now() - started);
        started = performance.now();
        const moves = page.waitForSelector(`.row[data-id="${id}"] .status-icon.s-done`);
        await call(client, 'backlog_update', { id, status: 'done' });
        await moves;
        updated.push(performance.now() - started);
      }
      const createMedian = median(created);
      const updateMedian = median(updated);
      console.log(
        `[viewer] MCP write → visible in the page, median of 20: create ${createMedian.toFixed(0)} ms ` +
          `(max ${Math.max(...created).toFixed(0)} ms), status update ${updateMedian.toFixed(0)} ms ` +
          `(max ${Math.max(...updated).toFixed(0)} ms)`,
      );
    });

    it('keeps the selection, the open detail and the rows in view through live changes', async () => {
      const watch = await openPage(browser, server.url);
      pages.push(watch);
      const { page } = watch;
      await page.goto(`${server.url}/?status=all`);
      await page.waitForSelector('.live-live');
      await page.waitForSelector('.row[data-id]');
      await page.locator('.list-scroller').evaluate((el) => {
        el.scrollTop = 60 * 120;
      });
      // Two rows in view, well down the list: select one, change the other.
      const visible = async () =>
        page.locator('.list-scroller').evaluate((el) => {
          const box = el.getBoundingClientRect();
          return [...el.querySelectorAll<HTMLElement>('.row[data-id]')]
            .filter((row) => {
              const r = row.getBoundingClientRect();
              return r.top >= box.top && r.bottom <= box.bottom;
            })
            .map((row) => row.dataset.id as string);
        });
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length > 10);
      const ids = await visible();
      const selected = ids[3] as string;
      const changed = ids[5] as string;
      await page.locator(`.row[data-id="${selected}"]`).click();
      await page.waitForSelector('.detail-title');
      const rowTop = (id: string) =>
        page.locator(`.row[data-id="${id}"]`).evaluate((row) => Math.round(row.getBoundingClientRect().top));
      const before = await rowTop(selected);
      const firstBefore = ids[0] as string;
      const firstTop = await rowTop(firstBefore);
      await call(client, 'backlog_create', { title: 'A new item arrives at the top' });
      await call(client, 'backlog_update', { id: changed, blocked_reason: ['waiting'] });
      // The changed item moves to the top of the list, out of this window.
      await page.waitForSelector(`.row[data-id="${changed}"]`, { state: 'detached' });
      // The rows the reader was looking at stay on screen where they were.
      expect(await rowTop(selected)).toBe(before);
      expect(await rowTop(firstBefore)).toBe(firstTop);
      expect(await page.locator('.row.selected').getAttribute('data-id')).toBe(selected);
      expect(new URL(page.url()).searchParams.get('id')).toBe(selected);
      expect(await page.locator('.crumb.current').textContent()).toBe(selected);
    });
  });

  describe('10,000 items', () => {
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await tempDataDir();
      await writeItems(dataDir, 10_000);
      // A hang detector, not a target: a cold 10k start takes ~3.5 s alone and 15 s or more on a
      // loaded machine (bench/run.mjs measures it). The hook's own limit is larger still.
      server = await startHttpServer(dataDir, {}, { timeoutMs: HANG.bigStart });
    }, HANG.bigStart + 120_000);
    afterAll(async () => {
      await server?.stop();
      if (dataDir) await removeDir(dataDir);
    });

    // Load time (the 3 s target for the median) is measured by bench/viewer.mjs.
    it('loads 10,000 items, keeps the DOM small and scrolls to the end', async () => {
      const watch = await openPage(browser, server.url);
      pages.push(watch);
      const { page } = watch;
      const loads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await page.goto(`${server.url}/?status=all`);
        await page.waitForSelector('.row[data-id]');
        loads.push(performance.now() - started);
      }
      const inPage = await page.evaluate(() => performance.now());
      expect(await page.locator('.total').textContent()).toContain('10,000');
      const rendered = await page.locator('.row').count();
      expect(rendered).toBeLessThan(80);
      // Jump to the end: the last rows are fetched and drawn, the DOM stays small.
      const started = performance.now();
      await page.locator('.list-scroller').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForSelector('.row[data-id="TASK-0001"]');
      const jump = performance.now() - started;
      expect(await page.locator('.row').count()).toBeLessThan(80);
      // Keyboard moves through the loaded window too.
      await page.keyboard.press('k');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.detail-title');
      console.log(
        `[viewer] 10,000 items: page load to first rows median ${median(loads).toFixed(0)} ms ` +
          `(runs ${loads.map((l) => l.toFixed(0)).join(', ')} ms; last run ${inPage.toFixed(0)} ms after navigation start), ` +
          `${rendered} rows in the DOM, jump to the end ${jump.toFixed(0)} ms`,
      );
      expect(watch.errors).toEqual([]);
    });
  });
});
