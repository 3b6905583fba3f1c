// Copies the viewer's built files into dist/viewer, so the published package serves them.
// The root build runs the viewer's `vite build` first; if it has not run, a small page says so.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const from = new URL('../../viewer/dist/', import.meta.url);
const to = new URL('../dist/viewer/', import.meta.url);
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
if (existsSync(new URL('index.html', from))) {
  cpSync(from, to, { recursive: true });
} else {
  process.stderr.write('copy-viewer: packages/viewer/dist is missing; run `npm run build -w packages/viewer`\n');
  writeFileSync(
    new URL('index.html', to),
    '<!doctype html><meta charset="utf-8"><title>backlog</title>' +
      '<p style="font-family:system-ui;margin:2rem">The viewer is not built. Run <code>npm run build</code> at the repository root.</p>\n',
  );
}
