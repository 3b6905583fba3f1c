import { type Context, Hono } from 'hono';
import { readCookie, SESSION_COOKIE, SESSION_TTL_SECONDS } from '../guard.js';
import { randomToken, secretsEqual, sha256Hex } from './crypto.js';
import { githubAuthorizeUrl, githubLogin, githubUserAllowed } from './github.js';
import { signJwt, verifyJwt } from './jwt.js';
import { continuePage, escapeHtml, page, signInPage } from './pages.js';
import { currentProvenance } from './provenance.js';
import { discoveryRoutes } from './routes/discovery.js';
import { registerRoutes } from './routes/register.js';
import { cookie, formField, redirect } from './routes/responses.js';
import { type AuthRouteDeps, SCOPE } from './routes/shared.js';
import { tokenRoutes } from './routes/token.js';

export { CORS_HEADERS } from './routes/responses.js';
export type { AuthRouteDeps } from './routes/shared.js';

const REQUEST_TTL_SECONDS = 600;
/** Holds the nonce of the consent page this browser saw; `req` carries its hash. */
const CONSENT_COOKIE = 'backlog_consent';
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

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

/**
 * The Worker's OAuth 2.1 authorisation server for MCP clients (RFC 8414 metadata,
 * RFC 9728 resource metadata, RFC 7591 registration, code + PKCE S256, rotating
 * refresh tokens), plus the viewer's sign-in page. Sign-in is with GitHub (allow-listed
 * logins) or with the API key.
 */
export function createAuthRoutes({ config, oauth }: AuthRouteDeps): Hono {
  const app = new Hono();
  const secret = config.jwtSecret;

  app.route('/', discoveryRoutes({ config, oauth }));
  app.route('/', registerRoutes({ config, oauth }));

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

  app.route('/', tokenRoutes({ config, oauth }));

  return app;
}
