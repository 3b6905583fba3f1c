import { createHmac } from 'node:crypto';
import type { Item } from '@backlog-mcp/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/servers.js';
import { type Consent, consentOf, cookiesOf, pkce, refreshTarget } from './support/oauth.js';
import { connectMcp, SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

const REDIRECT = 'http://127.0.0.1:33418/oauth/callback';
const b64url = (buf: Buffer) => buf.toString('base64url');

/** An HS256 JWT made outside the Worker, to forge or expire tokens on purpose. */
function jwt(secret: string, claims: Record<string, unknown>): string {
  const header = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  return `${header}.${payload}.${b64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest())}`;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

describe('the Worker in workerd: API key, OAuth 2.1 with GitHub, viewer sign-in', () => {
  let w: WorkerHarness;

  const register = async (extra: Record<string, unknown> = {}) => {
    const response = await w.fetch('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Test Agent', redirect_uris: [REDIRECT], ...extra }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { client_id: string; client_secret?: string };
  };

  /** GET /authorize → the consent page's signed request, nonce and cookie. */
  const authorize = async (clientId: string, challenge: string, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-123',
      resource: `${w.url}/mcp`,
      ...extra,
    });
    const response = await w.fetch(`/authorize?${query}`);
    const html = await response.text();
    return { response, html, ...consentOf(response, html) };
  };

  /** A POST of one of the consent page's forms, as the browser that saw it sends it. */
  const postConsent = (path: string, consent: Consent, extra: Record<string, string> = {}) =>
    w.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: consent.cookie, origin: w.url },
      body: new URLSearchParams({ req: consent.req, consent: consent.consent, ...extra }),
    });

  /** The browser goes to GitHub, `login` approves, GitHub sends it back to the Worker's callback. */
  const viaGithub = async (consent: Consent, login: string) => {
    const start = await postConsent('/oauth/github/start', consent);
    expect(start.status).toBe(200);
    const to = refreshTarget(await start.text());
    expect(`${to.origin}${to.pathname}`).toBe('https://github.test/login/oauth/authorize');
    expect(to.searchParams.get('redirect_uri')).toBe(`${w.url}/oauth/github/callback`);
    const code = w.github.approve(login);
    const callback = await w.fetch(
      `/oauth/github/callback?code=${code}&state=${encodeURIComponent(to.searchParams.get('state') as string)}`,
      { headers: { cookie: consent.cookie } },
    );
    return callback;
  };

  const token = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await w.fetch('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Tokens & { error?: string } };
  };

  /** The whole authorisation-code flow with PKCE and GitHub as `login`. */
  const signInWithGithub = async (login: string) => {
    const { client_id } = await register();
    const { verifier, challenge } = pkce();
    const back = await viaGithub(await authorize(client_id, challenge), login);
    const location = new URL(back.headers.get('location') as string);
    return { client_id, verifier, location, code: location.searchParams.get('code') };
  };

  beforeAll(async () => {
    w = await startWorker({ EVENTS_HOLD_SECONDS: '1', EVENTS_POLL_SECONDS: '0.2' });
  });
  afterAll(async () => {
    expect(w?.github.unexpected ?? []).toEqual([]); // nothing ever left for the real network
    await w?.close();
  });

  it('publishes RFC 8414 and RFC 9728 metadata with CORS', async () => {
    const as = await w.fetch('/.well-known/oauth-authorization-server');
    expect(as.headers.get('access-control-allow-origin')).toBe('*');
    expect(await as.json()).toMatchObject({
      issuer: w.url,
      authorization_endpoint: `${w.url}/authorize`,
      token_endpoint: `${w.url}/token`,
      registration_endpoint: `${w.url}/register`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
    const pr = await (await w.fetch('/.well-known/oauth-protected-resource/mcp')).json();
    expect(pr).toMatchObject({ resource: `${w.url}/mcp`, authorization_servers: [w.url] });
    const preflight = await w.fetch('/mcp', { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-session-id');
  });

  it('answers 401 with WWW-Authenticate to missing, wrong, expired, forged and misused tokens', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const post = (authorization?: string, extra: Record<string, string> = {}) =>
      w.fetch('/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
          ...extra,
        },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    const good = {
      typ: 'access',
      sub: 'api-key',
      client_id: 'x',
      fid: 'f',
      aud: `${w.url}/mcp`,
      iss: w.url,
      scope: 'backlog',
    };
    const cases: Array<[string, string | undefined, Record<string, string>?]> = [
      ['none', undefined],
      ['wrong key', 'Bearer not-the-api-key-at-all-000'],
      ['not bearer', `Basic ${btoa('a:b')}`],
      ['expired', `Bearer ${jwt(SECRETS.JWT_SECRET, { ...good, iat: now - 7200, exp: now - 3600 })}`],
      ['forged', `Bearer ${jwt('some-other-secret-0123456789abcdef', { ...good, iat: now, exp: now + 3600 })}`],
      [
        'other audience',
        `Bearer ${jwt(SECRETS.JWT_SECRET, { ...good, aud: 'https://elsewhere/mcp', iat: now, exp: now + 3600 })}`,
      ],
      [
        'a session cookie token as bearer',
        `Bearer ${jwt(SECRETS.JWT_SECRET, { typ: 'session', sub: 'api-key', origin: w.url, iat: now, exp: now + 3600 })}`,
      ],
      ['unknown family', `Bearer ${jwt(SECRETS.JWT_SECRET, { ...good, iat: now, exp: now + 3600 })}`],
      [
        'alg none',
        `Bearer ${b64url(Buffer.from('{"alg":"none"}'))}.${b64url(Buffer.from(JSON.stringify({ ...good, exp: now + 3600 })))}.`,
      ],
    ];
    for (const [name, authorization] of cases) {
      const response = await post(authorization);
      expect(response.status, name).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge, name).toContain(`resource_metadata="${w.url}/.well-known/oauth-protected-resource/mcp"`);
      if (authorization) expect(challenge, name).toContain('error="invalid_token"');
    }
    expect((await post(undefined, { cookie: 'backlog_session=whatever' })).status).toBe(401);
    expect((await post(`Bearer ${SECRETS.API_KEY}`)).status).toBe(200);
    // A session id that does not verify is ignored (the call runs under the signed-in name), not trusted.
    expect((await post(`Bearer ${SECRETS.API_KEY}`, { 'mcp-session-id': 'forged.session.id' })).status).toBe(200);
    // Stateless: no server-initiated stream.
    const get = await w.fetch('/mcp', { headers: { authorization: `Bearer ${SECRETS.API_KEY}` } });
    expect(get.status).toBe(405);
    // The API and health need credentials too; the version does not.
    expect((await w.fetch('/api/items')).status).toBe(401);
    expect((await w.fetch('/health')).status).toBe(401);
    expect((await w.fetch('/events')).status).toBe(401);
    expect(await (await w.fetch('/version')).text()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs the authorisation-code flow with PKCE and GitHub, then MCP with the access token', async () => {
    // The allow-list says "Alice": GitHub's "ALICE" is the same user.
    const { client_id, verifier, location, code } = await signInWithGithub('ALICE');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('iss')).toBe(w.url);
    expect(code).toBeTruthy();

    expect(
      (
        await token({
          grant_type: 'authorization_code',
          code: code as string,
          client_id,
          code_verifier: pkce().verifier,
          redirect_uri: REDIRECT,
        })
      ).body.error,
    ).toBe('invalid_grant');
    // The wrong verifier used the code up: codes are single-use even when the exchange fails.
    const again = await signInWithGithub('alice');
    const ok = await token({
      grant_type: 'authorization_code',
      code: again.code as string,
      client_id: again.client_id,
      code_verifier: again.verifier,
      redirect_uri: REDIRECT,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const replay = await token({
      grant_type: 'authorization_code',
      code: again.code as string,
      client_id: again.client_id,
      code_verifier: again.verifier,
      redirect_uri: REDIRECT,
    });
    expect(replay.body.error).toBe('invalid_grant');
    expect(client_id).not.toBe(again.client_id);
    void verifier;

    const mcp = await connectMcp(w.url, ok.body.access_token, 'oauth-agent');
    try {
      const made = await call<{ id: string; item: Item }>(mcp, 'backlog_create', { title: 'Made over OAuth' });
      expect(made.id).toMatch(/^TASK-\d{4}$/);
    } finally {
      await mcp.close();
    }
    const [row] = await w.sql<{ entry: string }>("SELECT entry FROM activity WHERE item_id = 'TASK-0001'");
    expect(JSON.parse(row?.entry ?? '{}')).toMatchObject({ action: 'created', actor: 'oauth-agent' });
    // Only hashes are stored.
    const stored = await w.sql<{ token_hash: string }>('SELECT token_hash FROM oauth_refresh_tokens');
    expect(stored.map((r) => r.token_hash)).not.toContain(ok.body.refresh_token);
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('refuses PKCE plain, a missing challenge and unregistered redirect URIs', async () => {
    const { client_id } = await register();
    // An invalid request is answered here, never bounced to the (self-registered) redirect address.
    const plain = await authorize(client_id, 'x'.repeat(43), { code_challenge_method: 'plain' });
    expect(plain.response.status).toBe(400);
    expect(plain.response.headers.get('location')).toBeNull();
    expect(plain.html).toContain('invalid_request');
    const wrongType = await authorize(client_id, pkce().challenge, { response_type: 'token' });
    expect(wrongType.response.status).toBe(400);
    expect(wrongType.response.headers.get('location')).toBeNull();
    const wrongRedirect = await authorize(client_id, pkce().challenge, { redirect_uri: 'https://evil.example/cb' });
    expect(wrongRedirect.response.status).toBe(400);
    expect(wrongRedirect.response.headers.get('location')).toBeNull();
    const bad = await w.fetch('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['javascript:alert(1)'] }),
    });
    expect(bad.status).toBe(400);
    const httpRemote = await w.fetch('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://evil.example/cb'] }),
    });
    expect(httpRemote.status).toBe(400);
  });

  it('rotates refresh tokens, and a replayed one revokes the whole family', async () => {
    const { client_id, verifier, code } = await signInWithGithub('bob');
    const first = await token({
      grant_type: 'authorization_code',
      code: code as string,
      client_id,
      code_verifier: verifier,
    });
    expect(first.status).toBe(200);
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    const third = await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token, client_id });
    expect(third.status).toBe(200);
    const health = (t: string) => w.fetch('/health', { headers: { authorization: `Bearer ${t}` } });
    expect((await health(third.body.access_token)).status).toBe(200);
    // Another client cannot use this family's token.
    const stranger = await register();
    expect(
      (
        await token({
          grant_type: 'refresh_token',
          refresh_token: third.body.refresh_token,
          client_id: stranger.client_id,
        })
      ).body.error,
    ).toBe('invalid_grant');

    // Replaying the first (already rotated) token: refused, and the family is revoked.
    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    const latest = await token({ grant_type: 'refresh_token', refresh_token: third.body.refresh_token, client_id });
    expect(latest.body.error).toBe('invalid_grant');
    const revoked = await health(third.body.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses GitHub users missing from ALLOWED_GITHUB_USERNAMES', async () => {
    const tokenRequests = w.github.tokenRequests;
    const { location, code } = await signInWithGithub('mallory');
    expect(w.github.tokenRequests).toBe(tokenRequests + 1);
    expect(code).toBeNull();
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(await w.sql("SELECT * FROM oauth_codes WHERE subject = 'github:mallory'")).toEqual([]);
  });

  it('refuses a GitHub callback without the browser nonce cookie, or with a tampered state', async () => {
    const { client_id } = await register();
    const consent = await authorize(client_id, pkce().challenge);
    const start = await postConsent('/oauth/github/start', consent);
    const state = refreshTarget(await start.text()).searchParams.get('state') as string;
    const code = w.github.approve('alice');
    expect((await w.fetch(`/oauth/github/callback?code=${code}&state=${state}`)).status).toBe(400);
    const tampered = `${state.slice(0, -2)}AA`;
    expect(
      (
        await w.fetch(`/oauth/github/callback?code=${code}&state=${tampered}`, {
          headers: { cookie: consent.cookie },
        })
      ).status,
    ).toBe(400);
  });

  it('signs in with the API key on the consent page, and with a confidential client', async () => {
    const { client_id, client_secret } = await register({ token_endpoint_auth_method: 'client_secret_basic' });
    expect(client_secret).toBeTruthy();
    const { verifier, challenge } = pkce();
    const consent = await authorize(client_id, challenge);
    const post = (key: string) => postConsent('/authorize', consent, { api_key: key });
    const wrong = await post('nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That is not the API key');
    const right = await post(SECRETS.API_KEY);
    expect(right.status).toBe(200);
    const code = refreshTarget(await right.text()).searchParams.get('code') as string;
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier };
    expect((await token({ ...form, client_id })).status).toBe(401); // no secret: invalid_client
    const basic = `Basic ${btoa(`${client_id}:${client_secret}`)}`;
    const ok = await token(form, { authorization: basic });
    expect(ok.status).toBe(200);
    expect((await w.fetch('/health', { headers: { authorization: `Bearer ${ok.body.access_token}` } })).status).toBe(
      200,
    );
  });

  it('sends a signed-in browser only to paths of its own origin, however `next` is spelled', async () => {
    const origin = new URL(w.url).origin;
    for (const next of [
      '/%09/evil.example',
      '/%0a/evil.example',
      '//evil.example',
      '/%5Cevil.example',
      'https://evil.example/',
      '/\\evil.example',
    ]) {
      const login = await w.fetch(`/login?next=${next}`);
      const signedIn = await postConsent('/login', consentOf(login, await login.text()), { api_key: SECRETS.API_KEY });
      expect(signedIn.status, next).toBe(302);
      const target = new URL(signedIn.headers.get('location') as string, origin);
      expect(target.origin, next).toBe(origin);
    }
    const login = await w.fetch('/login?next=%2Fitems%3Fview%3Dactivity');
    const signedIn = await postConsent('/login', consentOf(login, await login.text()), { api_key: SECRETS.API_KEY });
    expect(signedIn.headers.get('location')).toBe('/items?view=activity');
  });

  it('serves the viewer behind sign-in, its API by cookie, and live changes by polling', async () => {
    const page = await w.fetch('/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    expect((await w.fetch('/assets/none.js')).status).toBe(401);

    const login = await w.fetch('/login?next=%2F');
    const signedIn = await postConsent('/login', consentOf(login, await login.text()), { api_key: SECRETS.API_KEY });
    expect(signedIn.status).toBe(302);
    const cookie = cookiesOf(signedIn);
    expect(signedIn.headers.get('set-cookie')).toMatch(/HttpOnly; Secure; SameSite=Lax/);

    const viewer = await w.fetch('/', { headers: { cookie, accept: 'text/html' } });
    expect(viewer.status).toBe(200);
    const html = await viewer.text();
    expect(html).toContain('<html');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    expect((await w.fetch(asset as string, { headers: { cookie } })).status).toBe(200);
    expect((await w.fetch(asset as string)).status).toBe(401);
    const items = await w.fetch('/api/items?status=open,done', { headers: { cookie } });
    expect(items.status).toBe(200);
    expect(((await items.json()) as { total: number }).total).toBeGreaterThan(0);
    // The cookie never drives MCP.
    expect(
      (await w.fetch('/mcp', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(401);

    // Live updates: the stream replays the journal after `since`, then ends so the browser reconnects.
    const events = await w.fetch('/events?since=0', { headers: { cookie } });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    expect(text).toMatch(/^retry: \d+/);
    expect(text).toContain('event: ready\ndata: {"last_id":0,"stream":"d1-journal","mode":"polling"}');
    expect(text).toMatch(/id: 1\nevent: change\ndata: \{"id":1,"kind":"created","tool":"backlog_create"/);
    const ahead = await (await w.fetch('/events?since=999999', { headers: { cookie } })).text();
    expect(ahead).toContain('event: reset');

    // The viewer's GitHub sign-in sets the same cookie for allow-listed users only.
    const loginPage = await w.fetch('/login');
    const viewerReq = consentOf(loginPage, await loginPage.text());
    const refused = await viaGithub(viewerReq, 'mallory');
    expect(refused.status).toBe(403);
    const accepted = await viaGithub(viewerReq, 'Bob');
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get('location')).toBe('/');
    expect((await w.fetch('/api/items', { headers: { cookie: cookiesOf(accepted) } })).status).toBe(200);
  });

  it('lets nobody in through GitHub when the allow-list is empty', async () => {
    const empty = await startWorker({ ALLOWED_GITHUB_USERNAMES: '' });
    try {
      const original = w;
      w = empty;
      try {
        const { location, code } = await signInWithGithub('alice');
        expect(code).toBeNull();
        expect(location.searchParams.get('error')).toBe('access_denied');
      } finally {
        w = original;
      }
    } finally {
      await empty.close();
    }
  });
});
