import { type Context, Hono } from 'hono';
import type { WorkerConfig } from '../../config.js';
import type { AccessClaims } from '../../guard.js';
import { pkceChallenge, randomToken, secretsEqual, sha256Hex } from '../crypto.js';
import { githubUserAllowed } from '../github.js';
import { signJwt } from '../jwt.js';
import type { Family, OAuthClient, OAuthStore } from '../oauth-store.js';
import { grantCurrent } from '../provenance.js';
import { formField, noStore, oauthError, oauthOff } from './responses.js';
import type { AuthRouteDeps } from './shared.js';

const PKCE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A /token request from an authenticated client: `field` reads its form. */
interface GrantRequest extends AuthRouteDeps {
  client: OAuthClient;
  field: (name: string) => string | undefined;
}

/** The token endpoint: authorization codes (with PKCE) and rotating refresh tokens. */
export function tokenRoutes(deps: AuthRouteDeps): Hono {
  const app = new Hono();
  app.post('/token', async (c) => {
    if (!deps.config.jwtSecret) return oauthOff();
    const form = await c.req.parseBody();
    const field = (name: string) => formField(form, name);
    const client = await authenticateClient(c, deps.oauth, field('client_id'), field('client_secret'));
    if (!client) return oauthError('invalid_client', 'unknown client or wrong client credentials', 401);
    const grant = field('grant_type');
    if (grant === 'authorization_code') return authorizationCodeGrant({ ...deps, client, field });
    if (grant === 'refresh_token') return refreshTokenGrant({ ...deps, client, field });
    return oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  });
  return app;
}

async function authorizationCodeGrant({ config, oauth, client, field }: GrantRequest): Promise<Response> {
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

async function refreshTokenGrant({ config, oauth, client, field }: GrantRequest): Promise<Response> {
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
