import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type PageWatch } from './support/browser.js';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Created {
  id: string;
}

const MARKDOWN = `Intro with **bold** text.

| name | value |
|------|------:|
| alpha | 1 |
| beta  | 2 |

- [x] done step
- [ ] open step

\`\`\`ts
const answer: number = 42;
\`\`\`

\`\`\`mermaid
flowchart LR
  A[write] --> B[event]
  B --> C[page]
\`\`\`
`;

// No retry and no short limits: every step waits on what the page shows (openPage sets a generous
// hang detector for all of them, support/limits.ts); how fast the page follows is in bench/viewer.mjs.
describe('the web viewer in a real browser', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let browser: Browser;
  let client: Client;
  const pages: PageWatch[] = [];

  const create = async (args: Record<string, unknown>) => (await call<Created>(client, 'backlog_create', args)).id;
  const update = (args: Record<string, unknown>) => call(client, 'backlog_update', args);
  const openAt = async (base: string, path = '/', options: Parameters<typeof openPage>[2] = {}) => {
    const watch = await openPage(browser, base, options);
    pages.push(watch);
    await watch.page.goto(`${base}${path}`);
    await watch.page.waitForSelector('.live-live');
    return watch;
  };
  const open = (path = '/', options: Parameters<typeof openPage>[2] = {}) => openAt(server.url, path, options);
  const search = (watch: PageWatch) => new URL(watch.page.url()).searchParams;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    client = await connectHttp(server.url, 'viewer-test-agent');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    await browser?.close();
    await client?.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  it('serves the bundled page, connected live, with no request to any other origin', async () => {
    await create({ title: 'First item' });
    const watch = await open('/');
    await watch.page.waitForSelector('.row[data-id]');
    expect(await watch.page.locator('.brand').textContent()).toContain('backlog');
    expect(watch.foreign).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('shows no data without the owner link, says how to sign in, and the link opens it with a clean address', async () => {
    await create({ title: 'Only for the owner' });
    const stranger = await openPage(browser, server.url, { signedOut: true });
    pages.push(stranger);
    await stranger.page.goto(`${server.url}/`);
    await stranger.page.waitForSelector('.signed-out');
    expect(await stranger.page.locator('.signed-out').textContent()).toContain('npx backlog-mcp status');
    expect(await stranger.page.locator('body').textContent()).not.toContain('Only for the owner');
    // The owner follows the link `status` prints, in the same browser.
    const token = authHeaders(server.url).authorization?.replace('Bearer ', '');
    await stranger.page.goto(`${server.url}/?status=all&token=${token}`);
    await stranger.page.waitForSelector('.row[data-id]');
    expect(stranger.page.url()).toBe(`${server.url}/?status=all`);
    const cookies = await stranger.context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ httpOnly: true, sameSite: 'Strict' })]);
    expect(cookies[0]?.value).not.toBe(token);
  });

  it('reloads what it shows when the server restarts (a new event stream), picking up changes made meanwhile', async () => {
    const own = await tempDataDir();
    const first = await startHttpServer(own);
    const port = new URL(first.url).port;
    const watch = await openPage(browser, first.url);
    pages.push(watch);
    await watch.page.goto(first.url);
    await watch.page.waitForSelector('.live-live');
    await first.stop();
    await writeFile(join(own, 'tasks', 'TASK-0042.md'), '---\ntitle: Written while the server was down\n---\n');
    const second = await startHttpServer(own, { BACKLOG_VIEWER_PORT: port });
    try {
      await watch.page.locator('.row[data-id="TASK-0042"]').waitFor();
    } finally {
      await second.stop();
      await removeDir(own);
    }
  });

  it('shows an item created through an MCP client, in place, without a reload', async () => {
    const watch = await open('/');
    await watch.page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const id = await create({ title: 'Appears live in the list' });
    const row = watch.page.locator(`.row[data-id="${id}"]`);
    await row.waitFor();
    expect(await row.locator('.row-title').textContent()).toBe('Appears live in the list');
    expect(await watch.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
      true,
    );
  });

  it('updates the open detail, the list and the timeline when the status changes', async () => {
    const id = await create({ title: 'Status moves along' });
    const watch = await open(`/?id=${id}`);
    const { page } = watch;
    await page.waitForSelector('.detail-title');
    expect(await page.locator('.detail .status-chip').textContent()).toContain('Open');
    await update({ id, status: 'in_progress' });
    await page.waitForSelector('.detail .status-chip.s-in_progress');
    await page.waitForSelector(`.row[data-id="${id}"] .status-icon.s-in_progress`);
    await page.waitForSelector('.detail .tl-entry.to-in_progress');
    // The activity view, filtered to this item, follows the next change too.
    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    await page.getByRole('button', { name: `Only ${id}` }).click();
    expect(search(watch).get('for')).toBe(id);
    await page.waitForSelector('.timeline-pane .tl-entry');
    await update({ id, status: 'done', evidence: ['checked in the browser'] });
    const done = page.locator('.timeline-pane .tl-entry.to-done');
    await done.first().waitFor();
    expect(await done.first().textContent()).toContain('viewer-test-agent');
    expect(await done.first().textContent()).toMatch(/status → Done/);
    await page.waitForSelector('.detail .status-chip.s-done');
    expect(await page.locator('.detail .evidence').textContent()).toContain('checked in the browser');
    // The selection survived every change.
    expect(search(watch).get('id')).toBe(id);
  });

  it('renders GitHub-flavoured Markdown: tables, task lists, highlighted code and Mermaid as SVG', async () => {
    const id = await create({ title: 'Markdown showcase', description: MARKDOWN });
    const { page } = await open(`/?id=${id}`);
    await page.waitForSelector('.markdown table');
    expect(await page.locator('.markdown th').count()).toBe(2);
    expect(await page.locator('.markdown input[type="checkbox"]').count()).toBe(2);
    expect(await page.locator('.markdown input[type="checkbox"]:checked').count()).toBe(1);
    expect(await page.locator('.markdown .hljs-keyword').count()).toBeGreaterThan(0);
    await page.waitForSelector('.markdown figure.mermaid svg');
    expect(await page.locator('.markdown figure.mermaid svg').first().textContent()).toContain('write');
    expect(await page.locator('.markdown pre.mermaid-source').count()).toBe(0);
  });

  it('lists the children of an epic and a folder, with breadcrumbs up the path', async () => {
    const epic = await create({ type: 'epic', title: 'Parent epic' });
    const folder = await create({ type: 'folder', title: 'A folder' });
    const child = await create({ title: 'Child in both', epic_id: epic, parent_id: folder });
    const { page } = await open(`/?id=${epic}&status=all`);
    await page.waitForSelector('.children');
    await page.locator(`.children a[href="?id=${child}"]`).click();
    await page.waitForSelector('.breadcrumbs .crumb a');
    expect(await page.locator('.detail-title').textContent()).toBe('Child in both');
    expect(await page.locator('.breadcrumbs').textContent()).toContain('A folder');
    await page.locator('.breadcrumbs .crumb a', { hasText: 'A folder' }).click();
    await page.waitForFunction((id) => document.querySelector('.detail-title')?.textContent === id, 'A folder');
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'Child in both');
  });

  it('keeps user-written HTML inert: titles, bodies, links and search results', async () => {
    const id = await create({
      title: '<img src=x onerror="window.__pwned=1;alert(1)">',
      description: [
        '<script>window.__pwned=2;alert(2)</script>',
        '<img src="x" onerror="window.__pwned=3;alert(3)">',
        '<svg onload="window.__pwned=4"><circle r="1"/></svg>',
        '<iframe src="javascript:alert(5)"></iframe>',
        '[click me](javascript:alert(6))',
        '<a href="javascript:alert(7)">raw link</a>',
        '<details open ontoggle="window.__pwned=8">x</details>',
        '```mermaid\nflowchart LR\n  A["<img src=x onerror=alert(9)>"] --> B\n```',
        'onerror= in plain text stays text',
      ].join('\n\n'),
    });
    const watch = await open(`/?id=${id}&status=all`);
    const { page } = watch;
    await page.waitForSelector('.detail-title');
    await page.waitForSelector(`.row[data-id="${id}"]`);
    await page.waitForSelector('.markdown figure.mermaid');
    // Open it in the spotlight too (its highlighter is another path to the DOM).
    await page.keyboard.press('Control+k');
    await page.keyboard.type('onerror');
    await page.waitForSelector('.hit');
    await page.keyboard.press('Escape');
    // Instead of a fixed pause: every image has loaded or failed (an injected onerror would have
    // been queued by then), and the page has run a frame and a task since.
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    expect(watch.dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.detail-title').textContent()).toBe('<img src=x onerror="window.__pwned=1;alert(1)">');
    const injected = await page.evaluate(() => ({
      handlers: document.querySelectorAll('[onerror],[onload],[ontoggle],[onclick]').length,
      scripts: [...document.querySelectorAll('script')].filter((s) => !s.src && s.textContent?.includes('pwned'))
        .length,
      iframes: document.querySelectorAll('iframe').length,
      jsLinks: document.querySelectorAll('a[href^="javascript"]').length,
      rowImages: document.querySelectorAll('.row img, .detail-title img').length,
    }));
    expect(injected).toEqual({ handlers: 0, scripts: 0, iframes: 0, jsLinks: 0, rowImages: 0 });
    expect(await page.locator('.markdown').textContent()).toContain('onerror= in plain text stays text');
  });

  it('spotlight: Ctrl+K and /, results as you type with highlights, tabs, keyboard navigation, Esc', async () => {
    const task = await create({ title: 'Zeppelin mooring checklist', description: 'Tie the zeppelin to the mast.' });
    const epic = await create({ type: 'epic', title: 'Zeppelin fleet' });
    const watch = await open('/');
    const { page } = watch;
    await page.keyboard.press('/');
    await page.waitForFunction(() => document.activeElement?.classList.contains('spot-input') === true);
    await page.keyboard.type('zeppelin');
    await page.waitForSelector(`#hit-${task}`);
    await page.waitForSelector(`#hit-${epic}`);
    expect((await page.locator('.hit mark').first().textContent())?.toLowerCase()).toBe('zeppelin');
    expect(search(watch).get('spot')).toBe('zeppelin');
    await page.getByRole('tab', { name: 'Epics' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.hit').length === 1);
    expect(await page.locator('.hit').getAttribute('id')).toBe(`hit-${epic}`);
    await page.getByRole('tab', { name: 'All', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.hit').length >= 2);
    await page.keyboard.press('ArrowDown');
    const second = (await page.locator('.hit[aria-selected="true"]').getAttribute('id'))?.replace('hit-', '');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.spotlight', { state: 'detached' });
    expect(search(watch).get('id')).toBe(second);
    await page.waitForFunction((id) => document.querySelector('.crumb.current')?.textContent === id, second);
    await page.keyboard.press('Control+k');
    // Keys go where the focus is: the input takes it just after the dialog appears.
    await page.waitForFunction(() => document.activeElement?.classList.contains('spot-input') === true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.spotlight', { state: 'detached' });
    expect(search(watch).has('spot')).toBe(false);
  });

  it('spotlight snippets are plain text: no Markdown syntax, the matched word highlighted', async () => {
    const id = await create({
      title: 'Backoff policy for flaky uploads',
      description: [
        '## Plan',
        '',
        'Use a **bold retry** with jitter, see [the guide](https://example.com/guide).',
        '',
        '- [ ] retry box checked by `uploader`',
        '',
        '```ts',
        'const policy = retry({ attempts: 3 });',
        '```',
      ].join('\n'),
    });
    const { page } = await open('/');
    await page.keyboard.press('Control+k');
    await page.waitForSelector('.spotlight .spot-input');
    await page.keyboard.type('retry');
    const snippet = page.locator(`#hit-${id} .hit-snippet`);
    await snippet.waitFor();
    const text = (await snippet.textContent()) ?? '';
    for (const syntax of ['**', '[ ]', '```', '](', '## ', '`'])
      expect(text, `"${syntax}" in ${text}`).not.toContain(syntax);
    expect(text).toContain('bold retry with jitter, see the guide.');
    expect(text).toContain('const policy = retry({ attempts: 3 });');
    const marks = await snippet.locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThanOrEqual(3);
    expect(marks.every((mark) => mark.toLowerCase() === 'retry')).toBe(true);
    // One hit is counted in the singular.
    await page.fill('.spotlight .spot-input', 'jitter');
    await page.waitForFunction(() => document.querySelector('.spot-count')?.textContent === '1 result');
  });

  it('names the search shortcut the way the platform does: Ctrl K on Linux, ⌘K on Apple systems', async () => {
    const linux = await open('/');
    const shortcuts = async (page: typeof linux.page) => ({
      topbar: await page.locator('.search-button kbd').textContent(),
      hint: (await page.locator('.placeholder .shortcuts li', { hasText: 'search' }).textContent())?.trim(),
      name: await page.locator('.search-button').getAttribute('aria-label'),
    });
    expect(await linux.page.evaluate(() => navigator.platform)).toMatch(/linux/i);
    expect(await shortcuts(linux.page)).toEqual({
      topbar: 'Ctrl K',
      hint: '/ or Ctrl K search',
      name: 'Search (Ctrl+K)',
    });
    expect(await linux.page.locator('body').textContent()).not.toContain('⌘');
    // The same page on a Mac (platform reported as a Mac's, before the page's scripts run).
    const mac = await openPage(browser, server.url);
    pages.push(mac);
    await mac.context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'platform', { get: () => 'MacIntel' });
      Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => ({ platform: 'macOS' }) });
    });
    await mac.page.goto(server.url);
    await mac.page.waitForSelector('.live-live');
    expect(await shortcuts(mac.page)).toEqual({ topbar: '⌘K', hint: '/ or ⌘K search', name: 'Search (Command+K)' });
  });

  it('filters by status, type and epic, and keeps filters and selection through reload and back/forward', async () => {
    const epic = await create({ type: 'epic', title: 'Filter epic' });
    const inEpicOpen = await create({ title: 'In epic, open', epic_id: epic });
    const inEpicDone = await create({ title: 'In epic, done', epic_id: epic });
    await update({ id: inEpicDone, status: 'done' });
    const outside = await create({ title: 'Outside the epic' });
    const watch = await open('/');
    const { page } = watch;
    await page.waitForSelector(`.row[data-id="${outside}"]`);
    await page.locator('.seg', { hasText: 'Done' }).click();
    await page.waitForSelector(`.row[data-id="${inEpicDone}"]`);
    expect(await page.locator(`.row[data-id="${inEpicOpen}"]`).count()).toBe(0);
    expect(search(watch).get('status')).toBe('done');
    await page.locator('.seg', { hasText: 'All' }).click();
    await page.selectOption('select[aria-label="Epic filter"]', epic);
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
    await page.selectOption('select[aria-label="Type filter"]', 'task');
    await page.locator(`.row[data-id="${inEpicOpen}"]`).click();
    await page.waitForSelector('.detail-title');
    await page.locator('select[aria-label="Sort"]').selectOption('created');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id: inEpicOpen,
      status: 'all',
      type: 'task',
      epic,
      sort: 'created',
    });
    await page.reload();
    await page.waitForSelector('.detail-title');
    await page.waitForSelector(`.row[data-id="${inEpicDone}"]`);
    expect(await page.locator('.row[data-id]').count()).toBe(2);
    expect(await page.locator('select[aria-label="Epic filter"]').inputValue()).toBe(epic);
    expect(await page.locator('.row.selected').getAttribute('data-id')).toBe(inEpicOpen);
    expect(await page.locator('.detail-title').textContent()).toBe('In epic, open');
    await page.goBack(); // before "sort=created"
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('sort'));
    await page.goBack(); // before the selection
    await page.waitForSelector('.placeholder');
    await page.goForward();
    await page.waitForSelector('.detail-title');
    expect(search(watch).get('id')).toBe(inEpicOpen);
    // The list's word filter is in the URL too.
    await page.locator('input[aria-label="Filter the list"]').fill('outside');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'outside');
  });

  it('works by keyboard alone: j/k move, Enter opens, Esc closes', async () => {
    const { page } = await open('/');
    await page.waitForSelector('.row[data-id]');
    const ids = await page.locator('.row[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    expect(await page.locator('.row.cursor').getAttribute('data-id')).toBe(ids[1]);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.detail-title');
    expect(new URL(page.url()).searchParams.get('id')).toBe(ids[1]);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.placeholder');
    expect(new URL(page.url()).searchParams.has('id')).toBe(false);
  });

  it('at phone width shows the detail as a full-screen pane with a back button', async () => {
    const { page } = await open('/', { viewport: { width: 390, height: 844 } });
    await page.locator('.row[data-id]').first().click();
    await page.waitForSelector('.detail-title');
    const box = await page.locator('.right-pane').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.waitForSelector('.right-pane', { state: 'hidden' });
    expect(await page.locator('.row[data-id]').first().isVisible()).toBe(true);
  });

  it('follows an edit made directly to the Markdown file on disk', async () => {
    const id = await create({ title: 'Edited by hand later' });
    const { page } = await open(`/?id=${id}`);
    await page.waitForSelector('.detail-title');
    const file = join(dataDir, 'tasks', `${id}.md`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('title: Edited by hand later', 'title: Edited in a text editor'));
    await page.waitForFunction(
      () => document.querySelector('.detail-title')?.textContent === 'Edited in a text editor',
    );
    await page.waitForFunction(
      (rowId) =>
        document.querySelector(`.row[data-id="${rowId}"] .row-title`)?.textContent === 'Edited in a text editor',
      id,
    );
  });

  it('follows the system colour scheme and has a theme toggle', async () => {
    const { page } = await open('/', { dark: true });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(13, 17, 23)');
    await page.getByRole('button', { name: /^Theme:/ }).click();
    const light = () => getComputedStyle(document.body).backgroundColor === 'rgb(255, 255, 255)';
    await page.waitForFunction(light);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    await page.waitForSelector('.topbar');
    expect(await background()).toBe('rgb(255, 255, 255)');
  });
  describe('labels, and the list at phone widths', () => {
    let labelled: Awaited<ReturnType<typeof startHttpServer>>;
    let labelledDir: string;
    const HOSTILE = '<img src=x onerror="window.__pwned=1">';

    /** Items written as Markdown files before the server starts, the way a user or git would. */
    const item = (id: string, title: string, extra = '', status = 'open'): [string, string] => [
      id,
      `---\ntitle: ${title}\nstatus: ${status}\n${extra}---\nBody of ${title}.\n`,
    ];

    beforeAll(async () => {
      labelledDir = await tempDataDir();
      const tasks = join(labelledDir, 'tasks');
      await mkdir(tasks, { recursive: true });
      const files: [string, string][] = [
        item('TASK-0001', 'Frontend bug', 'labels: [frontend, bug]\n'),
        item('TASK-0002', 'Frontend only', 'labels: [frontend]\n'),
        item('TASK-0003', 'Backend bug', 'labels: [bug, backend]\n'),
        // Written in capitals by hand: labels compare lower-case.
        item('TASK-0004', 'Frontend bug in capitals', 'labels: [Frontend, BUG, ui]\n'),
        item('TASK-0005', 'A label that looks like HTML', `labels: ['${HOSTILE}', frontend]\n`),
        item('TASK-0006', 'No labels at all'),
      ];
      // Enough finished items for four-digit counts in the status buttons (what widened the page on phones).
      for (let n = 100; n < 1200; n++)
        files.push(item(`TASK-${String(n).padStart(4, '0')}`, `Finished item ${n}`, '', 'done'));
      for (let i = 0; i < files.length; i += 300)
        await Promise.all(files.slice(i, i + 300).map(([id, text]) => writeFile(join(tasks, `${id}.md`), text)));
      labelled = await startHttpServer(labelledDir);
    });

    afterAll(async () => {
      await labelled?.stop();
      if (labelledDir) await removeDir(labelledDir);
    });

    const rowIds = (page: PageWatch['page']) =>
      page.locator('.row[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')).sort());
    const chips = (page: PageWatch['page'], scope: string) => page.locator(`${scope} .label-chip`).allTextContents();

    it('shows labels as inert chips, filters by all chosen labels from a chip and the filter bar, and keeps them in the URL', async () => {
      const watch = await openAt(labelled.url, '/');
      const { page } = watch;
      await page.waitForSelector('.row[data-id="TASK-0005"]');
      expect(await chips(page, '.row[data-id="TASK-0001"]')).toEqual(['frontend', 'bug']);
      expect(await chips(page, '.row[data-id="TASK-0004"]')).toEqual(['frontend', 'bug', 'ui']);
      expect(await chips(page, '.row[data-id="TASK-0006"]')).toEqual([]);
      // A label is text, never markup.
      expect(await chips(page, '.row[data-id="TASK-0005"]')).toEqual([HOSTILE.toLowerCase(), 'frontend']);
      expect(await page.locator('.row img, .label-chip img').count()).toBe(0);
      // A chip in a row filters the list (and does not open the row).
      await page.locator('.row[data-id="TASK-0002"] .label-chip', { hasText: 'frontend' }).click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('labels') === 'frontend');
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 4);
      expect(await rowIds(page)).toEqual(['TASK-0001', 'TASK-0002', 'TASK-0004', 'TASK-0005']);
      expect(new URL(page.url()).searchParams.has('id')).toBe(false);
      // The filter bar adds a second label: items must carry both.
      await page.selectOption('select[aria-label="Label filter"]', 'bug');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('labels') === 'frontend,bug');
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
      expect(await rowIds(page)).toEqual(['TASK-0001', 'TASK-0004']);
      expect(await chips(page, '.label-filter')).toEqual(['frontend×', 'bug×']);
      // Kept across a reload, and back/forward step through the label changes.
      await page.reload();
      await page.waitForSelector('.row[data-id="TASK-0004"]');
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
      expect(await rowIds(page)).toEqual(['TASK-0001', 'TASK-0004']);
      expect(await chips(page, '.label-filter')).toEqual(['frontend×', 'bug×']);
      await page.goBack();
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 4);
      expect(new URL(page.url()).searchParams.get('labels')).toBe('frontend');
      await page.goForward();
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 2);
      // The detail shows the labels as chips too, pressed when they are in the filter.
      await page.locator('.row[data-id="TASK-0004"]').click();
      await page.waitForSelector('.detail-labels');
      expect(await chips(page, '.detail-labels')).toEqual(['frontend', 'bug', 'ui']);
      expect(await page.locator('.detail-labels .label-chip[aria-pressed="true"]').allTextContents()).toEqual([
        'frontend',
        'bug',
      ]);
      // Removing a chosen label widens the list again.
      await page.locator('.label-filter .label-chip', { hasText: 'frontend' }).click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('labels') === 'bug');
      await page.waitForFunction(() => document.querySelectorAll('.row[data-id]').length === 3);
      expect(await rowIds(page)).toEqual(['TASK-0001', 'TASK-0003', 'TASK-0004']);
      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    });

    it('label chips are readable in dark and light mode', async () => {
      const luminance = async (page: PageWatch['page']) =>
        page.locator('.row[data-id="TASK-0001"] .label-chip').evaluateAll((all) =>
          all.map((chip) => {
            // Through a canvas: any CSS colour syntax comes out as sRGB bytes.
            const context = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
            context.fillStyle = getComputedStyle(chip).color;
            context.fillRect(0, 0, 1, 1);
            const [r = 0, g = 0, b = 0] = context.getImageData(0, 0, 1, 1).data;
            return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
          }),
        );
      const dark = await openAt(labelled.url, '/?labels=frontend', { dark: true });
      await dark.page.waitForSelector('.row[data-id="TASK-0001"] .label-chip');
      const light = await openAt(labelled.url, '/?labels=frontend');
      await light.page.waitForSelector('.row[data-id="TASK-0001"] .label-chip');
      // Light text on the dark page, dark text on the light one.
      for (const value of await luminance(dark.page)) expect(value).toBeGreaterThan(0.6);
      for (const value of await luminance(light.page)) expect(value).toBeLessThan(0.45);
    });

    for (const width of [360, 390, 414])
      it(`fits a ${width} px wide phone: no sideways scrolling, every control and row time in view`, async () => {
        const { page } = await openAt(labelled.url, '/?status=all', {
          viewport: { width, height: 800 },
          dark: width === 390,
        });
        // Four-digit counts in the status buttons (the widest they get here) and every control shown.
        await page.waitForFunction(() => document.querySelector('.seg.active .seg-count')?.textContent === '1106');
        await page.waitForSelector('.row[data-id] time');
        expect(
          await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })),
        ).toEqual({ scroll: width, inner: width });
        /** Every element the selector matches is fully inside the viewport's width, and usable. */
        const inView = async (selector: string) => {
          const all = await page.locator(selector).all();
          expect(all.length, selector).toBeGreaterThan(0);
          for (const element of all) {
            const box = await element.boundingBox();
            expect(box, selector).not.toBeNull();
            if (!box) return;
            expect(box.x, selector).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width, selector).toBeLessThanOrEqual(width);
            // Usable, not squeezed to nothing.
            expect(box.width, selector).toBeGreaterThanOrEqual(24);
          }
        };
        for (const control of ['Sort', 'Epic filter', 'Status filter', 'Type filter'])
          await inView(`select[aria-label="${control}"]`);
        await inView('.segmented');
        const times = await page.locator('.row[data-id] time').all();
        expect(times.length).toBeGreaterThan(5);
        for (const time of times) {
          const box = await time.boundingBox();
          if (!box || box.y > 800) continue; // rendered below the fold
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(width);
        }
        // The label filter too (it appears once the labels in use are known), and the chips it adds.
        await page.selectOption('select[aria-label="Label filter"]', 'frontend');
        await page.waitForSelector('.label-filter .label-chip');
        await inView('select[aria-label="Label filter"]');
        await inView('.label-filter .label-chip');
        // The list is filtered by a request of its own: TASK-0001 (the oldest of 1,106) is rendered
        // once the filtered list is back, not when the filter chip shows.
        await page.waitForSelector('.row[data-id="TASK-0001"] .label-chip');
        await inView('.row[data-id="TASK-0001"] .label-chip');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);
      });
  });
});
