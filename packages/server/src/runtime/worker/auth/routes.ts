import { Hono } from 'hono';
import { authorizeRoutes } from './routes/authorize.js';
import { discoveryRoutes } from './routes/discovery.js';
import { githubRoutes } from './routes/github.js';
import { loginRoutes } from './routes/login.js';
import { registerRoutes } from './routes/register.js';
import type { AuthRouteDeps } from './routes/shared.js';
import { tokenRoutes } from './routes/token.js';

export { CORS_HEADERS } from './routes/responses.js';
export type { AuthRouteDeps } from './routes/shared.js';

/**
 * The Worker's OAuth 2.1 authorisation server for MCP clients (RFC 8414 metadata,
 * RFC 9728 resource metadata, RFC 7591 registration, code + PKCE S256, rotating
 * refresh tokens), plus the viewer's sign-in page. Sign-in is with GitHub (allow-listed
 * logins) or with the API key. Each group of endpoints is a Hono sub-app in routes/;
 * the consent flow they share is routes/consent.ts, its outcomes routes/sign-in.ts.
 */
export function createAuthRoutes(deps: AuthRouteDeps): Hono {
  return new Hono()
    .route('/', discoveryRoutes(deps))
    .route('/', registerRoutes(deps))
    .route('/', authorizeRoutes(deps))
    .route('/', loginRoutes(deps))
    .route('/', githubRoutes(deps))
    .route('/', tokenRoutes(deps));
}
