import { secretsEqual } from './auth/crypto.js';
import { githubUserAllowed } from './auth/github.js';
import { verifyJwt } from './auth/jwt.js';
import type { OAuthStore } from './auth/oauth-store.js';
import { grantCurrent, type Provenance } from './auth/provenance.js';
import type { WorkerConfig } from './config.js';

/** Who is calling: the API-key holder, or a GitHub user signed in through OAuth or the viewer. */
export interface Principal {
  /** `api-key` or `github:<login>` */
  subject: string;
  via: 'api_key' | 'oauth' | 'session';
  clientId?: string;
  familyId?: string;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; tokenPresented: boolean; reason: string };

export const SESSION_COOKIE = 'backlog_session';
export const SESSION_TTL_SECONDS = 12 * 3600;

export interface AccessClaims extends Record<string, unknown>, Provenance {
  sub: string;
  client_id: string;
  fid: string;
  aud: string;
  iss: string;
  scope: string;
}

export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** A GitHub subject must still be on the allow-list: removing a name locks its tokens out at once. */
function subjectAllowed(config: WorkerConfig, subject: string): boolean {
  if (subject === 'api-key') return !!config.apiKey;
  return subject.startsWith('github:') && githubUserAllowed(config, subject.slice('github:'.length));
}

/**
 * Checks a request's credentials: `Authorization: Bearer <API_KEY | access token>`, or
 * (where `allowCookie`, i.e. for the viewer) the signed session cookie. MCP takes
 * bearer tokens only, so a browser cookie can never drive tools cross-site.
 */
export async function authenticate(
  request: Request,
  config: WorkerConfig,
  oauth: OAuthStore,
  options: { allowCookie: boolean },
): Promise<AuthResult> {
  const header = request.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer) {
    if (config.apiKey && (await secretsEqual(bearer, config.apiKey))) {
      return { ok: true, principal: { subject: 'api-key', via: 'api_key' } };
    }
    if (!config.jwtSecret) return { ok: false, tokenPresented: true, reason: 'The token is not valid' };
    const check = await verifyJwt<AccessClaims>(config.jwtSecret, 'access', bearer);
    if (!check.ok) {
      return {
        ok: false,
        tokenPresented: true,
        reason: check.reason === 'expired' ? 'The access token expired' : 'The token is not valid',
      };
    }
    const claims = check.claims;
    if (claims.aud !== config.resource || claims.iss !== config.origin) {
      return { ok: false, tokenPresented: true, reason: 'The token was issued for another resource' };
    }
    if (!subjectAllowed(config, claims.sub)) {
      return { ok: false, tokenPresented: true, reason: 'This user is no longer allowed' };
    }
    if (!(await grantCurrent(config, claims.sub, claims))) {
      return { ok: false, tokenPresented: true, reason: 'A secret was rotated since this sign-in' };
    }
    if (!(await oauth.familyActive(claims.fid))) {
      return { ok: false, tokenPresented: true, reason: 'The sign-in was revoked' };
    }
    return {
      ok: true,
      principal: { subject: claims.sub, via: 'oauth', clientId: claims.client_id, familyId: claims.fid },
    };
  }
  if (header) return { ok: false, tokenPresented: true, reason: 'Use Authorization: Bearer <token>' };
  const cookie = options.allowCookie ? readCookie(request, SESSION_COOKIE) : undefined;
  if (cookie && config.jwtSecret) {
    const check = await verifyJwt<{ sub: string; origin: string } & Provenance>(config.jwtSecret, 'session', cookie);
    if (
      check.ok &&
      check.claims.origin === config.origin &&
      subjectAllowed(config, check.claims.sub) &&
      (await grantCurrent(config, check.claims.sub, check.claims))
    ) {
      return { ok: true, principal: { subject: check.claims.sub, via: 'session' } };
    }
  }
  return { ok: false, tokenPresented: false, reason: 'Authentication required' };
}

/** RFC 6750 / RFC 9728: tells the client where the protected-resource metadata is. */
export function wwwAuthenticate(config: WorkerConfig, result: { tokenPresented: boolean; reason: string }): string {
  const metadata = `${config.origin}/.well-known/oauth-protected-resource/mcp`;
  const base = `Bearer realm="backlog-mcp", resource_metadata="${metadata}", scope="backlog"`;
  return result.tokenPresented
    ? `${base}, error="invalid_token", error_description="${result.reason.replace(/"/g, "'")}"`
    : base;
}
