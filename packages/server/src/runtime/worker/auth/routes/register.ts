import { Hono } from 'hono';
import { randomToken, sha256Hex } from '../crypto.js';
import type { OAuthClient } from '../oauth-store.js';
import { noStore, oauthError, oauthOff } from './responses.js';
import { AUTH_METHODS, type AuthRouteDeps } from './shared.js';

const MAX_REGISTRATION_BYTES = 16 * 1024;

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

/** RFC 7591 dynamic client registration: open to anyone (app.ts limits how often). */
export function registerRoutes({ config, oauth }: AuthRouteDeps): Hono {
  const app = new Hono();
  app.post('/register', async (c) => {
    if (!config.jwtSecret) return oauthOff();
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
  return app;
}
