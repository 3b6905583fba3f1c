import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type PageWatch } from './support/browser.js';
import { expectViewerPolicy, recordViolations } from './support/csp.js';
import { localSend, openLocalPage } from './support/local-http.js';
import { removeDir, startHttpServer, tempDataDir } from './support/servers.js';

// A 1×1 transparent PNG: what the counting server answers, so a fetched image would render.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

const SHOWCASE = `Intro with **bold** text and a [link](https://example.invalid/page).

| name | value |
|------|------:|
| alpha | 1 |

- [x] done step

\`\`\`ts
const answer: number = 42;
\`\`\`

\`\`\`mermaid
flowchart LR
  A[write] --> B[event]
  B --> C[page]
\`\`\`

![inline pixel](data:image/png;base64,${PIXEL.toString('base64')})
`;

describe("the local viewer's Content-Security-Policy", () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let browser: Browser;
  let counter: Server;
  let remote: string;
  const hits: string[] = [];
  const pages: PageWatch[] = [];

  const open = async (path: string, options: { dark?: boolean } = {}) => {
    const watch = await openLocalPage(browser, server.url, options);
    pages.push(watch);
    const violations = await recordViolations(watch);
    await watch.page.goto(`${server.url}${path}`);
    await watch.page.waitForSelector('.live-live');
    return { ...watch, violations };
  };

  beforeAll(async () => {
    counter = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
      res.end(PIXEL);
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    remote = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;

    dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    const hostile = [
      `![x](${remote}/pixel.png)`,
      '',
      `<img src="${remote}/raw.png" alt="raw alt">`,
      '',
      `<img srcset="${remote}/srcset.png 2x" alt="set">`,
      '',
      `<p style="background-image: url(${remote}/background.png)">styled paragraph</p>`,
      '',
    ].join('\n');
    await writeFile(join(dataDir, 'tasks', 'TASK-0001.md'), `---\ntitle: Remote images\n---\n${hostile}`);
    await writeFile(
      join(dataDir, 'tasks', 'TASK-0002.md'),
      `---\ntitle: Markdown showcase\nlabels: [frontend, bug]\n---\n${SHOWCASE}`,
    );
    server = await startHttpServer(dataDir);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const watch of pages) await watch.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => counter?.close(resolve));
    if (dataDir) await removeDir(dataDir);
  });

  it('sends the strict policy, frame-ancestors none, X-Frame-Options DENY and nosniff with the page and its routes', async () => {
    for (const path of ['/', '/?id=TASK-0001', '/some/client/route', '/favicon.svg']) {
      const reply = await localSend(server.url, path, { headers: { accept: 'text/html' } });
      expect(reply.status, path).toBe(200);
      expectViewerPolicy(reply.headers['content-security-policy'], path);
      expect(reply.headers['x-frame-options'], path).toBe('DENY');
      expect(reply.headers['x-content-type-options'], path).toBe('nosniff');
      expect(reply.headers['referrer-policy'], path).toBe('no-referrer');
    }
    // The page itself runs no inline script: everything it loads is a file of its own origin.
    const html = (await localSend(server.url, '/')).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('never fetches a remote image from an item: it shows a link to it instead, and the policy refuses any other', async () => {
    const { page, violations } = await open('/?id=TASK-0001');
    await page.waitForSelector('.detail .markdown');
    // Every image in the body has settled (loaded, failed or refused): a fetch would have reached the counter.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.markdown img')].every((img) => img.complete),
    );
    const link = page.locator(`.markdown a.remote-image[href="${remote}/pixel.png"]`);
    expect(await link.textContent()).toBe('x');
    const raw = page.locator('.markdown img[alt="raw alt"]');
    expect(await raw.getAttribute('src')).toBeNull();
    expect(await raw.getAttribute('title')).toContain(`${remote}/raw.png`);
    expect(await page.locator('.markdown img[srcset]').count()).toBe(0);
    expect(await page.locator('.markdown p', { hasText: 'styled paragraph' }).getAttribute('style')).toBeNull();
    // Behind the renderer, the policy: an image the page asks for anyway is refused, not fetched.
    const probe = await page.evaluate(
      (url) =>
        new Promise<{ loaded: boolean; directive?: string }>((resolve) => {
          let failed = false;
          let directive: string | undefined;
          const settle = () => {
            if (failed && directive) resolve({ loaded: false, directive });
          };
          document.addEventListener('securitypolicyviolation', (event) => {
            if (event.blockedURI !== url) return;
            directive = event.effectiveDirective;
            settle();
          });
          const image = new Image();
          image.onload = () => resolve({ loaded: true });
          image.onerror = () => {
            failed = true;
            settle();
          };
          image.src = url;
        }),
      `${remote}/probe.png`,
    );
    expect(probe).toEqual({ loaded: false, directive: 'img-src' });
    expect(hits).toEqual([]);
    // The only refusal was the probe: the viewer's own files and the item's body asked for nothing else.
    expect(violations().map((v) => v.blockedURI)).toEqual([`${remote}/probe.png`]);
  });

  it('runs with no policy violation and no console error: list, labels, Markdown, code, Mermaid, activity, spotlight, dark theme', async () => {
    const before = hits.length;
    const { page, errors, foreign, violations } = await open('/?id=TASK-0002');
    await page.waitForSelector('.row[data-id="TASK-0002"] .label-chip');
    await page.waitForSelector('.markdown table');
    await page.waitForSelector('.markdown .hljs-keyword');
    await page.waitForSelector('.markdown figure.mermaid svg');
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.markdown img')].every((img) => img.complete),
    );
    expect(
      await page.locator('.markdown img[src^="data:"]').evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).toBe(1);
    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    await page.waitForSelector('.timeline-pane');
    await page.keyboard.press('Control+k');
    await page.waitForSelector('.spotlight .spot-input');
    await page.fill('.spotlight .spot-input', 'showcase');
    await page.waitForSelector('.spotlight .hit');
    await page.keyboard.press('Escape');
    // The saved theme is applied before the first paint by the page's own script file.
    await page.evaluate(() => localStorage.setItem('backlog-theme', 'dark'));
    await page.reload();
    await page.waitForSelector('.live-live');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(violations()).toEqual([]);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(hits.length).toBe(before);
  });
});
