import { type Context, Hono } from 'hono';
import type { WorkerConfig } from '../config.js';
import { type AccessClaims, readCookie, SESSION_COOKIE, SESSION_TTL_SECONDS } from '../guard.js';
import { pkceChallenge, randomToken, secretsEqual, sha256Hex } from './crypto.js';
import { githubAuthorizeUrl, githubLogin, githubUserAllowed } from './github.js';
import { signJwt, verifyJwt } from './jwt.js';
import type { Family, OAuthClient, OAuthStore } from './oauth-store.js';
import { continuePage, escapeHtml, page, signInPage } from './pages.js';
import { currentProvenance, grantCurrent } from './provenance.js';

const SCOPE = 'backlog';
const REQUEST_TTL_SECONDS = 600;
/** Holds the nonce of the consent page this browser saw; `req` carries its hash. */
const CONSENT_COOKIE = 'backlog_consent';
const PKCE = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_REGISTRATION_BYTES = 16 * 1024;
const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;

/** A pending sign-in, signed and carried through the consent page and GitHub's `state`. */
type PendingRequest =
  | {
      kind: 'oauth';
      client_id: string;
      redirect_uri: string;
      code_challenge: string;
      state?: string;
      scope: string;
      resource?: string;
      client_name?: string;
    }
  | { kind: 'viewer'; next: string };

export interface AuthRouteDeps {
  config: WorkerConfig;
  oauth: OAuthStore;
}

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id',
  'access-control-expose-headers': 'mcp-session-id, www-authenticate',
  'access-control-max-age': '86400',
};

function noStore(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...CORS_HEADERS,
      ...extra,
    },
  });
}

function oauthError(error: string, description: string, status = 400): Response {
  return noStore({ error, error_description: description }, status);
}

/** Loopback http, https, or a private-use scheme of a native app; never script-capable schemes. */
function acceptableRedirect(raw: unknown): raw is string {
  if (typeof raw !== 'string' || raw.length > 2000) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return (
    /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) &&
    !['javascript:', 'data:', 'file:', 'vbscript:', 'blob:'].includes(url.protocol)
  );
}

/**
 * Where to go after sign-in: a path on this origin, judged after the URL parser normalised it,
 * as the browser will (it drops tabs and newlines and reads \\ as /, so "/\t/evil.example" and
 * "/\\evil.example" lead off-site although they start with one slash).
 */
