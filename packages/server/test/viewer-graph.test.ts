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
}
interface Full {
  id: string;
  status: string;
  blocked_by?: string[];
}

/** What the drawing holds: node IDs, arrows as "blocker>blocked", and the marked nodes. */
const drawn = (page: Page) =>
  page.evaluate(() => {
    const ids = (selector: string) =>
      [...document.querySelectorAll(selector)].map((n) => n.getAttribute('data-id') ?? '').sort();
    return {
      nodes: ids('.graph-node'),
      arrows: [...document.querySelectorAll('.graph-edge')]
        .map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`)
        .sort(),
      critical: ids('.graph-node.critical'),
      criticalArrows: document.querySelectorAll('.graph-edge.critical').length,
      ready: ids('.graph-node.ready'),
      containment: document.querySelectorAll('.graph-containment').length,
      caption: document.querySelector('.graph-critical')?.textContent ?? '',
      transform: document.querySelector('.graph-canvas > g')?.getAttribute('transform') ?? '',
    };
  });

/** The drawing once it shows exactly `count` nodes (a layout lands whole, in one render). */
const nodesDrawn = (page: Page, count: number) =>
  page.waitForFunction(
    (n) => document.querySelector('.graph-summary')?.getAttribute('data-nodes') === String(n),
    count,
  );

// A backlog filled over MCP as agents fill it: an epic whose tasks wait on each other in a chain of
// four unfinished items, with a finished blocker, a claimed task, a folder inside the epic and
// a task outside it. Every step waits on what the page shows; the limits only detect hangs.
describe('the dependency graph view, in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let browser: Browser;
  let agent: Client;
  let pages: PageWatch[] = [];
  const ids = {} as Record<
    'epic' | 'folder' | 'schema' | 'api' | 'client' | 'docs' | 'release' | 'claimed' | 'outside' | 'done',
    string
  >;

  const create = async (title: string, extra: Record<string, unknown> = {}) =>
    (await call<Created>(agent, 'backlog_create', { title, ...extra })).id;
  const update = (id: string, fields: Record<string, unknown>) => call(agent, 'backlog_update', { id, ...fields });
  /** What backlog_list and backlog_get say: the IDs under the epic (any depth) and their blocked_by. */
  const truth = async (statuses: string[]) => {
    const listed = await call<Listed>(agent, 'backlog_list', { status: statuses, limit: 1000 });
    const { items } = await call<{ items: Full[] }>(agent, 'backlog_get', { id: listed.items.map((s) => s.id) });
    const nodes = items.map((i) => i.id).sort();
    const shown = new Set(nodes);
    const arrows = items
      .flatMap((i) => (i.blocked_by ?? []).filter((b) => shown.has(b)).map((b) => `${b}>${i.id}`))
      .sort();
    return { nodes, arrows };
  };
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
    agent = await connectHttp(server.url, 'graph-agent');
    ids.epic = await create('Payments API', { type: 'epic' });
    ids.done = await create('Pick the provider', { epic_id: ids.epic });
    await update(ids.done, { status: 'done', evidence: ['decided'] });
    ids.schema = await create('Design the schema', { epic_id: ids.epic, blocked_by: [ids.done] });
    ids.api = await create('Build the API', { epic_id: ids.epic, blocked_by: [ids.schema] });
    await update(ids.api, { status: 'in_progress' });
    ids.folder = await create('Clients', { type: 'folder', parent_id: ids.epic });
    ids.client = await create('Write the client', { parent_id: ids.folder, blocked_by: [ids.api, ids.schema] });
    ids.docs = await create('Document the client', { parent_id: ids.folder, blocked_by: [ids.client] });
    ids.release = await create('Release notes', { epic_id: ids.epic, blocked_by: [ids.schema] });
    ids.claimed = await create('Claimed spike', { epic_id: ids.epic });
    await update(ids.claimed, { claim: true });
    ids.outside = await create('Unrelated chore', { blocked_by: [ids.docs] });
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

  it('is a tab of the top bar and draws one node per unfinished item and one arrow per blocked_by between them', async () => {
    const { page, errors, foreign } = await open('/');
    await page.getByRole('button', { name: 'Graph', exact: true }).click();
    const active = await truth(['open', 'in_progress', 'blocked']);
    await nodesDrawn(page, active.nodes.length);
    expect(new URL(page.url()).searchParams.get('view')).toBe('graph');
    const graph = await drawn(page);
    expect(graph.nodes).toEqual(active.nodes);
    expect(graph.arrows).toEqual(active.arrows);
    expect(graph.nodes).not.toContain(ids.done);
    expect(await page.locator('.graph-summary').textContent()).toContain('1 finished hidden');
    // Finished items on: the finished blocker and its arrow join the drawing.
    await page.getByLabel('Finished items').check();
    const all = await truth(['open', 'in_progress', 'blocked', 'done', 'cancelled']);
    await nodesDrawn(page, all.nodes.length);
    const withDone = await drawn(page);
    expect(withDone.nodes).toEqual(all.nodes);
    expect(withDone.arrows).toEqual(all.arrows);
    expect(withDone.arrows).toContain(`${ids.done}>${ids.schema}`);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('draws an epic with everything under it, marks ready work and says how long the critical path is', async () => {
    const { page } = await open(`/?view=graph&root=${ids.epic}`);
    await page.waitForSelector('.graph-node');
    const graph = await drawn(page);
    const underEpic = [ids.epic, ids.folder, ids.schema, ids.api, ids.client, ids.docs, ids.release, ids.claimed];
    expect(graph.nodes).toEqual(underEpic.sort());
    expect(graph.nodes).not.toContain(ids.outside);
    // schema waits only on a finished item and nobody holds it; the claimed task is held; the rest wait.
    expect(graph.ready).toEqual([ids.schema]);
    // The longest chain of unfinished blockers: schema → api → client → docs.
    expect(graph.caption).toBe('Critical path: 4 unfinished items');
    expect(graph.critical).toEqual([ids.schema, ids.api, ids.client, ids.docs].sort());
    expect(graph.criticalArrows).toBe(3);
    // Containment is a second edge style: the folder and the epic's direct items hang from the epic,
    // the folder's tasks from the folder.
    expect(graph.containment).toBe(underEpic.length - 1);
    expect(await page.locator('select[name="root"]').inputValue()).toBe(ids.epic);
  });

  it('opens an item by click or keyboard, beside the graph', async () => {
    const { page } = await open(`/?view=graph&root=${ids.epic}`);
    await page.locator(`.graph-node[data-id="${ids.client}"]`).click();
    await page.waitForSelector('.board-detail .detail-title');
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids.client);
    expect(await page.locator('.board-detail .detail-title').textContent()).toContain('Write the client');
    // The graph is still drawn beside the detail.
    expect(await page.locator(`.graph-node[data-id="${ids.client}"]`).isVisible()).toBe(true);
    await page.locator(`.graph-node[data-id="${ids.docs}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('id') === id, ids.docs);
  });

  it('pans and zooms, and follows an agent live while keeping the reader’s zoom', async () => {
    const { page } = await open(`/?view=graph&root=${ids.epic}`);
    await page.waitForSelector('.graph-node');
    const fitted = (await drawn(page)).transform;
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction(
      (t) => document.querySelector('.graph-canvas > g')?.getAttribute('transform') !== t,
      fitted,
    );
    const box = await page.locator('.graph-canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 80, box.y + 60, { steps: 4 });
    await page.mouse.up();
    const zoomed = (await drawn(page)).transform;
    expect(zoomed).not.toBe(fitted);
    // An agent files a new task under the epic, waiting on the docs: a node and an arrow appear.
    const added = await create('Announce the API', { epic_id: ids.epic, blocked_by: [ids.docs] });
    // (An arrow is a path with no area when straight: attached, not "visible", is the condition.)
    await page.waitForSelector(`.graph-edge[data-from="${ids.docs}"][data-to="${added}"]`, { state: 'attached' });
    const after = await drawn(page);
    expect(after.nodes).toContain(added);
    // The chain grew by one, and the page kept the reader's pan and zoom.
    expect(after.caption).toBe('Critical path: 5 unfinished items');
    expect(after.transform).toBe(zoomed);
    // Finishing the head of the chain shortens it.
    await update(ids.schema, { status: 'done', evidence: ['schema merged'] });
    await page.waitForFunction(
      () => document.querySelector('.graph-critical')?.textContent === 'Critical path: 4 unfinished items',
    );
    // Fit brings the whole (changed) drawing back inside the canvas.
    await page.getByRole('button', { name: 'Fit' }).click();
    await page.waitForFunction(() => {
      const canvas = document.querySelector('.graph-canvas')?.getBoundingClientRect();
      const drawing = document.querySelector('.graph-canvas > g')?.getBoundingClientRect();
      if (!canvas || !drawing) return false;
      return (
        drawing.left >= canvas.left - 1 &&
        drawing.right <= canvas.right + 1 &&
        drawing.top >= canvas.top - 1 &&
        drawing.bottom <= canvas.bottom + 1
      );
    });
  });

  it('keeps root and filters in the URL across a reload, and narrows by type and text', async () => {
    const { page } = await open(`/?view=graph&root=${ids.epic}`);
    await page.waitForSelector('.graph-node');
    await page.locator('select[name="type"]').selectOption('task');
    await page.getByLabel('Filter nodes by ID or title').fill('client');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'client');
    await page.reload();
    await page.waitForSelector('.live-live');
    // The root is always drawn; with it, the two unfinished tasks whose title names the client.
    await nodesDrawn(page, 3);
    expect((await drawn(page)).nodes).toEqual([ids.epic, ids.client, ids.docs].sort());
    const params = new URL(page.url()).searchParams;
    expect([params.get('view'), params.get('root'), params.get('type'), params.get('q')]).toEqual([
      'graph',
      ids.epic,
      'task',
      'client',
    ]);
  });

  it('never scrolls the page sideways at phone width, in light or dark', async () => {
    for (const dark of [false, true]) {
      const { page } = await open(`/?view=graph&root=${ids.epic}`, { viewport: { width: 375, height: 740 }, dark });
      await page.waitForSelector('.graph-node');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.locator(`.graph-node[data-id="${ids.api}"]`).click();
      await page.waitForSelector('.board-detail .detail-title');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
  });
});
