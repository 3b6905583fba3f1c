// Copies the viewer's built files into dist/viewer, so the published package serves them.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';

const from = new URL('../../viewer/dist/', import.meta.url);
const fallback = new URL('../../viewer/public/', import.meta.url);
const to = new URL('../dist/viewer/', import.meta.url);
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
cpSync(existsSync(from) ? from : fallback, to, { recursive: true });