function safeNext(raw: string | undefined, origin: string): string {
  if (!raw?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
}

function cookie(name: string, value: string, options: { path: string; maxAge: number; secure?: boolean }): string {
  const secure = options.secure === false ? '' : ' Secure;';
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAge}; HttpOnly;${secure} SameSite=Lax`;
}

const formField = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === 'string' ? (form[name] as string) : undefined;

function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store', ...headers } });
}

/**
 * The Worker's OAuth 2.1 authorisation server for MCP clients (RFC 8414 metadata,
 * RFC 9728 resource metadata, RFC 7591 registration, code + PKCE S256, rotating
 * refresh tokens), plus the viewer's sign-in page. Sign-in is with GitHub (allow-listed
 * logins) or with the API key.
 */
export function createAuthRoutes({ config, oauth }: AuthRouteDeps): Hono {
  const app = new Hono();
  const secret = config.jwtSecret;

  const authorizationServer = () =>
    noStore({
      issuer: config.origin,
      authorization_endpoint: `${config.origin}/authorize`,
      token_endpoint: `${config.origin}/token`,
      registration_endpoint: `${config.origin}/register`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: [...AUTH_METHODS],
      scopes_supported: [SCOPE],
      authorization_response_iss_parameter_supported: true,
    });
  const protectedResource = () =>
    noStore({
      resource: config.resource,
      authorization_servers: [config.origin],
      bearer_methods_supported: ['header'],
      scopes_supported: [SCOPE],
      resource_name: 'backlog-mcp',
    });
  app.get('/.well-known/oauth-authorization-server', authorizationServer);
  app.get('/.well-known/oauth-authorization-server/mcp', authorizationServer);
  app.get('/.well-known/oauth-protected-resource', protectedResource);
  app.get('/.well-known/oauth-protected-resource/mcp', protectedResource);

  app.post('/register', async (c) => {
    if (!secret) return oauthError('temporarily_unavailable', 'OAuth is off: the server has no JWT_SECRET', 503);
    const text = await c.req.text();
    if (text.length > MAX_REGISTRATION_BYTES) return oauthError('invalid_client_metadata', 'registration too large');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return oauthError('invalid_client_metadata', 'the body must be JSON');
    }
    const uris = body.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > 10 || !uris.every(acceptableRedirect)) {
      return oauthError(
        'invalid_redirect_uri',
        'redirect_uris: 1 to 10 URIs, each https, http on localhost/127.0.0.1, or an app scheme; no fragments',
      );
    }
    const method = (body.token_endpoint_auth_method ?? 'none') as string;
    if (!(AUTH_METHODS as readonly string[]).includes(method)) {
      return oauthError('invalid_client_metadata', `token_endpoint_auth_method: one of ${AUTH_METHODS.join(', ')}`);
    }
    const grants = (body.grant_types ?? ['authorization_code', 'refresh_token']) as unknown;
    if (!Array.isArray(grants) || !grants.every((g) => g === 'authorization_code' || g === 'refresh_token')) {
      return oauthError('invalid_client_metadata', 'grant_types: authorization_code and/or refresh_token');
    }
    const name = typeof body.client_name === 'string' ? body.client_name.slice(0, 200) : undefined;
    const clientSecret = method === 'none' ? undefined : randomToken(32);
    const client = await oauth.registerClient({
      client_name: name,
      redirect_uris: uris as string[],
      token_endpoint_auth_method: method as OAuthClient['token_endpoint_auth_method'],
      client_secret_hash: clientSecret ? await sha256Hex(clientSecret) : undefined,
    });
    return noStore(
      {
        client_id: client.client_id,
        client_id_issued_at: client.created_at,
        ...(client.client_name ? { client_name: client.client_name } : {}),
        redirect_uris: client.redirect_uris,
        grant_types: grants,
        response_types: ['code'],
        token_endpoint_auth_method: method,
        ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
      },
      201,
    );
  });

  const codeTarget = async (pending: Extract<PendingRequest, { kind: 'oauth' }>, subject: string): Promise<string> => {
    const code = await oauth.issueCode({
      client_id: pending.client_id,
      redirect_uri: pending.redirect_uri,
      code_challenge: pending.code_challenge,
      subject,
      scope: pending.scope,
      resource: pending.resource,
      ...(await currentProvenance(config, subject)),
    });
    const target = new URL(pending.redirect_uri);
    target.searchParams.set('code', code);
    if (pending.state !== undefined) target.searchParams.set('state', pending.state);
    target.searchParams.set('iss', config.origin);
    return target.toString();
  };
  const sendCode = async (pending: Extract<PendingRequest, { kind: 'oauth' }>, subject: string): Promise<Response> =>
    redirect(await codeTarget(pending, subject));

  const denied = (pending: Extract<PendingRequest, { kind: 'oauth' }>, description: string): Response => {
    const target = new URL(pending.redirect_uri);
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', description);
    if (pending.state !== undefined) target.searchParams.set('state', pending.state);
    target.searchParams.set('iss', config.origin);
    return redirect(target.toString());
  };

  /**
   * Consent is bound to the browser that saw the consent page: that page sets a random nonce in
   * an HttpOnly cookie and signs its hash into `req`. A `req` copied out of someone else's
   * consent page (the attacker's own) is useless without that browser's cookie.
   */
  const consentCookie = (nonce: string, maxAge: number) =>
    cookie(CONSENT_COOKIE, nonce, { path: '/', maxAge, secure: config.origin.startsWith('https:') });
  const clearConsent = () => consentCookie('', 0);

  const beginConsent = async (pending: PendingRequest) => {
    const nonce = randomToken(32);
    const claims = { pending, origin: config.origin, nb: await sha256Hex(nonce) };
    const req = await signJwt(secret as string, 'authreq', claims, REQUEST_TTL_SECONDS);
    return { req, nonce, setCookie: consentCookie(nonce, REQUEST_TTL_SECONDS) };
  };

  /** The pending request of `req` if it was signed here for the consent page this browser saw. */
  const boundPending = async (req: string | undefined, request: Request): Promise<PendingRequest | undefined> => {
    const nonce = readCookie(request, CONSENT_COOKIE);
    if (!secret || !req || !nonce) return undefined;
    const check = await verifyJwt<{ pending: PendingRequest; origin: string; nb: string }>(secret, 'authreq', req);
    if (!check.ok || check.claims.origin !== config.origin || typeof check.claims.nb !== 'string') return undefined;
    return (await secretsEqual(await sha256Hex(nonce), check.claims.nb)) ? check.claims.pending : undefined;
  };

  /**
   * A consent form POST: the Origin, when sent, is ours (no cross-site form), the form's nonce
   * equals the cookie's (double submit), and `req` is bound to that cookie.
   */
  const consentPost = async (c: Context) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== config.origin) return undefined;
    const form = await c.req.parseBody();
    const req = formField(form, 'req');
    const consent = formField(form, 'consent');
    const nonce = readCookie(c.req.raw, CONSENT_COOKIE);
    if (!req || !consent || !nonce || !(await secretsEqual(consent, nonce))) return undefined;
    const pending = await boundPending(req, c.req.raw);
    return pending ? { pending, req, consent, form } : undefined;
  };

  const expired = () =>
    page('This sign-in expired', '<p>It expired or was opened in another browser: start again.</p>', 400);

  app.get('/authorize', async (c) => {
    if (!secret) return page('Sign-in is not configured', '<p>Set the JWT_SECRET secret on the Worker.</p>', 503);
    const q = c.req.query();
    const client = q.client_id ? await oauth.client(q.client_id) : undefined;
    if (!client) return page('Unknown application', '<p>This client_id is not registered here.</p>', 400);
    const redirectUri = q.redirect_uri ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
    if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
      return page('Wrong redirect address', '<p>redirect_uri does not match the registered ones.</p>', 400);
    }
    // Registration is open, so a registered redirect address proves nothing: an error is shown
    // here, never sent there, or this server would bounce anyone's link to any site
    // without a person deciding anything (RFC 9700 §4.11.2).
    const back = (error: string, description: string) =>
      page('This sign-in request is invalid', `<p>${escapeHtml(error)}: ${escapeHtml(description)}.</p>`, 400);
    if (q.response_type !== 'code') return back('unsupported_response_type', 'response_type must be code');
    if (q.code_challenge_method !== 'S256' || !CHALLENGE.test(q.code_challenge ?? '')) {
      return back('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    if (q.resource && ![config.resource, config.origin, `${config.origin}/`].includes(q.resource)) {
      return back('invalid_target', `resource must be ${config.resource}`);
    }
    const pending: PendingRequest = {
      kind: 'oauth',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: q.code_challenge as string,
      scope: SCOPE,
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.resource ? { resource: config.resource } : {}),
      ...(client.client_name ? { client_name: client.client_name } : {}),
    };
    const { req, nonce, setCookie } = await beginConsent(pending);
    const response = signInPage({
      title: 'Allow access to your backlog',
      intro: `<strong>${escapeHtml(client.client_name ?? 'An application')}</strong> (returning to ${escapeHtml(
        new URL(redirectUri).host || redirectUri,
      )}) asks to read and change the items of this backlog.`,
      req,
      consent: nonce,
      action: '/authorize',
      github: !!config.github,
    });
    response.headers.append('set-cookie', setCookie);
    return response;
  });

  app.post('/authorize', async (c) => {
    const posted = await consentPost(c);
    const pending = posted?.pending;
    if (!posted || pending?.kind !== 'oauth') return expired();
    const { req, consent, form } = posted;
    const key = formField(form, 'api_key') ?? '';
    if (!config.apiKey || !(await secretsEqual(key, config.apiKey))) {
      return signInPage({
        title: 'Allow access to your backlog',
        intro: `<strong>${escapeHtml(pending.client_name ?? 'An application')}</strong> asks to read and change the items of this backlog.`,
        req,
        consent,
        action: '/authorize',
        github: !!config.github,
        error: 'That is not the API key.',
      });
    }
    const response = continuePage('Returning to the application', await codeTarget(pending, 'api-key'));
    response.headers.append('set-cookie', clearConsent());
    return response;
  });

  app.get('/login', async (c) => {
    if (!secret) return page('Sign-in is not configured', '<p>Set the JWT_SECRET secret on the Worker.</p>', 503);
    const { req, nonce, setCookie } = await beginConsent({
      kind: 'viewer',
      next: safeNext(c.req.query('next'), config.origin),
    });
    const response = signInPage({
      title: 'Sign in to the backlog',
      intro: 'The viewer shows this backlog to its owner only.',
      req,
      consent: nonce,
      action: '/login',
      github: !!config.github,
    });
    response.headers.append('set-cookie', setCookie);
    return response;
  });

  const startSession = async (subject: string, next: string): Promise<Response> =>
    redirect(safeNext(next, config.origin), {
      'set-cookie': cookie(
        SESSION_COOKIE,
        await signJwt(
          secret as string,
          'session',
          { sub: subject, origin: config.origin, ...(await currentProvenance(config, subject)) },
          SESSION_TTL_SECONDS,
        ),
        { path: '/', maxAge: SESSION_TTL_SECONDS },
      ),
    });

  app.post('/login', async (c) => {
    const posted = await consentPost(c);
    if (posted?.pending.kind !== 'viewer') return redirect('/login');
    const key = formField(posted.form, 'api_key') ?? '';
    if (!config.apiKey || !(await secretsEqual(key, config.apiKey))) {
      return signInPage({
        title: 'Sign in to the backlog',
        intro: 'The viewer shows this backlog to its owner only.',
        req: posted.req,
        consent: posted.consent,
        action: '/login',
        github: !!config.github,
        error: 'That is not the API key.',
      });
    }
    const response = await startSession('api-key', posted.pending.next);
    response.headers.append('set-cookie', clearConsent());
    return response;
  });

  app.post('/logout', () => redirect('/login', { 'set-cookie': cookie(SESSION_COOKIE, '', { path: '/', maxAge: 0 }) }));

  // A link must never start a sign-in: GitHub approves apps it knows without a click, so a GET
  // here would be consent without the owner seeing the consent page.
  app.get('/oauth/github/start', () => {
    const response = page('Start from the sign-in page', '<p>Open the sign-in page and choose GitHub there.</p>', 405);
    response.headers.set('allow', 'POST');
    return response;
  });

  app.post('/oauth/github/start', async (c) => {
    const posted = config.github ? await consentPost(c) : undefined;
    if (!config.github || !posted) return expired();
    // GitHub returns `state` to the callback, which checks `req` against this browser's cookie again.
    const state = await signJwt(secret as string, 'ghstate', { req: posted.req }, REQUEST_TTL_SECONDS);
    return continuePage(
      'Signing in with GitHub',
      githubAuthorizeUrl(config.github, `${config.origin}/oauth/github/callback`, state),
    );
  });

  app.get('/oauth/github/callback', async (c) => {
    const { code, state } = c.req.query();
    if (!config.github || !secret || !code || !state) return page('GitHub sign-in failed', '<p>Start again.</p>', 400);
    const checked = await verifyJwt<{ req: string }>(secret, 'ghstate', state);
    // The consent cookie binds GitHub's answer to the browser that saw the consent page.
    const pending = checked.ok ? await boundPending(checked.claims.req, c.req.raw) : undefined;
    if (!pending) {
      return page('GitHub sign-in failed', '<p>The sign-in expired or was started in another browser.</p>', 400);
    }
    const login = await githubLogin(config.github, code, `${config.origin}/oauth/github/callback`);
    if (!login) return page('GitHub sign-in failed', '<p>GitHub did not confirm who you are.</p>', 502);
    const clearNonce = clearConsent();
    if (!githubUserAllowed(config, login)) {
      if (pending.kind === 'oauth') return denied(pending, `GitHub user ${login} is not allowed on this backlog`);
      return page(
        'Not allowed',
        `<p>The GitHub user <strong>${escapeHtml(login)}</strong> is not on this backlog's allow-list.</p>`,
        403,
      );
    }
    const response =
      pending.kind === 'oauth'
        ? await sendCode(pending, `github:${login.toLowerCase()}`)
        : await startSession(`github:${login.toLowerCase()}`, pending.next);
    response.headers.append('set-cookie', clearNonce);
    return response;
  });

  app.post('/token', async (c) => {
    if (!secret) return oauthError('temporarily_unavailable', 'OAuth is off: the server has no JWT_SECRET', 503);
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    const client = await authenticateClient(c, oauth, field('client_id'), field('client_secret'));
    if (!client) return oauthError('invalid_client', 'unknown client or wrong client credentials', 401);
    const grant = field('grant_type');
    if (grant === 'authorization_code') {
      const code = field('code');
      const verifier = field('code_verifier');
      if (!code || !verifier || !PKCE.test(verifier)) {
        return oauthError('invalid_request', 'code and a code_verifier of 43-128 characters are required');
      }
      const granted = await oauth.consumeCode(code);
      if (
        !granted ||
        granted.client_id !== client.client_id ||
        (field('redirect_uri') ?? granted.redirect_uri) !== granted.redirect_uri ||
        (await pkceChallenge(verifier)) !== granted.code_challenge
      ) {
        return oauthError('invalid_grant', 'the code is unknown, used, expired, or does not match this request');
      }
      if (!subjectAllowedNow(config, granted.subject)) return oauthError('invalid_grant', 'this user is not allowed');
      if (!(await grantCurrent(config, granted.subject, granted))) {
        return oauthError('invalid_grant', 'a secret was rotated since this code was granted; sign in again');
      }
      const { family, refreshToken } = await oauth.startFamily(
        {
          client_id: client.client_id,
          subject: granted.subject,
          scope: granted.scope,
          resource: granted.resource,
          sg: granted.sg,
          kg: granted.kg,
        },
        config.refreshTtl,
      );
      return tokenResponse(config, family, refreshToken);
    }
    if (grant === 'refresh_token') {
      const presented = field('refresh_token');
      if (!presented) return oauthError('invalid_request', 'refresh_token is required');
      const outcome = await oauth.rotate(presented, client.client_id, config.refreshTtl);
      if (!outcome.ok) {
        const why = {
          unknown: 'unknown refresh token',
          expired: 'the refresh token expired; sign in again',
          revoked: 'this sign-in was revoked; sign in again',
          replayed: 'this refresh token was already used; the sign-in is revoked, sign in again',
          client: 'the refresh token belongs to another client',
        }[outcome.reason];
        return oauthError('invalid_grant', why);
      }
      if (!subjectAllowedNow(config, outcome.family.subject)) {
        await oauth.revokeFamily(outcome.family.family_id);
        return oauthError('invalid_grant', 'this user is no longer allowed');
      }
      if (!(await grantCurrent(config, outcome.family.subject, outcome.family))) {
        await oauth.revokeFamily(outcome.family.family_id);
        return oauthError('invalid_grant', 'a secret was rotated since this sign-in; sign in again');
      }
      return tokenResponse(config, outcome.family, outcome.refreshToken);
    }
    return oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  });

  return app;
}

