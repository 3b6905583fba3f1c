import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { openPage, type PageWatch } from './browser.js';
import { HANG } from './limits.js';
import { type Reply, send } from './raw-http.js';
import { authHeaders } from './servers.js';

/**
 * Every HTTP request these tests make to a local `serve` goes through this file: the owner's
 * bearer token (servers.ts authHeaders); pages sign in through the owner's link (browser.ts).
 */
export function localCredentials(base: string): Record<string, string> {
  return authHeaders(base);
}

/** One raw request to the local server (raw-http.ts), with its credentials. */
export function localSend(base: string, path: string, options: Parameters<typeof send>[2] = {}): Promise<Reply> {
  return send(base, path, { ...options, headers: { ...localCredentials(base), ...options.headers } });
}

/** A browser page signed in to the local server the way its owner is: through the `/?token=` link. */
export function openLocalPage(
  browser: Browser,
  base: string,
  options: Parameters<typeof openPage>[2] = {},
): Promise<PageWatch> {
  return openPage(browser, base, options);
}

export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** What arrived so far (the whole body for a refusal). */
  body(): string;
  /** Resolves once the body holds `text` (or the response ended without it). */
  waitFor(text: string): Promise<boolean>;
  /** Drops the connection, as a closed tab does. */
  close(): void;
  /** Resolves when the connection is gone. */
  closed: Promise<void>;
}

/**
 * Opens `/events` (or another streaming path) and keeps it open. `localAddress` picks the
 * client's source address: any 127.x.y.z reaches a server on 127.0.0.1, so one test can be
 * several clients.
 */
export function openLocalStream(
  base: string,
  options: { path?: string; localAddress?: string; headers?: Record<string, string> } = {},
): Promise<OpenStream> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: options.path ?? '/events',
        method: 'GET',
        headers: { accept: 'text/event-stream', ...localCredentials(base), ...options.headers },
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        let ended = false;
        const waiters = new Set<() => void>();
        const notify = () => {
          for (const waiter of waiters) waiter();
        };
        res.setEncoding('utf8');
        // A connection this side drops reports "aborted" on the response: expected, not a failure.
        res.on('error', () => undefined);
        res.on('data', (chunk: string) => {
          body += chunk;
          notify();
        });
        const closed = new Promise<void>((done) => {
          res.on('close', () => {
            ended = true;
            notify();
            done();
          });
        });
        res.on('end', () => {
          ended = true;
          notify();
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: () => body,
          waitFor: (text) =>
            new Promise((done) => {
              const check = () => {
                if (body.includes(text) || ended) {
                  waiters.delete(check);
                  done(body.includes(text));
                }
              };
              waiters.add(check);
              check();
            }),
          close: () => req.destroy(),
          closed,
        });
      },
    );
    // A hang detector: no response headers at all.
    req.setTimeout(HANG.condition, () => req.destroy(new Error('no response from /events')));
    req.once('response', () => req.setTimeout(0));
    req.on('error', reject);
    req.end();
  });
}
