import { mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from './support/browser.js';
import { authHeaders, call, removeDir, startHttpServer, tempDataDir } from './support/servers.js';
import { waitFor } from './support/wait.js';

interface Created {
  id: string;
}

/** One backlog as /api/projects describes it (the fields this test reads). */
interface ProjectRow {
  project: string;
  streams: number;
}

/** An MCP client bound to one backlog folder, as a bridge started in that project would be. */
async function connectTo(baseUrl: string, backlogDir: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const requestInit = { headers: { 'x-backlog-dir': backlogDir, ...authHeaders(baseUrl) } };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit }));
  return client;
}

/** The titles of the rows the list shows, sorted. */
const rowTitles = (page: Page) =>
  page.locator('.row[data-id] .row-title').evaluateAll((rows) => rows.map((r) => r.textContent ?? '').sort());

// Three backlogs on one server: the global one (the data folder) and two projects, `alpha` and
// `beta`, each a folder with `.backlog/tasks/`. Every backlog numbers its own items, so both
// projects have a TASK-0001: the page must never show one project's item under the other's name.
// Every step waits on what the page or the server shows; the limits are hang detectors only.
describe('the web viewer across projects, in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  /** The data folder as the server names it (its real path). */
  let globalPath: string;
  let root: string;
  let alpha: string;
  let beta: string;
  let browser: Browser;
  const clients: Client[] = [];
  let inAlpha: Client;
  let inBeta: Client;
  let inGlobal: Client;
  let pages: PageWatch[] = [];

  const create = async (client: Client, title: string) => (await call<Created>(client, 'backlog_create', { title })).id;
  /** A signed-in page at `path`, closed after the test. */
  const visit = async (path: string, options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await openPage(browser, server.url, options);
    pages.push(watch);
    await watch.page.goto(`${server.url}${path}`);
    return watch;
  };
  /** The same, once its change stream is connected. */
  const open = async (path = '/', options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await visit(path, options);
    await watch.page.waitForSelector('.live-live');
    return watch;
  };
  const params = (page: Page) => new URL(page.url()).searchParams;
  const projectsOnServer = async (): Promise<ProjectRow[]> => {
    const response = await fetch(`${server.url}/api/projects`, { headers: authHeaders(server.url) });
    return ((await response.json()) as { projects: ProjectRow[] }).projects;
  };
  /** The page's change stream follows `project` (and no other backlog has one), as the server counts them. */
  const streamFollows = (project: string) =>
    waitFor(
      async () => {
        const rows = await projectsOnServer();
        return rows.every((row) => row.streams === (row.project === project ? 1 : 0));
      },
      undefined,
      `the only event stream to be on ${project}`,
    );
  const switcher = (page: Page) => page.locator('.project-button');

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    // The server names backlogs by their real paths (on macOS the temporary folder is behind a link).
    globalPath = await realpath(dataDir);
    root = await realpath(await mkdtemp(join(tmpdir(), 'backlog-projects-')));
    alpha = join(root, 'alpha');
    beta = join(root, 'beta');
    for (const project of [alpha, beta]) await mkdir(join(project, '.backlog', 'tasks'), { recursive: true });
    inAlpha = await connectTo(server.url, join(alpha, '.backlog'), 'agent-in-alpha');
    inBeta = await connectTo(server.url, join(beta, '.backlog'), 'agent-in-beta');
    inGlobal = await connectTo(server.url, dataDir, 'agent-in-global');
    clients.push(inAlpha, inBeta, inGlobal);
    expect(await create(inGlobal, 'Global only')).toBe('TASK-0001');
    expect(await create(inAlpha, 'Alpha first')).toBe('TASK-0001');
    const started = await create(inAlpha, 'Alpha under way');
    await call(inAlpha, 'backlog_update', { id: started, status: 'in_progress' });
    expect(await create(inBeta, 'Beta zeppelin hangar')).toBe('TASK-0001');
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    pages = [];
  });

  afterAll(async () => {
    await browser?.close();
    for (const client of clients) await client.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
    if (root) await removeDir(root);
  });

  it('names the shown backlog and lists all three, each with its path and counts', async () => {
    const watch = await open('/');
    const { page } = watch;
    await page.getByRole('button', { name: 'Project: Global' }).waitFor();
    await switcher(page).click();
    await page.waitForFunction(() => document.querySelectorAll('.project-option').length === 3);
    const listed = await page.locator('.project-option').evaluateAll((all) =>
      all.map((option) => ({
        name: option.querySelector('.project-name')?.textContent,
        path: option.querySelector('.project-path')?.getAttribute('title'),
        counts: option.querySelector('.project-counts')?.textContent,
        current: option.getAttribute('aria-selected'),
      })),
    );
    expect(listed).toEqual([
      { name: 'Global', path: globalPath, counts: '1 active (1 open)', current: 'true' },
      { name: 'alpha', path: alpha, counts: '2 active (1 open)', current: 'false' },
      { name: 'beta', path: beta, counts: '1 active (1 open)', current: 'false' },
    ]);
    // Each has an agent session bound to it.
    expect(await page.locator('.project-sessions').allTextContents()).toEqual(['1 session', '1 session', '1 session']);
    // Escape closes the list and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await page.waitForSelector('.project-list', { state: 'detached' });
    expect(await switcher(page).evaluate((button) => button === document.activeElement)).toBe(true);
    expect(watch.errors).toEqual([]);
    expect(watch.foreign).toEqual([]);
  });

  it('switches by keyboard: only the chosen project’s items, its path in the URL, the old selection gone; reload and back/forward keep it', async () => {
    const { page } = await open('/?id=TASK-0001');
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'Global only');
    expect(await rowTitles(page)).toEqual(['Global only']);
    await switcher(page).focus();
    await page.keyboard.press('ArrowDown'); // opens the list on the shown project (Global)
    await page.waitForSelector('.project-list:focus');
    await page.keyboard.press('ArrowDown'); // alpha
    await page.keyboard.press('Enter');
    await page.waitForFunction((path) => new URL(location.href).searchParams.get('project') === path, alpha);
    // TASK-0001 was the global backlog's: it is not carried into alpha, where it names another item.
    expect(params(page).has('id')).toBe(false);
    await page.waitForSelector('.placeholder');
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
    expect(await rowTitles(page)).toEqual(['Alpha first', 'Alpha under way']);
    expect(await switcher(page).getAttribute('aria-label')).toBe('Project: alpha');
    // The path reads as a path in the address bar.
    expect(page.url()).toContain(`project=${alpha}`);

    await page.reload();
    await page.waitForSelector('.live-live');
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
    expect(await rowTitles(page)).toEqual(['Alpha first', 'Alpha under way']);
    expect(await switcher(page).getAttribute('aria-label')).toBe('Project: alpha');
    // Opening alpha's TASK-0001 shows alpha's, not the global one's.
    await page.locator('.row[data-id="TASK-0001"]').click();
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'Alpha first');

    await page.goBack(); // alpha, nothing open
    await page.waitForSelector('.placeholder');
    await page.goBack(); // the global backlog, its TASK-0001 open
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'Global only');
    expect(params(page).has('project')).toBe(false);
    await page.waitForFunction(() => document.querySelector('.row[data-id] .row-title')?.textContent === 'Global only');
    expect(await switcher(page).getAttribute('aria-label')).toBe('Project: Global');
    await page.goForward();
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
    expect(await rowTitles(page)).toEqual(['Alpha first', 'Alpha under way']);
  });

  it('follows live changes of the shown project only, and follows the next one after a switch', async () => {
    const watch = await open(`/?project=${encodeURIComponent(alpha)}`);
    const { page } = watch;
    const asked: string[] = [];
    page.on('request', (request) => asked.push(request.url()));
    await page.waitForSelector('.row[data-id="TASK-0001"]');
    await streamFollows(alpha);
    // Beta's change first: were the page following beta, it would arrive before alpha's.
    await create(inBeta, 'Beta change while alpha is shown');
    const made = await create(inAlpha, 'Alpha change appears live');
    const row = page.locator(`.row[data-id="${made}"] .row-title`);
    await row.waitFor();
    expect(await row.textContent()).toBe('Alpha change appears live');
    expect(await rowTitles(page)).toEqual(['Alpha change appears live', 'Alpha first', 'Alpha under way']);
    expect(asked.filter((url) => url.includes(encodeURIComponent(beta)))).toEqual([]);

    // Now beta: the stream moves with the page.
    await switcher(page).click();
    await page.locator('.project-option', { hasText: 'beta' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
    expect(await rowTitles(page)).toEqual(['Beta change while alpha is shown', 'Beta zeppelin hangar']);
    await streamFollows(beta);
    await page.waitForSelector('.live-live');
    asked.length = 0;
    await create(inAlpha, 'Alpha change while beta is shown');
    const inB = await create(inBeta, 'Beta change appears live');
    await page.locator(`.row[data-id="${inB}"]`).waitFor();
    expect(await rowTitles(page)).toEqual([
      'Beta change appears live',
      'Beta change while alpha is shown',
      'Beta zeppelin hangar',
    ]);
    expect(asked.filter((url) => url.includes(encodeURIComponent(alpha)))).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('spotlight "All projects" finds another project’s item; choosing it switches there and opens it', async () => {
    const { page } = await open(`/?project=${encodeURIComponent(alpha)}`);
    await page.waitForSelector('.row[data-id]');
    await page.keyboard.press('Control+k');
    await page.keyboard.type('zeppelin');
    // Alpha alone has no zeppelin.
    await page.waitForFunction(() => document.querySelector('.spot-empty')?.textContent?.startsWith('No results'));
    const toggle = page.getByRole('button', { name: 'All projects' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('Alt+a'); // from the search box, which keeps the focus
    await page.waitForSelector('.spot-scope[aria-pressed="true"]');
    const hit = page.locator(`.hit[data-project="${beta}"]`);
    await hit.waitFor();
    expect(await hit.getAttribute('data-id')).toBe('TASK-0001');
    expect(await hit.locator('.hit-project').textContent()).toBe('beta');
    expect(await hit.locator('.hit-project').getAttribute('title')).toBe(beta);
    expect(await hit.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.spotlight', { state: 'detached' });
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'Beta zeppelin hangar');
    expect(params(page).get('project')).toBe(beta);
    expect(params(page).get('id')).toBe('TASK-0001');
    expect(await switcher(page).getAttribute('aria-label')).toBe('Project: beta');
    await page.waitForSelector('.row.selected[data-id="TASK-0001"]');
    expect(await page.locator('.row.selected .row-title').textContent()).toBe('Beta zeppelin hangar');
    // Remembered in this browser: the next search covers every project again.
    await page.keyboard.press('Control+k');
    await page.waitForSelector('.spot-scope[aria-pressed="true"]');
    await page.keyboard.press('Escape');
    // Back goes to alpha as it was.
    await page.goBack();
    await page.waitForFunction((path) => new URL(location.href).searchParams.get('project') === path, alpha);
    await page.waitForFunction(
      () => document.querySelector('.row[data-id="TASK-0001"] .row-title')?.textContent === 'Alpha first',
    );
  });

  it('fits a phone: the name in the bar, the list across the screen, nothing sideways', async () => {
    const width = 360;
    const { page } = await open(`/?project=${encodeURIComponent(beta)}`, {
      viewport: { width, height: 800 },
      dark: true,
    });
    await page.waitForSelector('.row[data-id]');
    const button = await switcher(page).boundingBox();
    expect(button?.x).toBeGreaterThanOrEqual(0);
    expect((button?.x ?? 0) + (button?.width ?? 0)).toBeLessThanOrEqual(width);
    expect(await page.locator('.project-button-name').textContent()).toBe('beta');
    await switcher(page).click();
    await page.waitForFunction(() => document.querySelectorAll('.project-option').length === 3);
    for (const option of await page.locator('.project-option').all()) {
      const box = await option.boundingBox();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);
    // A press outside closes the list.
    await page.mouse.click(width / 2, 700);
    await page.waitForSelector('.project-list', { state: 'detached' });
  });

  it('says so when the URL names a folder with no backlog, and offers the global one', async () => {
    const nowhere = join(root, 'not-a-project');
    await mkdir(nowhere);
    const { page } = await visit(`/?project=${encodeURIComponent(nowhere)}`);
    await page.waitForSelector('.missing-project');
    expect(await page.locator('.missing-project').textContent()).toContain('is not a backlog folder');
    expect(await switcher(page).getAttribute('aria-label')).toBe('Project: not-a-project');
    await page.getByRole('button', { name: 'Show the global backlog' }).click();
    await page.waitForFunction(() => document.querySelector('.row[data-id] .row-title')?.textContent === 'Global only');
    expect(params(page).has('project')).toBe(false);
  });
});
