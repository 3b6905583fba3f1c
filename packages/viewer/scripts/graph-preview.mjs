// node packages/viewer/scripts/graph-preview.mjs [out.png] — draws the dependency graph view
// (src/views/graph) on a small fixture in headless Chromium, before it is wired into the app:
// prints what the page shows, clicks a node, and writes a screenshot. A check by eye and a start
// for the browser test; CHROMIUM_PATH overrides /usr/bin/chromium.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const viewer = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? 'graph-preview.png';

const entry = `
import { render } from 'preact';
import { buildGraph } from './src/views/graph/graph-model.ts';
import { layoutGraph } from './src/views/graph/graph-layout.ts';
import { GraphView } from './src/views/graph/graph-view.tsx';
import './src/styles.css';
const t = (id, status, blocked_by = [], extra = {}) =>
  ({ id, title: 'Task ' + id, type: 'task', status, epic_id: 'EPIC-0001', blocked_by, ...extra });
const rows = [
  { id: 'EPIC-0001', title: 'Views', type: 'epic', status: 'open' },
  { id: 'FLDR-0001', title: 'Graph work', type: 'folder', status: 'open', parent_id: 'EPIC-0001' },
  t('TASK-0001', 'done'),
  t('TASK-0002', 'open', ['TASK-0001']),
  t('TASK-0003', 'in_progress', ['TASK-0002']),
  t('TASK-0004', 'open', ['TASK-0003', 'TASK-0002'], { parent_id: 'FLDR-0001' }),
  t('TASK-0005', 'blocked', ['TASK-0004'], { parent_id: 'FLDR-0001' }),
  t('TASK-0006', 'open', [], { assignee: 'agent', lease_until: '2099-01-01T00:00:00Z' }),
  t('TASK-0007', 'cancelled', ['TASK-0006']),
];
const model = buildGraph(rows, { root: 'EPIC-0001' });
window.opened = [];
render(
  <div style="height:600px;width:1000px">
    <GraphView layout={layoutGraph(model)} criticalPath={model.criticalPath}
      onOpen={(id) => window.opened.push(id)} viewport={{ width: 1000, height: 560 }} />
  </div>,
  document.body,
);`;

const built = await esbuild.build({
  stdin: { contents: entry, resolveDir: viewer, loader: 'tsx', sourcefile: 'graph-preview.tsx' },
  bundle: true,
  write: false,
  outdir: 'preview',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'error',
});
const js = built.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
const css = built.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 620 } });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body></body></html>`);
  await page.addScriptTag({ content: js });
  console.log(await page.locator('[data-testid=critical-length]').textContent());
  const count = (selector) => page.locator(selector).count();
  console.log(
    `nodes ${await count('.graph-node')}, arrows ${await count('.graph-edge')}, ready ${await count('.graph-node.ready')}`,
  );
  await page.locator('.graph-node[data-id="TASK-0004"]').click();
  console.log('opened', await page.evaluate(() => window.opened));
  await page.screenshot({ path: out });
  console.log(`screenshot: ${out}`);
} finally {
  await browser.close();
}