function subjectAllowedNow(config: WorkerConfig, subject: string): boolean {
  if (subject === 'api-key') return !!config.apiKey;
  return subject.startsWith('github:') && githubUserAllowed(config, subject.slice('github:'.length));
}

async function authenticateClient(
  c: Context,
  oauth: OAuthStore,
  bodyId: string | undefined,
  bodySecret: string | undefined,
): Promise<OAuthClient | undefined> {
  let id = bodyId;
  let presented = bodySecret;
  const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (basic) {
    try {
      const [user, ...rest] = atob(basic).split(':');
      id = decodeURIComponent(user ?? '');
      presented = decodeURIComponent(rest.join(':'));
    } catch {
      return undefined;
    }
  }
  const client = id ? await oauth.client(id) : undefined;
  if (!client) return undefined;
  if (client.token_endpoint_auth_method === 'none') return client;
  if (!presented || !client.client_secret_hash) return undefined;
  return (await secretsEqual(await sha256Hex(presented), client.client_secret_hash)) ? client : undefined;
}

async function tokenResponse(config: WorkerConfig, family: Family, refreshToken: string): Promise<Response> {
  const claims: AccessClaims = {
    sub: family.subject,
    client_id: family.client_id,
    fid: family.family_id,
    aud: config.resource,
    iss: config.origin,
    scope: family.scope,
    sg: family.sg,
    kg: family.kg,
    jti: randomToken(12),
  };
  const accessToken = await signJwt(config.jwtSecret as string, 'access', claims, config.accessTtl);
  return noStore({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: config.accessTtl,
    refresh_token: refreshToken,
    scope: family.scope,
  });
}
