import type { WorkerConfig } from '../../config.js';
import { SESSION_COOKIE, SESSION_TTL_SECONDS } from '../../guard.js';
import { signJwt } from '../jwt.js';
import type { OAuthStore } from '../oauth-store.js';
import { currentProvenance } from '../provenance.js';
import type { PendingOAuth } from './consent.js';
import { cookie, redirect } from './responses.js';

/*
 * What a sign-in ends in, however the owner proved who they are: an OAuth client gets a code
 * (or a denial) at its redirect address, the viewer gets a session cookie.
 */

/**
 * Where to go after sign-in: a path on this origin, judged after the URL parser normalised it,
 * as the browser will (it drops tabs and newlines and reads \\ as /, so "/\t/evil.example" and
 * "/\\evil.example" lead off-site although they start with one slash).
 */
export function safeNext(raw: string | undefined, origin: string): string {
  if (!raw?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
}

/** The client's redirect address with an authorization code for `subject`. */
export async function codeTarget(
  config: WorkerConfig,
  oauth: OAuthStore,
  pending: PendingOAuth,
  subject: string,
): Promise<string> {
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
}

/** Sends the browser back to the client with an access_denied error. */
export function denied(config: WorkerConfig, pending: PendingOAuth, description: string): Response {
  const target = new URL(pending.redirect_uri);
  target.searchParams.set('error', 'access_denied');
  target.searchParams.set('error_description', description);
  if (pending.state !== undefined) target.searchParams.set('state', pending.state);
  target.searchParams.set('iss', config.origin);
  return redirect(target.toString());
}

/** Signs the viewer in as `subject` and sends it on to `next` (on this origin). */
export async function startSession(config: WorkerConfig, subject: string, next: string): Promise<Response> {
  return redirect(safeNext(next, config.origin), {
    'set-cookie': cookie(
      SESSION_COOKIE,
      await signJwt(
        config.jwtSecret as string,
        'session',
        { sub: subject, origin: config.origin, ...(await currentProvenance(config, subject)) },
        SESSION_TTL_SECONDS,
      ),
      { path: '/', maxAge: SESSION_TTL_SECONDS },
    ),
  });
}
