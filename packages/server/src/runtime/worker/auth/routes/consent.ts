import type { Context } from 'hono';
import type { WorkerConfig } from '../../config.js';
import { readCookie } from '../../guard.js';
import { randomToken, secretsEqual, sha256Hex } from '../crypto.js';
import { signJwt, verifyJwt } from '../jwt.js';
import { page, signInPage } from '../pages.js';
import { cookie, formField } from './responses.js';

/** How long a consent page (and a GitHub round trip started from it) stays usable. */
export const REQUEST_TTL_SECONDS = 600;
/** Holds the nonce of the consent page this browser saw; `req` carries its hash. */
const CONSENT_COOKIE = 'backlog_consent';

/** A pending sign-in, signed and carried through the consent page and GitHub's `state`. */
export type PendingRequest =
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

/** A pending sign-in of an OAuth client (not of the viewer). */
export type PendingOAuth = Extract<PendingRequest, { kind: 'oauth' }>;

/** A consent form POST that passed every check of `consentPost`. */
export interface ConsentPost {
  pending: PendingRequest;
  req: string;
  consent: string;
  form: Record<string, unknown>;
}

/** The words of a sign-in page: its heading, what is asked, and where its API-key form posts. */
export interface SignInCopy {
  title: string;
  intro: string;
  action: string;
}

/*
 * Consent is bound to the browser that saw the consent page: that page sets a random nonce in
 * an HttpOnly cookie and signs its hash into `req`. A `req` copied out of someone else's
 * consent page (the attacker's own) is useless without that browser's cookie.
 */
const consentCookie = (config: WorkerConfig, nonce: string, maxAge: number) =>
  cookie(CONSENT_COOKIE, nonce, { path: '/', maxAge, secure: config.origin.startsWith('https:') });

/** `response` with the consent cookie removed: the sign-in it was for is over. */
export function withConsentCleared(config: WorkerConfig, response: Response): Response {
  response.headers.append('set-cookie', consentCookie(config, '', 0));
  return response;
}

async function beginConsent(config: WorkerConfig, pending: PendingRequest) {
  const nonce = randomToken(32);
  const claims = { pending, origin: config.origin, nb: await sha256Hex(nonce) };
  const req = await signJwt(config.jwtSecret as string, 'authreq', claims, REQUEST_TTL_SECONDS);
  return { req, nonce, setCookie: consentCookie(config, nonce, REQUEST_TTL_SECONDS) };
}

/** The pending request of `req` if it was signed here for the consent page this browser saw. */
export async function boundPending(
  config: WorkerConfig,
  req: string | undefined,
  request: Request,
): Promise<PendingRequest | undefined> {
  const secret = config.jwtSecret;
  const nonce = readCookie(request, CONSENT_COOKIE);
  if (!secret || !req || !nonce) return undefined;
  const check = await verifyJwt<{ pending: PendingRequest; origin: string; nb: string }>(secret, 'authreq', req);
  if (!check.ok || check.claims.origin !== config.origin || typeof check.claims.nb !== 'string') return undefined;
  return (await secretsEqual(await sha256Hex(nonce), check.claims.nb)) ? check.claims.pending : undefined;
}

/**
 * A consent form POST: the Origin, when sent, is ours (no cross-site form), the form's nonce
 * equals the cookie's (double submit), and `req` is bound to that cookie.
 */
export async function consentPost(config: WorkerConfig, c: Context): Promise<ConsentPost | undefined> {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== config.origin) return undefined;
  const form = await c.req.parseBody();
  const req = formField(form, 'req');
  const consent = formField(form, 'consent');
  const nonce = readCookie(c.req.raw, CONSENT_COOKIE);
  if (!req || !consent || !nonce || !(await secretsEqual(consent, nonce))) return undefined;
  const pending = await boundPending(config, req, c.req.raw);
  return pending ? { pending, req, consent, form } : undefined;
}

/** Whether the consent form carried the API key. */
export async function apiKeyMatches(config: WorkerConfig, form: Record<string, unknown>): Promise<boolean> {
  const key = formField(form, 'api_key') ?? '';
  return !!config.apiKey && (await secretsEqual(key, config.apiKey));
}

/** Starts a consent for `pending`: its sign-in page, with this browser's consent cookie. */
export async function consentPage(config: WorkerConfig, pending: PendingRequest, copy: SignInCopy): Promise<Response> {
  const { req, nonce, setCookie } = await beginConsent(config, pending);
  const response = signInPage({ ...copy, req, consent: nonce, github: !!config.github });
  response.headers.append('set-cookie', setCookie);
  return response;
}

/** The sign-in page of a posted consent again, after a wrong API key. */
export function wrongKeyPage(config: WorkerConfig, posted: ConsentPost, copy: SignInCopy): Response {
  return signInPage({
    ...copy,
    req: posted.req,
    consent: posted.consent,
    github: !!config.github,
    error: 'That is not the API key.',
  });
}

export const notConfigured = () =>
  page('Sign-in is not configured', '<p>Set the JWT_SECRET secret on the Worker.</p>', 503);

export const expired = () =>
  page('This sign-in expired', '<p>It expired or was opened in another browser: start again.</p>', 400);
