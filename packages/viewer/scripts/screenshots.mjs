// Takes the README screenshots: starts the built server on a temporary backlog (and two project
// backlogs beside it), seeds them through MCP clients, and photographs the viewer in Debian's
// chromium, signed in with the server's token as `status` prints it.
//   npm run build && node packages/viewer/scripts/screenshots.mjs [outDir]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { connect, seedDemo, seedProject } from './demo-data.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outDir = process.argv[2] ?? join(root, 'docs/screenshots');
const cli = join(root, 'packages/server/dist/cli/index.js');

function startServer(dataDir) {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, BACKLOG_DATA_DIR: dataDir, BACKLOG_VIEWER_PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /MCP endpoint: (http:\/\/\S+)\/mcp/.exec(log);
      if (match) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}\n${log}`)));
  });
}

// A home of sorts: the global backlog in home/.backlog, projects under home/code.
const home = join(realpathSync(mkdtempSync(join(tmpdir(), 'backlog-shots-'))), 'home');
const dataDir = join(home, '.backlog');
mkdirSync(dataDir, { recursive: true });
const { url, child } = await startServer(dataDir);
const token = readFileSync(join(dataDir, '.state', 'server.token'), 'utf8').trim();
const auth = { authorization: `Bearer ${token}` };
const agents = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const ids = await seedDemo(url, auth);
  agents.push(await seedProjects());
  agents.push(await seedClaims(ids));
  mkdirSync(outDir, { recursive: true });
  const shoot = async (name, path, options = {}) => {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      deviceScaleFactor: options.scale ?? 1,
      colorScheme: options.dark ? 'dark' : 'light',
    });
    await context.request.get(`${url}/?token=${token}`, { maxRedirects: 0 });
    const page = await context.newPage();
    await page.goto(`${url}${path}`);
    await page.waitForSelector(options.waitFor ?? '.row');
    await options.act?.(page);
    await page.waitForTimeout(options.settle ?? 400);
    await page.screenshot({ path: join(outDir, `${name}.png`) });
    await context.close();
    console.log(`wrote ${join(outDir, `${name}.png`)}`);
  };
  await shoot('list-detail', `/?id=${ids.rrf}&status=all`, { waitFor: 'figure.mermaid svg', settle: 600 });
  await shoot('spotlight', `/?id=${ids.rrf}&status=all`, {
    waitFor: '.detail-title',
    act: async (page) => {
      await page.keyboard.press('Control+k');
      await page.keyboard.type('search ranking', { delay: 20 });
      await page.waitForSelector('.hit');
    },
  });
  await shoot('timeline', `/?view=activity&id=${ids.typo}`, { waitFor: '.tl-entry' });
  await shoot('progress', '/?view=progress', { waitFor: '.burnup svg' });
  await shoot('dark-mode', `/?id=${ids.rrf}&status=all`, {
    dark: true,
    waitFor: 'figure.mermaid svg',
    settle: 600,
    act: (page) => page.locator('figure.mermaid').evaluate((el) => el.scrollIntoView({ block: 'center' })),
  });
  await shoot('phone', `/?id=${ids.rrf}`, {
    viewport: { width: 390, height: 844 },
    scale: 2,
    waitFor: '.detail-title',
  });
  await shoot('agents', '/?view=agents', { waitFor: '.agent-item' });
  await shoot('projects', `/?id=${ids.rrf}&status=all`, {
    waitFor: '.detail-title',
    act: async (page) => {
      await page.locator('.project-button').click();
      await page.waitForSelector('.project-option >> nth=2');
    },
  });
  await shoot('spotlight-all-projects', `/?project=${encodeURIComponent(join(home, 'code', 'checkout-service'))}`, {
    act: async (page) => {
      await page.evaluate(() => localStorage.setItem('backlog-search-everywhere', '1'));
      await page.keyboard.press('Control+k');
      await page.keyboard.type('retry', { delay: 20 });
      await page.waitForSelector('.hit-project');
    },
  });
  // The board (issue 17): every status a column, the detail beside it; dark; and at phone width.
  await shoot('board', `/?view=board&done=all&id=${ids.rrf}`, { waitFor: '.board-detail .detail-title' });
  await shoot('board-dark', '/?view=board&done=all', { dark: true, waitFor: '.card[data-id]' });
  await shoot('board-phone', '/?view=board&done=all', {
    viewport: { width: 390, height: 844 },
    scale: 2,
    waitFor: '.card[data-id]',
  });
  // The dependency graph (issue 17): one epic with its finished work; the whole backlog in the dark.
  await shoot('graph', `/?view=graph&root=${ids.viewer}&done=all`, { waitFor: '.graph-node' });
  await shoot('graph-dark', '/?view=graph', { dark: true, waitFor: '.graph-node' });
} finally {
  for (const agent of agents.flat()) await agent.close().catch(() => undefined);
  await browser.close();
  // The server writes its state as it stops: the folder goes once it has.
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  rmSync(dirname(home), { recursive: true, force: true });
}

/** Two projects with their own `.backlog/`, each with an agent still connected. */
async function seedProjects() {
  const backlog = (name) => {
    const dir = join(home, 'code', name, '.backlog');
    mkdirSync(join(dir, 'tasks'), { recursive: true });
    return dir;
  };
  return Promise.all([
    seedProject(url, auth, backlog('checkout-service'), 'claude-code', [
      ['Retry card payments on a gateway timeout', 'in_progress'],
      ['Idempotency keys for the charge endpoint', 'open'],
      ['Split the refund worker from the API process', 'open'],
      ['Alert when the retry queue backs up', 'blocked'],
      ['Move secrets to the vault', 'done'],
    ]),
    seedProject(url, auth, backlog('mobile-app'), 'cursor-agent', [
      ['Offline queue for orders placed without a network', 'open'],
      ['Retry uploads with exponential backoff', 'open'],
      ['Dark mode for the receipt screen', 'done'],
    ]),
  ]);
}

/** Two agents holding work for the Agents view; still connected, so their claims are live. */
async function seedClaims(ids) {
  const claude = await connect(url, 'claude-code', auth);
  const codex = await connect(url, 'codex', auth);
  await claude.callTool({ name: 'backlog_update', arguments: { id: ids.rrf, claim: true } });
  await codex.callTool({ name: 'backlog_update', arguments: { id: ids.virtual, claim: true } });
  return [claude, codex];
}
