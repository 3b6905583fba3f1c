import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Consent, consentOf, cookiesOf, pkce, refreshTarget } from './support/oauth.js';
import { SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

/**
 * Rotating a secret must revoke what it granted (docs/deploy-cloudflare.md, "Rotating secrets"):
 * a new API_KEY refuses every access token, refresh token, authorisation code and viewer cookie
 * obtained by typing the old key; a new JWT_SECRET refuses every grant. Each test rotates on a
 * running Worker (same port, same D1) and checks old and new credentials side by side.
 */

const REDIRECT = 'http://127.0.0.1:33418/oauth/callback';
const NEW_API_KEY = 'rotated-api-key-fedcba9876543210';
const NEW_JWT_SECRET = 'rotated-jwt-secret-fedcba9876543210fedcba98';

/** An authorisation code not yet exchanged, with what the exchange needs. */
interface Code {
  client_id: string;
  code: string;
  verifier: string;
}

interface Tokens {
  client_id: string;
  access_token: string;
  refresh_token: string;
}

/** Everything one way of signing in grants: OAuth tokens, a spare code, a viewer cookie. */
interface Grants {
  tokens: Tokens;
  code: Code;
  cookie: string;
}

describe('rotating a secret revokes what it granted', () => {
  let w: WorkerHarness;

  const postConsent = (path: string, consent: Consent, extra: Record<string, string> = {}) =>
    w.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: consent.cookie, origin: w.url },
      body: new URLSearchParams({ req: consent.req, consent: consent.consent, ...extra }),
    });

  /** Registers a client and opens its consent page. */
  const consentPage = async () => {
    const registered = await w.fetch('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Rotation Agent', redirect_uris: [REDIRECT] }),
    });
    expect(registered.status).toBe(201);
    const { client_id } = (await registered.json()) as { client_id: string };
    const { verifier, challenge } = pkce();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: `${w.url}/mcp`,
    });
    const response = await w.fetch(`/authorize?${query}`);
    return { client_id, verifier, consent: consentOf(response, await response.text()) };
  };

  /** The browser goes to GitHub, `login` approves, GitHub sends it back to the Worker's callback. */
  const viaGithub = async (consent: Consent, login: string): Promise<Response> => {
    const start = await postConsent('/oauth/github/start', consent);
    const state = refreshTarget(await start.text()).searchParams.get('state') as string;
    const code = w.github.approve(login);
    return w.fetch(`/oauth/github/callback?code=${code}&state=${encodeURIComponent(state)}`, {
      headers: { cookie: consent.cookie },
    });
  };

  const codeWithApiKey = async (key: string): Promise<Code> => {
    const { client_id, verifier, consent } = await consentPage();
    const answer = await postConsent('/authorize', consent, { api_key: key });
    expect(answer.status).toBe(200);
    return { client_id, verifier, code: refreshTarget(await answer.text()).searchParams.get('code') as string };
  };

  const codeWithGithub = async (login: string): Promise<Code> => {
    const { client_id, verifier, consent } = await consentPage();
    const back = await viaGithub(consent, login);
    const code = new URL(back.headers.get('location') as string).searchParams.get('code');
    expect(code).toBeTruthy();
    return { client_id, verifier, code: code as string };
  };

  const cookieWithApiKey = async (key: string): Promise<string> => {
    const login = await w.fetch('/login');
    const signedIn = await postConsent('/login', consentOf(login, await login.text()), { api_key: key });
    expect(signedIn.status).toBe(302);
    return cookiesOf(signedIn);
  };

  const cookieWithGithub = async (login: string): Promise<string> => {
    const page = await w.fetch('/login');
    const signedIn = await viaGithub(consentOf(page, await page.text()), login);
    expect(signedIn.status).toBe(302);
    return cookiesOf(signedIn);
  };

  const token = async (form: Record<string, string>) => {
    const response = await w.fetch('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return {
      status: response.status,
      body: (await response.json()) as { access_token: string; refresh_token: string; error?: string },
    };
  };

  const exchange = (code: Code) =>
    token({
      grant_type: 'authorization_code',
      code: code.code,
      client_id: code.client_id,
      code_verifier: code.verifier,
    });

  const refresh = (tokens: Tokens) =>
    token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: tokens.client_id });

  const tokensFrom = async (code: Code): Promise<Tokens> => {
    const exchanged = await exchange(code);
    expect(exchanged.status).toBe(200);
    return { client_id: code.client_id, ...exchanged.body };
  };

  /** Signs in every way `how` allows: OAuth (tokens, one refresh, a spare code) and the viewer. */
  const grantsOf = async (how: { apiKey: string } | { github: string }): Promise<Grants> => {
    const code = () => ('apiKey' in how ? codeWithApiKey(how.apiKey) : codeWithGithub(how.github));
    const first = await tokensFrom(await code());
    // The refresh token in hand is one that was already rotated into once: a family in use.
    const refreshed = await refresh(first);
    expect(refreshed.status).toBe(200);
    return {
      tokens: { client_id: first.client_id, ...refreshed.body },
      code: await code(),
      cookie: 'apiKey' in how ? await cookieWithApiKey(how.apiKey) : await cookieWithGithub(how.github),
    };
  };

  const mcpStatus = (bearer: string) =>
    w
      .fetch('/mcp', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      })
      .then(async (r) => {
        await r.body?.cancel();
        return r.status;
      });
  const apiStatus = (cookie: string) =>
    w.fetch('/api/items', { headers: { cookie } }).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    });

  /** Every credential of `grants` is refused: 401 on use, `invalid_grant` at /token. */
  const expectRevoked = async (grants: Grants, what: string) => {
    const access = await w.fetch('/health', { headers: { authorization: `Bearer ${grants.tokens.access_token}` } });
    expect(access.status, `${what}: access token`).toBe(401);
    expect(access.headers.get('www-authenticate'), `${what}: access token`).toContain('error="invalid_token"');
    expect(await mcpStatus(grants.tokens.access_token), `${what}: access token on /mcp`).toBe(401);
    expect(await apiStatus(grants.cookie), `${what}: viewer cookie`).toBe(401);
    const refreshed = await refresh(grants.tokens);
    expect([refreshed.status, refreshed.body.error], `${what}: refresh token`).toEqual([400, 'invalid_grant']);
    const exchanged = await exchange(grants.code);
    expect([exchanged.status, exchanged.body.error], `${what}: authorisation code`).toEqual([400, 'invalid_grant']);
  };

  /** Every credential of `grants` works, and its refresh token goes on working after a refresh. */
  const expectWorking = async (grants: Grants, what: string) => {
    expect(await mcpStatus(grants.tokens.access_token), `${what}: access token`).toBe(200);
    expect(await apiStatus(grants.cookie), `${what}: viewer cookie`).toBe(200);
    const refreshed = await refresh(grants.tokens);
    expect(refreshed.status, `${what}: refresh token`).toBe(200);
    expect(await mcpStatus(refreshed.body.access_token), `${what}: refreshed access token`).toBe(200);
    expect(
      (await refresh({ ...grants.tokens, refresh_token: refreshed.body.refresh_token })).status,
      `${what}: next refresh`,
    ).toBe(200);
    const exchanged = await exchange(grants.code);
    expect(exchanged.status, `${what}: authorisation code`).toBe(200);
    expect(await mcpStatus(exchanged.body.access_token), `${what}: access token from the code`).toBe(200);
  };

  beforeEach(async () => {
    w = await startWorker();
  });
  afterEach(async () => {
    expect(w?.github.unexpected ?? []).toEqual([]);
    await w?.close();
  });

  it('a new API_KEY revokes every grant obtained with the old key; GitHub grants and the new key work', async () => {
    const byOldKey = await grantsOf({ apiKey: SECRETS.API_KEY });
    const byGithub = await grantsOf({ github: 'alice' });
    // Two of a kind: one is checked while still valid, so the Worker is shown to accept them at all.
    const control = await grantsOf({ apiKey: SECRETS.API_KEY });
    await expectWorking(control, 'before rotation');

    await w.rebind({ API_KEY: NEW_API_KEY });

    expect(await mcpStatus(SECRETS.API_KEY)).toBe(401);
    expect(await mcpStatus(NEW_API_KEY)).toBe(200);
    await expectRevoked(byOldKey, 'old API key');
    await expectWorking(byGithub, 'GitHub, across an API key rotation');
    await expectWorking(await grantsOf({ apiKey: NEW_API_KEY }), 'new API key');
  });

  it('a new JWT_SECRET revokes every grant, from the API key and GitHub alike; new grants work', async () => {
    const byKey = await grantsOf({ apiKey: SECRETS.API_KEY });
    const byGithub = await grantsOf({ github: 'bob' });

    await w.rebind({ JWT_SECRET: NEW_JWT_SECRET });

    expect(await mcpStatus(SECRETS.API_KEY)).toBe(200); // the key itself did not change
    await expectRevoked(byKey, 'API key, old JWT secret');
    await expectRevoked(byGithub, 'GitHub, old JWT secret');
    await expectWorking(await grantsOf({ apiKey: SECRETS.API_KEY }), 'API key, new JWT secret');
    await expectWorking(await grantsOf({ github: 'bob' }), 'GitHub, new JWT secret');
  });

  it('rotating a secret back does not revive the grants refused meanwhile', async () => {
    const byOldKey = await grantsOf({ apiKey: SECRETS.API_KEY });
    await w.rebind({ API_KEY: NEW_API_KEY });
    expect((await refresh(byOldKey.tokens)).body.error).toBe('invalid_grant');
    await w.rebind({ API_KEY: SECRETS.API_KEY });
    // The refused family was revoked, so its refresh and access tokens stay dead.
    expect((await refresh(byOldKey.tokens)).body.error).toBe('invalid_grant');
    expect(await mcpStatus(byOldKey.tokens.access_token)).toBe(401);
  });

  it('refuses a refresh family recorded without provenance (from before migration 0003)', async () => {
    const tokens = await tokensFrom(await codeWithApiKey(SECRETS.API_KEY));
    await w.sql('UPDATE oauth_families SET secret_gen = NULL, key_gen = NULL');
    const refreshed = await refresh(tokens);
    expect([refreshed.status, refreshed.body.error]).toEqual([400, 'invalid_grant']);
  });
});
