import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkce } from './support/oauth.js';
import { SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

/**
 * Security finding 7 (Worker): a per-address budget of failed credential checks, kept in D1, and
 * caps on dynamic client registration. The numbers are the documented ones (docs/limits.md).
 * Each test speaks from its own address (CF-Connecting-IP, which Cloudflare sets and Miniflare
 * passes through), so the budgets of one test never touch another's.
 */
const FAILURES = 20; // failed credential checks per address per 10 minutes
const FAILURE_WINDOW = 600;
const REGISTRATIONS = 10; // registrations per address per hour
const MAX_CLIENTS = 1000;
const UNUSED_CLIENT_TTL = 24 * 3600;

const REDIRECT = 'http://127.0.0.1:33418/oauth/callback';
const now = () => Math.floor(Date.now() / 1000);

function expectRetryAfter(response: Response, max: number): void {
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(max);
}

describe('the Worker limits failed sign-ins per address and dynamic registration', () => {
  let w: WorkerHarness;

  /**
   * Headers from address `ip`. `connection: close`: a refused request's body is never read, and
   * workerd then closes the kept-alive connection, which the client may already be reusing for
   * the next request ("other side closed", about 1 request in 10 here).
   */
  const from = (ip: string, headers: Record<string, string> = {}) => ({
    'cf-connecting-ip': ip,
    connection: 'close',
    ...headers,
  });

  const mcp = (ip: string, key?: string) =>
    w.fetch('/mcp', {
      method: 'POST',
      headers: from(ip, {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  const register = (ip: string) =>
    w.fetch('/register', {
      method: 'POST',
      headers: from(ip, { 'content-type': 'application/json' }),
      body: JSON.stringify({ client_name: 'Limit Test', redirect_uris: [REDIRECT] }),
    });

  /** The consent page of a fresh client: the signed request, its nonce and this browser's cookie. */
  const consentPage = async (ip: string, challenge: string) => {
    const registered = await register(ip);
    expect(registered.status).toBe(201);
    const { client_id } = (await registered.json()) as { client_id: string };
    const query = new URLSearchParams({
      response_type: 'code',
      client_id,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const page = await w.fetch(`/authorize?${query}`, { headers: from(ip) });
    const html = await page.text();
    return {
      client_id,
      req: /name="req" value="([^"]+)"/.exec(html)?.[1] ?? '',
      consent: /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '',
      cookie: page.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    };
  };

  const postKey = (ip: string, page: Awaited<ReturnType<typeof consentPage>>, key: string) =>
    w.fetch('/authorize', {
      method: 'POST',
      headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie, origin: w.url }),
      body: new URLSearchParams({ req: page.req, consent: page.consent, api_key: key }),
    });

  const token = (ip: string, form: Record<string, string>) =>
    w.fetch('/token', {
      method: 'POST',
      headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams(form),
    });

  beforeAll(async () => {
    w = await startWorker();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('answers 429 with Retry-After after 20 wrong API keys, even to the right key, from that address only', async () => {
    const attacker = '203.0.113.7';
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 300; i++) {
      last = await mcp(attacker, `wrong-key-${i}-0123456789abcdef`);
      statuses.push(last.status);
      if (i < 299) await last.text();
    }
    expect(statuses.slice(0, FAILURES)).toEqual(Array(FAILURES).fill(401));
    expect(statuses.slice(FAILURES)).toEqual(Array(300 - FAILURES).fill(429));
    const refused = last as Response;
    expectRetryAfter(refused, FAILURE_WINDOW);
    const body = (await refused.json()) as { error: string; error_description: string };
    expect(body.error).toBe('too_many_requests');
    expect(body.error_description).toMatch(/too many failed/i);
    expect(body.error_description).toMatch(/try again in \d+ seconds/i);

    // The right key from the blocked address is refused too: guessing learns nothing while blocked.
    const right = await mcp(attacker, SECRETS.API_KEY);
    expect(right.status).toBe(429);
    expectRetryAfter(right, FAILURE_WINDOW);
    // Another address is not affected, and its success does not reset the attacker's budget.
    expect((await mcp('198.51.100.20', SECRETS.API_KEY)).status).toBe(200);
    expect((await mcp(attacker, SECRETS.API_KEY)).status).toBe(429);
    // The same budget guards the API and the viewer's endpoints.
    expect(
      (await w.fetch('/api/items', { headers: from(attacker, { authorization: `Bearer ${SECRETS.API_KEY}` }) })).status,
    ).toBe(429);

    // Once the window has passed (moved into the past here, in D1), the right key works again.
    const rows = await w.sql<{ bucket: string }>('SELECT bucket FROM rate_limits WHERE bucket LIKE ?', `%${attacker}%`);
    expect(rows.length).toBeGreaterThan(0);
    await w.sql('UPDATE rate_limits SET expires_at = ? WHERE bucket LIKE ?', now() - 1, `%${attacker}%`);
    expect((await mcp(attacker, SECRETS.API_KEY)).status).toBe(200);
  });

  it('does not count requests without credentials, and groups IPv6 addresses by /64', async () => {
    for (let i = 0; i < FAILURES + 5; i++) expect((await mcp('198.51.100.30')).status).toBe(401);
    expect((await mcp('198.51.100.30', SECRETS.API_KEY)).status).toBe(200);

    for (let i = 0; i < FAILURES; i++)
      expect((await mcp(`2001:db8:7:8::${i + 1}`, `nope-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await mcp('2001:db8:7:8:ffff::1', SECRETS.API_KEY)).status).toBe(429);
    expect((await mcp('2001:db8:7:9::1', SECRETS.API_KEY)).status).toBe(200);
  });

  it('counts wrong API keys on the consent page and answers 429 there, even to the right key', async () => {
    const ip = '203.0.113.21';
    const page = await consentPage(ip, pkce().challenge);
    for (let i = 0; i < FAILURES; i++) {
      const wrong = await postKey(ip, page, `not-the-key-${i}`);
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('That is not the API key');
    }
    const blocked = await postKey(ip, page, `not-the-key-again`);
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked, FAILURE_WINDOW);
    expect(await blocked.text()).toMatch(/Too many failed sign-in attempts/);
    const right = await postKey(ip, page, SECRETS.API_KEY);
    expect(right.status).toBe(429);
    expect(await right.text()).not.toContain('code=');
    // The viewer's sign-in form shares the budget.
    const login = await w.fetch('/login', {
      method: 'POST',
      headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie, origin: w.url }),
      body: new URLSearchParams({ req: page.req, consent: page.consent, api_key: SECRETS.API_KEY }),
    });
    expect(login.status).toBe(429);
  });

  it('counts invalid_client and invalid_grant at /token', async () => {
    const ip = '203.0.113.33';
    const registered = (await (await register('198.51.100.33')).json()) as { client_id: string };
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES / 2; i++) {
      const unknown = await token(ip, { grant_type: 'refresh_token', refresh_token: 'x', client_id: `nobody-${i}` });
      statuses.push(unknown.status);
      expect(((await unknown.json()) as { error: string }).error).toBe('invalid_client');
      const grant = await token(ip, {
        grant_type: 'refresh_token',
        refresh_token: `guess-${i}`,
        client_id: registered.client_id,
      });
      statuses.push(grant.status);
      expect(((await grant.json()) as { error: string }).error).toBe('invalid_grant');
    }
    expect(statuses).toEqual([...Array(FAILURES / 2).fill([401, 400])].flat());
    const blocked = await token(ip, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: registered.client_id,
    });
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked, FAILURE_WINDOW);
    expect(((await blocked.json()) as { error: string }).error).toBe('too_many_requests');
  });

  it('allows 10 registrations per address per hour, then 429', async () => {
    const ip = '203.0.113.44';
    for (let i = 0; i < REGISTRATIONS; i++) expect((await register(ip)).status).toBe(201);
    const refused = await register(ip);
    expect(refused.status).toBe(429);
    expectRetryAfter(refused, 3600);
    const body = (await refused.json()) as { error: string; error_description: string };
    expect(body.error).toBe('too_many_requests');
    expect(body.error_description).toMatch(/registrations/);
    expect((await register('198.51.100.44')).status).toBe(201);
  });

  it('stops registering at 1,000 stored clients with a clear error', async () => {
    const [{ n }] = (await w.sql<{ n: number }>('SELECT COUNT(*) AS n FROM oauth_clients')) as [{ n: number }];
    await w.sql(
      `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
       INSERT INTO oauth_clients (client_id, redirect_uris, created_at) SELECT 'filler-' || i, '[]', ? FROM k`,
      MAX_CLIENTS - n,
      now(),
    );
    try {
      const full = await register('203.0.113.55');
      expect(full.status).toBe(503);
      const body = (await full.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toMatch(/1000 registered clients/);
      expectRetryAfter(full, UNUSED_CLIENT_TTL);
      expect((await w.sql<{ n: number }>('SELECT COUNT(*) AS n FROM oauth_clients'))[0]?.n).toBe(MAX_CLIENTS);
    } finally {
      await w.sql("DELETE FROM oauth_clients WHERE client_id LIKE 'filler-%'");
    }
    expect((await register('203.0.113.55')).status).toBe(201);
  });

  it('deletes clients that never obtained a token within 24 hours, and records when one does', async () => {
    const ip = '203.0.113.66';
    // A client that signs in with the API key and gets tokens.
    const { verifier, challenge } = pkce();
    const page = await consentPage(ip, challenge);
    const consented = await postKey(ip, page, SECRETS.API_KEY);
    expect(consented.status).toBe(200);
    const code = new URL(
      (/url=([^"]+)"/.exec(await consented.text())?.[1] ?? '').replace(/&amp;/g, '&'),
    ).searchParams.get('code') as string;
    const tokens = await token(ip, {
      grant_type: 'authorization_code',
      code,
      client_id: page.client_id,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const [used] = await w.sql<{ last_used_at: number | null }>(
      'SELECT last_used_at FROM oauth_clients WHERE client_id = ?',
      page.client_id,
    );
    expect(used?.last_used_at).toBeGreaterThan(now() - 3600);
    // A refresh records the use again.
    await w.sql('UPDATE oauth_clients SET last_used_at = 1 WHERE client_id = ?', page.client_id);
    const { refresh_token } = (await tokens.json()) as { refresh_token: string };
    expect((await token(ip, { grant_type: 'refresh_token', refresh_token, client_id: page.client_id })).status).toBe(
      200,
    );
    const [refreshed] = await w.sql<{ last_used_at: number }>(
      'SELECT last_used_at FROM oauth_clients WHERE client_id = ?',
      page.client_id,
    );
    expect(refreshed?.last_used_at).toBeGreaterThan(1);

    // Registered 25 hours ago: the used client stays, the unused one goes; a 1-hour-old unused one stays.
    const old = now() - UNUSED_CLIENT_TTL - 3600;
    await w.sql('UPDATE oauth_clients SET created_at = ? WHERE client_id = ?', old, page.client_id);
    await w.sql(
      "INSERT INTO oauth_clients (client_id, redirect_uris, created_at) VALUES ('stale-unused', '[]', ?), ('young-unused', '[]', ?)",
      old,
      now() - 3600,
    );
    expect((await register('198.51.100.66')).status).toBe(201);
    const left = (
      await w.sql<{ client_id: string }>(
        "SELECT client_id FROM oauth_clients WHERE client_id IN ('stale-unused', 'young-unused', ?)",
        page.client_id,
      )
    ).map((r) => r.client_id);
    expect(left.sort()).toEqual([page.client_id, 'young-unused'].sort());
  });
});
