// Takes the README screenshots: starts the built server on a temporary backlog, seeds it
// through MCP clients, and photographs the viewer in Debian's chromium.
//   npm run build && node packages/viewer/scripts/screenshots.mjs [outDir]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { seedDemo } from './demo-data.mjs';

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

const dataDir = mkdtempSync(join(tmpdir(), 'backlog-shots-'));
const { url, child } = await startServer(dataDir);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const ids = await seedDemo(url);
  mkdirSync(outDir, { recursive: true });
  const shoot = async (name, path, options = {}) => {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      deviceScaleFactor: options.scale ?? 1,
      colorScheme: options.dark ? 'dark' : 'light',
    });
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
} finally {
  await browser.close();
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
