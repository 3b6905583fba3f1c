import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.js';
import { HANG } from '../support/limits.js';
import { pkce } from './support/oauth.js';
import { GITHUB_URL, SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

/**
 * Consent is bound to the browser that saw the consent page. The attack this guards against:
 * an attacker registers its own redirect URI, opens /authorize with its own PKCE challenge,
 * copies the signed `req` out of the page and sends the owner a one-click link that starts the
 * GitHub sign-in; GitHub approves an app it knows without a click and the code goes to the attacker.
 */

const ATTACKER = 'https://attacker.example/cb';

/** mcp-remote's callback shape: an HTTP listener on 127.0.0.1:<port>/oauth/callback. */
interface Callback {
  url: string;
  received: URL[];
  /** Resolves with the first request to /oauth/callback. */
  first: Promise<URL>;
  close(): Promise<void>;
}

async function callbackListener(): Promise<Callback> {
  const received: URL[] = [];
  let resolve: (url: URL) => void = () => {};
  const first = new Promise<URL>((r) => {
    resolve = r;
  });
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oauth/callback') {
      received.push(url);
      resolve(url);
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Authorization complete</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth/callback`,
    received,
    first,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Fails when `promise` has not settled within a hang limit: a wait on a condition, not a clock. */
function orHang<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what}`)), HANG.condition);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe('consent is bound to the browser that saw the consent page', () => {
  let w: WorkerHarness;
  let browser: Browser;

  const register = async (redirect: string) => {
    const response = await w.fetch('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Some Agent', redirect_uris: [redirect] }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { client_id: string }).client_id;
  };

  const authorizeQuery = (clientId: string, redirect: string, challenge: string) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirect,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-attack',
    }).toString();

  /** The attacker's half: its own client and challenge, and the `req` copied out of its consent page. */
  const attackerReq = async (redirect: string) => {
    const clientId = await register(redirect);
    const page = await w.fetch(`/authorize?${authorizeQuery(clientId, redirect, pkce().challenge)}`);
    const html = await page.text();
    return {
      req: /name="req" value="([^"]+)"/.exec(html)?.[1] ?? '',
      consent: /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '',
    };
  };

  /** Nothing the Worker answered sends the browser to GitHub or to the attacker with a code. */
  const expectNoConsent = async (response: Response) => {
    const location = response.headers.get('location') ?? '';
    const body = await response.text();
    expect(location).not.toContain('attacker.example');
    expect(location).not.toContain(GITHUB_URL);
    expect(body).not.toContain('attacker.example');
    expect(body).not.toContain(GITHUB_URL);
    expect(response.status).toBeGreaterThanOrEqual(400);
  };

  beforeAll(async () => {
    [w, browser] = await Promise.all([startWorker(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it('refuses the one-click GitHub link and consent POSTs without this browser’s nonce', async () => {
    const { req, consent } = await attackerReq(ATTACKER);
    expect(req).not.toBe('');
    const link = `/oauth/github/start?req=${encodeURIComponent(req)}`;
    await expectNoConsent(await w.fetch(link));
    const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      w.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form),
      });
    for (const path of ['/oauth/github/start', '/authorize']) {
      const key: Record<string, string> = path === '/authorize' ? { api_key: SECRETS.API_KEY } : {};
      // No cookie at all (the owner's browser never saw the attacker's consent page).
      await expectNoConsent(await post(path, { req, consent, ...key }));
      // The owner's own consent cookie, from a consent page of their own: not this req's nonce.
      const own = await w.fetch('/login');
      const ownCookie = (own.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
      await expectNoConsent(await post(path, { req, consent, ...key }, { cookie: ownCookie }));
      const ownNonce = ownCookie.split('=')[1] as string;
      await expectNoConsent(await post(path, { req, consent: ownNonce, ...key }, { cookie: ownCookie }));
      // The right cookie but a form nonce that differs (double submit), or a foreign Origin.
      const right = `backlog_consent=${consent}`;
      await expectNoConsent(await post(path, { req, consent: 'wrong', ...key }, { cookie: right }));
      await expectNoConsent(
        await post(path, { req, consent, ...key }, { cookie: right, origin: 'https://attacker.example' }),
      );
    }
    expect(await w.sql('SELECT * FROM oauth_codes')).toEqual([]);
  });

  it('gives a fresh browser that opens the one-click link no code for the client (Chromium)', async () => {
    const listener = await callbackListener();
    const watch = await openPage(browser, w.url);
    try {
      const { req } = await attackerReq(listener.url);
      // GitHub cannot be routed here (Playwright does not route redirect hops, and github.test does
      // not resolve): if the browser was sent there, play GitHub approving a known app without a
      // click, as the real one does, by following its redirect back to the Worker's callback.
      const link = `${w.url}/oauth/github/start?req=${encodeURIComponent(req)}`;
      const response = await watch.page.goto(link).catch(() => null);
      const toGithub = watch.foreign.find((url) => url.startsWith(GITHUB_URL));
      if (toGithub) {
        const state = encodeURIComponent(new URL(toGithub).searchParams.get('state') ?? '');
        const code = w.github.approve('alice');
        await watch.page.goto(`${w.url}/oauth/github/callback?code=${code}&state=${state}`).catch(() => null);
      }
      expect(listener.received).toEqual([]);
      expect(toGithub).toBeUndefined();
      expect(response?.status()).toBe(405);
      expect(await w.sql('SELECT * FROM oauth_codes')).toEqual([]);
    } finally {
      await watch.context.close();
      await listener.close();
    }
  });

  it('signs in with the API key in Chromium and sends code and state to a loopback callback', async () => {
    const listener = await callbackListener();
    const watch = await openPage(browser, w.url);
    try {
      const clientId = await register(listener.url);
      const { verifier, challenge } = pkce();
      await watch.page.goto(`${w.url}/authorize?${authorizeQuery(clientId, listener.url, challenge)}`);
      await watch.page.fill('input[name="api_key"]', SECRETS.API_KEY);
      await watch.page.click('form[action="/authorize"] button[type="submit"]');
      const back = await orHang(listener.first, 'the browser reaching the client callback');
      const code = back.searchParams.get('code') as string;
      expect(code).toBeTruthy();
      expect(back.searchParams.get('state')).toBe('st-attack');
      expect(back.searchParams.get('iss')).toBe(w.url);
      const tokens = await w.fetch('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: clientId,
          code_verifier: verifier,
          redirect_uri: listener.url,
        }),
      });
      expect(tokens.status).toBe(200);
      expect(((await tokens.json()) as { access_token?: string }).access_token).toBeTruthy();
      expect(watch.errors).toEqual([]);
    } finally {
      await watch.context.close();
      await listener.close();
    }
  });

  it('signs in with GitHub in Chromium from the consent page and sends the code to the client', async () => {
    const listener = await callbackListener();
    const watch = await openPage(browser, w.url);
    try {
      await watch.context.route(`${GITHUB_URL}/**`, async (route) => {
        const asked = new URL(route.request().url());
        expect(asked.searchParams.get('redirect_uri')).toBe(`${w.url}/oauth/github/callback`);
        const code = w.github.approve('Alice');
        const state = encodeURIComponent(asked.searchParams.get('state') ?? '');
        await route.fulfill({
          status: 302,
          headers: { location: `${w.url}/oauth/github/callback?code=${code}&state=${state}` },
        });
      });
      const clientId = await register(listener.url);
      const { verifier, challenge } = pkce();
      await watch.page.goto(`${w.url}/authorize?${authorizeQuery(clientId, listener.url, challenge)}`);
      await watch.page.click('form[action="/oauth/github/start"] button[type="submit"]');
      const back = await orHang(listener.first, 'the browser reaching the client callback');
      expect(back.searchParams.get('state')).toBe('st-attack');
      const tokens = await w.fetch('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: back.searchParams.get('code') as string,
          client_id: clientId,
          code_verifier: verifier,
        }),
      });
      expect(tokens.status).toBe(200);
    } finally {
      await watch.context.close();
      await listener.close();
    }
  });
});
