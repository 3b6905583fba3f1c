import { readFile, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The built viewer ships in dist/viewer; unknown paths fall back to index.html (client-side routes). */
export function viewerDir(): string {
  return fileURLToPath(new URL('../../viewer/', import.meta.url));
}

export function createStaticViewer(root: string): (path: string) => Promise<Response | undefined> {
  return async (path) => {
    const base = await realpath(root).catch(() => undefined);
    if (!base) return undefined;
    // Dot paths are never the viewer's: /.well-known/* (an MCP client looking for OAuth) gets a plain 404.
    if (path.split('/').some((segment) => segment.startsWith('.'))) return undefined;
    const wanted = path === '/' || !extname(path) ? '/index.html' : path;
    let file: string;
    try {
      file = await realpath(join(base, decodeURIComponent(wanted)));
    } catch {
      return undefined;
    }
    if (!file.startsWith(base + sep)) return undefined;
    const body = await readFile(file);
    return new Response(body, {
      // Caching and security headers are added by createApp (app/viewer-headers.ts).
      headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' },
    });
  };
}
