import type { Fetcher } from './config.js';

/**
 * The viewer's files from the static-assets binding. Assets are configured with
 * `run_worker_first`, so every file passes the Worker's authentication first.
 */
export function assetViewer(assets: Fetcher | undefined): (path: string) => Promise<Response | undefined> {
  return async (path) => {
    if (!assets) return undefined;
    let response = await assets.fetch(new Request(new URL(path, 'https://assets.invalid')));
    // Client-side routes have no file: serve the app's page.
    if (response.status === 404 && !/\.[A-Za-z0-9]+$/.test(path)) {
      response = await assets.fetch(new Request('https://assets.invalid/index.html'));
    }
    if (!response.ok) return undefined;
    // Caching and security headers (the CSP) are added by createApp (app/viewer-headers.ts).
    return response;
  };
}
