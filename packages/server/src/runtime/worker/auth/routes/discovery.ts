import { Hono } from 'hono';
import { noStore } from './responses.js';
import { AUTH_METHODS, type AuthRouteDeps, SCOPE } from './shared.js';

/**
 * Discovery: RFC 8414 authorization server metadata and RFC 9728 protected resource metadata,
 * each also under the /mcp suffix that clients derive from the resource's path.
 */
export function discoveryRoutes({ config }: AuthRouteDeps): Hono {
  const app = new Hono();
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
  return app;
}
